"""Issue 11, the browser's texts in French: a chromium whose language is French (``locale="fr-FR"``, so
``Accept-Language: fr-FR``) gets the catalogue of the core's and the connectors' resource bundles in French, and the
module, My Connector and WebRTC speak it: the call button and its dropdown, the incoming-call dialog. A display name
with markup, put in a message as its parameter, stays text (``window.__xss`` stays unset). English stays the default
(the other e2e tests read English texts).
"""
from __future__ import annotations


import pytest
from playwright.sync_api import expect

from .harness import product_server, signed_in_page, wait_provider_ready

HOSTILE = '<img src=x onerror="window.__xss=1">'
ORGANISATION = {
    "users": [
        {"id": "ann", "firstName": "Ann", "lastName": HOSTILE, "password": "gtn", "status": "available",
         "ims": {"myconnector": "ann", "webrtc": "ann"}},
        {"id": "ben", "firstName": "Ben", "lastName": "Brown", "password": "gtn", "status": "available",
         "ims": {"myconnector": "ben", "webrtc": "ben"}},
    ],
    "spaces": [],
}
FRENCH = {"locale": "fr-FR"}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The product's two connectors (two buttons each: a button and a dropdown), this test's organisation."""
    with product_server(tmp_path_factory.mktemp("french"), ORGANISATION,
                        "webconferencing.testcall.active=false") as running:
        yield running


def french_page(browser, server, user: str, path: str, ready: str = "myconnector"):
    page = signed_in_page(browser, server.base_url, user, path, **FRENCH)
    wait_provider_ready(page, ready)
    return page


def test_a_french_browser_gets_the_french_catalogue_of_the_core_and_of_both_connectors(browser, server):
    page = french_page(browser, server, "ben", "/portal/people")
    try:
        expect(page.locator("html")).to_have_attribute("lang", "fr")
        texts = page.evaluate("""() => [webConferencing.getLanguage(), webConferencing.message("webconferencing.ended"),
            webConferencing.message("myconnector.incoming.notice"), webConferencing.message("webrtc.button.call"),
            webConferencing.message("webconferencing.ended.declinedBy", ["Ann"])]""")
        assert texts == ["fr", "Appel terminé", "Appel entrant", "Appel vidéo", "Ann a refusé l'appel"]
    finally:
        page.context.close()


def test_the_call_button_and_its_dropdown_speak_french(browser, server):
    page = french_page(browser, server, "ben", "/portal/profile/ann")
    try:
        wait_provider_ready(page, "webrtc")
        buttons = page.locator(".webconferencing-call[data-user-id=ann]")
        expect(buttons.locator(".dropdown-toggle")).to_have_attribute("aria-label", "Autres options d'appel")
        labels = sorted(buttons.locator(".webconferencing-call-action").all_text_contents())
        assert [label.strip() for label in labels] == ["Appel vidéo", "Appeler avec My Connector"]
    finally:
        page.context.close()


def test_the_incoming_call_dialog_speaks_french_and_shows_a_callers_name_with_markup_as_text(browser, server):
    ben = french_page(browser, server, "ben", "/portal/people")
    ann = signed_in_page(browser, server.base_url, "ann", "/portal/people")
    try:
        wait_provider_ready(ann, "myconnector")
        ann.evaluate("""() => webConferencing.addCall("p/ann-ben", {owner: "ann", ownerType: "user",
            provider: "myconnector", title: "Ben Brown", participants: ["ann", "ben"]})""")
        dialog = ben.locator(".myconnector-incoming[data-call-id='p/ann-ben']")
        expect(dialog.locator(".myconnector-incoming-title")).to_have_text("Appel My Connector entrant")
        expect(dialog.locator(".myconnector-incoming-caller")).to_have_text(f"Ann {HOSTILE} vous appelle...")
        expect(dialog.locator("button.accept")).to_have_text("Accepter")
        expect(dialog.locator("button.decline")).to_have_text("Refuser")
        assert dialog.locator("img").count() == 0
        dialog.locator("button.decline").click()
        expect(dialog).to_have_count(0)
        assert ben.evaluate("window.__xss") is None
    finally:
        ben.context.close()
        ann.context.close()


def test_an_english_browser_still_reads_english(browser, server):
    page = signed_in_page(browser, server.base_url, "ben", "/portal/profile/ann", locale="en-US")
    try:
        wait_provider_ready(page, "myconnector")
        buttons = page.locator(".webconferencing-call[data-user-id=ann]")
        expect(buttons.locator(".dropdown-toggle")).to_have_attribute("aria-label", "More call options")
        assert page.evaluate("webConferencing.message('webconferencing.incoming.decline')") == "Decline"
    finally:
        page.context.close()


def test_message_fills_numbered_or_named_placeholders_once_and_shows_an_unknown_key_as_itself(browser, server):
    page = french_page(browser, server, "ben", "/portal/people")
    warnings: list[str] = []
    page.on("console", lambda entry: warnings.append(entry.text) if entry.type == "warning" else None)
    try:
        texts = page.evaluate("""() => [
            webConferencing.message("webconferencing.ended.declinedBy", ["{1}", "Bob"]),
            webConferencing.message("webconferencing.ended.busyWith", {0: "Ann"}),
            webConferencing.message("webconferencing.ended.declinedBy"),
            webConferencing.message("acme.unknown"), webConferencing.message("acme.unknown")]""")
        assert texts == ["{1} a refusé l'appel", "Ann est déjà en communication", "{0} a refusé l'appel",
                         "acme.unknown", "acme.unknown"]
        assert [w for w in warnings if "acme.unknown" in w] == [
            "webConferencing: no text for the message key acme.unknown (shown as the key)"]
    finally:
        page.context.close()
