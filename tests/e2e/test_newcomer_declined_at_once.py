"""My Connector's call window when the callee declines before the window has joined (a quick "no", or a window slow
to load): the call is gone by the time its join reaches the server. The caller reads that the call has ended, not a
"Joining call failed / Not found" error dialog to acknowledge. Both names carry markup: shown as text."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import product_server, signed_in_page, wait_provider_ready, webrtc_user

HOSTILE = '<img src=x onerror="window.__xss=1">'
ORGANISATION = {"users": [
    webrtc_user("ann", "Ann", HOSTILE, ims={"myconnector": "ann"}),
    webrtc_user("ben", "Ben", HOSTILE, ims={"myconnector": "ben"}),
]}
CALL = "p/ann-ben"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with product_server(tmp_path_factory.mktemp("declined-at-once"), ORGANISATION,
                        "webconferencing.testcall.active=false") as running:
        yield running


@pytest.mark.parametrize("locale, ended", [("en-US", "The call has ended."), ("fr-FR", "L'appel est terminé.")])
def test_a_call_declined_before_the_window_joined_ends_without_an_error(server, browser, locale, ended):
    ann = signed_in_page(browser, server.base_url, "ann", "/portal/people", locale=locale)
    ben = signed_in_page(browser, server.base_url, "ben", "/portal/people")
    try:
        wait_provider_ready(ann, "myconnector")
        wait_provider_ready(ben, "myconnector")
        ann.evaluate("""id => webConferencing.addCall(id, {owner: "ann", ownerType: "user", provider: "myconnector",
            title: document.title, participants: ["ann", "ben"]})""", CALL)
        window = ann.context.new_page()
        held = []  # the window's script, held until Ben has declined: its join then finds no call
        window.route("**/myconnector-call.js*", lambda route: held.append(route))
        with window.expect_request("**/myconnector-call.js*"):
            window.goto(f"/myconnector/call/{CALL}", wait_until="commit")
        ben.locator(f".myconnector-incoming[data-call-id='{CALL}'] button.decline").click()
        ann.wait_for_function("""id => webConferencing.getCall(id).then(() => false,
            err => err.code === "NOT_FOUND_ERROR")""", arg=CALL, polling=200, timeout=10000)
        assert len(held) == 1
        held[0].continue_()

        expect(window.locator(".myconnector-call")).to_have_attribute("data-call-state", "stopped")
        expect(window.locator(".myconnector-call-status")).to_have_text(ended)
        expect(window.locator("[role=alertdialog]")).to_have_count(0)
        expect(window.locator(".myconnector-participants li[data-user-id=ben]")).to_contain_text(f"Ben {HOSTILE}")
        assert window.evaluate("window.__xss") is None
    finally:
        ann.context.close()
        ben.context.close()
