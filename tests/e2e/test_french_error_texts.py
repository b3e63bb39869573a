"""Issue 11, errors in the page's language: a French page that meets a server error, or a request that gets no answer,
shows the French text of the error's code (``webConferencing.errorText``, error-texts.js), never the server's English
message, which is for the log. Markup a user put in a title or a name, even echoed back in the server's message,
stays text (``window.__xss`` stays unset).

Real errors from a real server, provoked as users meet them: joining from a call's page a call that has ended since
the page showed it (NOT_FOUND_ERROR), inviting someone who does not exist (BAD_REQUEST_ERROR, the server's message
quoting the markup typed), placing a call past one's call quota (TOO_MANY_REQUESTS and its wait); and the browser
going offline before changing one's status (no answer: CONNECTION_ERROR).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .harness import product_server, signed_in_page, wait_provider_ready

HOSTILE = '<img src=x onerror="window.__xss=1">'
SPACE = "crew"
CALL = f"g/{SPACE}"


def user(user_id: str, first_name: str, last_name: str) -> dict:
    return {"id": user_id, "firstName": first_name, "lastName": last_name, "password": "gtn", "status": "available",
            "ims": {"webrtc": user_id}}


ORGANISATION = {
    "users": [user("ann", "Ann", HOSTILE), user("ben", "Ben", "Brown"), user("cat", "Cat", "Clark"),
              user("dan", "Dan", "Dunn"), user("eve", "Eve", "Evans")],
    "spaces": [{"prettyName": SPACE, "title": f"{HOSTILE}Crew", "members": ["ann", "ben", "dan", "eve"],
                "managers": ["ben"]}],
}
FRENCH = {"locale": "fr-FR"}
NOT_FOUND = "Introuvable : l'appel est peut-être terminé, ou cet élément a été supprimé."
INVALID = "Le serveur a refusé une valeur : vérifiez votre saisie et réessayez."
NO_ANSWER = "Pas de réponse du serveur : vérifiez votre connexion et réessayez."
TOO_MANY = re.compile(r"^Trop de requêtes : réessayez dans \d+ secondes\.$")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """WebRTC only (the call page runs its calls); one call creation per user and hour, so a second one is refused."""
    with product_server(tmp_path_factory.mktemp("french-errors"), ORGANISATION,
                        "webconferencing.testcall.active=false", "webconferencing.myconnector.active=false",
                        "webconferencing.quota.calls=1/hour") as running:
        yield running


def start_space_call(browser, server, starter: str):
    """The space's WebRTC call, created by ``starter`` from their page (which stays open, on another page than the
    call: nothing joins it); returns that page. Each test has its own starter: one call creation per user (quota)."""
    page = signed_in_page(browser, server.base_url, starter, "/portal/people")
    wait_provider_ready(page, "webrtc")
    page.evaluate("""([id, space]) => webConferencing.addCall(id, {owner: space, ownerType: "space",
        provider: "webrtc", title: "Crew", participants: ["ann", "ben", "dan", "eve"]})""", [CALL, SPACE])
    return page


def french_call_page(browser, server):
    page = signed_in_page(browser, server.base_url, "ben", f"/portal/call/{CALL}", **FRENCH)
    wait_provider_ready(page, "webrtc")
    return page


def assert_no_markup_ran(page) -> None:
    assert page.locator("main img, .call-invites img, .call-join img").count() == 0
    assert page.evaluate("window.__xss") is None


def test_joining_a_call_that_ended_since_its_page_showed_says_so_in_french(browser, server):
    starter = start_space_call(browser, server, "ann")
    ben = french_call_page(browser, server)
    try:
        join = ben.locator("#call-join .call-join-button")
        expect(join).to_have_text("Rejoindre l'appel")
        starter.evaluate("id => webConferencing.deleteCall(id)", CALL)
        join.click()
        status = ben.locator("#call-join .call-page-status")
        expect(ben.locator("#call-join")).to_have_attribute("data-state", "failed")
        expect(status).to_have_text(f"Impossible de rejoindre l'appel : {NOT_FOUND}")
        assert_no_markup_ran(ben)
    finally:
        ben.context.close()
        starter.context.close()


def test_inviting_someone_unknown_is_refused_in_french_and_the_markup_typed_stays_text(browser, server):
    starter = start_space_call(browser, server, "dan")
    ben = french_call_page(browser, server)
    try:
        expect(ben.locator(".invite-list")).to_contain_text("Personne")  # the invitation was read
        ben.locator(".invite-who").fill(HOSTILE)
        ben.locator(".invite-add button[type=submit]").click()
        error = ben.locator(".invite-error")
        expect(error).to_be_visible()
        expect(error).to_have_text(INVALID)  # the server's message, "Invited user '<img ...>' not found", is not shown
        assert_no_markup_ran(ben)
    finally:
        starter.evaluate("id => webConferencing.deleteCall(id)", CALL)
        ben.context.close()
        starter.context.close()


def test_an_english_page_shows_a_validation_errors_own_message_as_text(browser, server):
    """English is the server's language: a validation error's message (it names what is wrong) is shown, as text."""
    starter = start_space_call(browser, server, "eve")
    ben = signed_in_page(browser, server.base_url, "ben", f"/portal/call/{CALL}", locale="en-US")
    try:
        wait_provider_ready(ben, "webrtc")
        expect(ben.locator(".invite-list")).to_contain_text("Nobody")
        ben.locator(".invite-who").fill(HOSTILE)
        ben.locator(".invite-add button[type=submit]").click()
        expect(ben.locator(".invite-error")).to_have_text(f"Invited user '{HOSTILE}' not found")
        assert_no_markup_ran(ben)
    finally:
        starter.evaluate("id => webConferencing.deleteCall(id)", CALL)
        ben.context.close()
        starter.context.close()


def test_a_call_past_the_quota_is_refused_in_french_with_the_wait(browser, server):
    cat = signed_in_page(browser, server.base_url, "cat", "/portal/profile/ann", **FRENCH)
    try:
        wait_provider_ready(cat, "webrtc")
        cat.evaluate("""() => webConferencing.addCall("p/cat-dan", {owner: "cat", ownerType: "user",
            provider: "webrtc", title: "Dan Dunn", participants: ["cat", "dan"]})
            .then(() => webConferencing.deleteCall("p/cat-dan"))""")  # the hour's only call creation
        cat.locator(".webconferencing-call[data-user-id=ann] .webrtc-call-button").click()
        dialog = cat.locator(".webconferencing-dialog.error")
        expect(dialog.locator(".title")).to_have_text("Échec de l'appel")
        expect(dialog.locator(".webconferencing-dialog-message")).to_have_text(TOO_MANY)
        expect(dialog.locator(".webconferencing-dialog-reference .value")).to_contain_text("cat-")
        dialog.locator("button.ok").click()
        assert_no_markup_ran(cat)
    finally:
        cat.context.close()


def test_a_status_change_that_gets_no_answer_says_so_in_french(browser, server):
    ben = signed_in_page(browser, server.base_url, "ben", "/portal/people", **FRENCH)
    try:
        wait_provider_ready(ben, "webrtc")
        ben.context.set_offline(True)
        ben.locator("#user-status").select_option("away")
        dialog = ben.locator(".webconferencing-dialog.error")
        expect(dialog.locator(".title")).to_have_text("Statut inchangé")
        expect(dialog.locator(".webconferencing-dialog-message")).to_have_text(NO_ANSWER)
    finally:
        ben.context.close()
