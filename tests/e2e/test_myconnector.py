"""The template connector (extensions/myconnector) in two browsers: call windows, ringing, Do Not Disturb, the
admin settings form and the admin switch."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .harness import ROOT, running_server, signed_in_page, wait_provider_ready

TYPE = "myconnector"
# The product's connectors, besides the harness's test connector (switched off: its button would be one more)
PRODUCT_EXTENSIONS = f"exo.extensions.dirs={ROOT / 'extensions'}"


@pytest.fixture(scope="module")
def mc_server(tmp_path_factory):
    """Only My Connector on, so its button is the single one on every page."""
    with running_server(tmp_path_factory.mktemp("myconnector-server"), PRODUCT_EXTENSIONS,
                        "webconferencing.testcall.active=false",
                        "webconferencing.webrtc.active=false") as running:
        yield running


# The window's leave arrives well before the server's grace period (10 s) would take the user out: waiting up to 8 s
# still tells the two apart, and leaves room for a loaded machine
LEFT_ON_CLOSE_MS = 8000


def open_pages(browser, server, callee: str, caller: str = "john"):
    callee_page = signed_in_page(browser, server.base_url, callee, "/portal/people")
    caller_page = signed_in_page(browser, server.base_url, caller, f"/portal/profile/{callee}")
    wait_provider_ready(callee_page, TYPE)
    wait_provider_ready(caller_page, TYPE)
    return caller_page, callee_page


def place_call(caller, callee_id: str, call_id: str):
    """Click the My Call button: the call window opens at once (in the click), then shows the call's page."""
    with caller.expect_popup() as popup:
        caller.locator(f".webconferencing-call[data-user-id={callee_id}] .myConnectorAction").click()
    window = popup.value
    window.wait_for_url(f"**/myconnector/call/{call_id}")
    return window


def call_state(page, call_id: str):
    return page.evaluate("id => webConferencing.getCall(id).then(call => call.state, err => err.code)", call_id)


def test_the_callee_is_rung_and_both_call_windows_show_the_call_until_one_hangs_up(mc_server, browser):
    john, mary = open_pages(browser, mc_server, "mary")
    try:
        john_window = place_call(john, "mary", "p/john-mary")
        expect(john_window.locator(".myconnector-call")).to_have_attribute("data-call-state", "joined")

        ringing = mary.locator(".myconnector-incoming[data-call-id='p/john-mary']")
        expect(ringing).to_contain_text("John Smith is calling you")
        expect(ringing).to_have_attribute("data-ring", "true")
        expect(mary.locator(".webconferencing-notice")).to_contain_text("John Smith is calling you")
        with mary.expect_popup() as popup:
            ringing.locator("button.accept").click()
        mary_window = popup.value
        expect(ringing).to_have_count(0)
        expect(mary_window.locator(".myconnector-call")).to_have_attribute("data-call-state", "joined")
        for window in (john_window, mary_window):
            expect(window.locator(".myconnector-participants li[data-user-id=mary]")).to_have_attribute(
                "data-state", "joined")
            expect(window.locator(".myconnector-participants li[data-user-id=john]")).to_have_attribute(
                "data-state", "joined")

        mary_window.locator(".myconnector-hangup").click()
        expect(john_window.locator(".myconnector-call")).to_have_attribute("data-call-state", "stopped")
        expect(john_window.locator(".myconnector-call-status")).to_have_text("Mary Williams hung up")
        assert call_state(john, "p/john-mary") == "NOT_FOUND_ERROR"
    finally:
        john.context.close()
        mary.context.close()


def accept_in_window(callee, call_id: str):
    """The callee accepts the ringing call; the call window it opens."""
    with callee.expect_popup() as popup:
        callee.locator(f".myconnector-incoming[data-call-id='{call_id}'] button.accept").click()
    return popup.value


def test_closing_the_call_window_leaves_the_call(mc_server, browser):
    john, mary = open_pages(browser, mc_server, "mary")
    try:
        john_window = place_call(john, "mary", "p/john-mary")
        mary_window = accept_in_window(mary, "p/john-mary")
        expect(john_window.locator(".myconnector-participants li[data-user-id=mary]")).to_have_attribute(
            "data-state", "joined")
        mary_window.close()
        expect(john_window.locator(".myconnector-call")).to_have_attribute("data-call-state", "stopped",
                                                                           timeout=LEFT_ON_CLOSE_MS)
    finally:
        john.context.close()
        mary.context.close()


def test_closing_the_call_window_while_its_join_is_on_the_way_still_leaves_the_call(mc_server, browser):
    # the window closed between sending its join and reading the answer left nothing behind to leave: the callee
    # stayed in the call for the whole grace period (10 s)
    john, mary = open_pages(browser, mc_server, "mary")
    try:
        john_window = place_call(john, "mary", "p/john-mary")
        mary_window = accept_in_window(mary, "p/john-mary")
        socket = mary_window.wait_for_event("websocket")
        socket.wait_for_event("framesent", predicate=lambda frame: '"joined"' in str(frame))
        mary_window.close()
        try:
            expect(john_window.locator(".myconnector-call")).to_have_attribute("data-call-state", "stopped",
                                                                               timeout=LEFT_ON_CLOSE_MS)
        except AssertionError as failed:  # seen once in ~20 runs, not understood yet: what the server did
            calls = "\n".join(line for line in mc_server.lines if "p/john-mary" in line or " of mary:" in line)
            raise AssertionError(f"{failed}\nserver log of the call and of mary's tabs:\n{calls[-6000:]}") from None
    finally:
        john.context.close()
        mary.context.close()


def test_a_user_in_do_not_disturb_gets_the_dialog_without_ring_and_can_decline(mc_server, browser):
    john, jack = open_pages(browser, mc_server, "jack")  # jack's status is donotdisturb in the demo org
    try:
        john_window = place_call(john, "jack", "p/jack-john")
        dialog = jack.locator(".myconnector-incoming[data-call-id='p/jack-john']")
        expect(dialog).to_have_attribute("data-ring", "false")
        expect(jack.locator(".webconferencing-notice")).to_have_count(0)
        dialog.locator("button.decline").click()
        expect(john_window.locator(".myconnector-call")).to_have_attribute("data-call-state", "stopped")
        expect(john_window.locator(".myconnector-call-status")).to_have_text(re.compile(r"^Jack .* declined$"))
        assert call_state(john, "p/jack-john") == "NOT_FOUND_ERROR"
    finally:
        john.context.close()
        jack.context.close()


def test_the_settings_form_on_the_admin_page_saves_through_rest(mc_server, browser):
    john = signed_in_page(browser, mc_server.base_url, "john", "/portal/admin")
    try:
        john.locator(f"tr[data-provider={TYPE}] .provider-settings").click()
        form = john.locator("#myconnector-settings-popup .settingsForm")
        expect(form.locator("input[name=clientId]")).to_have_value("myClientId")
        form.locator("input[name=clientId]").fill("acme 42")
        form.locator("button[type=submit]").click()
        expect(form.locator(".myconnector-settings-error")).to_contain_text("clientId")  # one word only

        form.locator("input[name=clientId]").fill("acme-42")
        form.locator("button[type=submit]").click()
        expect(john.locator("#myconnector-settings-popup")).to_be_hidden()
        saved = john.evaluate("() => webConferencing.rest('GET', '/provider/myconnector/configuration')")
        assert saved["clientId"] == "acme-42"
        john.reload()
        john.locator(f"tr[data-provider={TYPE}] .provider-settings").click()
        expect(john.locator("#myconnector-settings-popup input[name=clientId]")).to_have_value("acme-42")
    finally:
        john.evaluate("() => webConferencing.rest('POST', '/provider/myconnector/configuration', "
                      "{clientId: 'myClientId'})")
        john.context.close()


def test_a_provider_switched_off_by_an_admin_has_no_button_and_no_call_window(mc_server, browser):
    john = signed_in_page(browser, mc_server.base_url, "john", "/portal/admin")
    mary = signed_in_page(browser, mc_server.base_url, "mary", "/portal/profile/john")
    try:
        expect(mary.locator(".webconferencing-call[data-user-id=john] .myConnectorAction")).to_be_visible()
        john.locator(f"tr[data-provider={TYPE}] label.switch").filter(has=john.locator(".provider-active")).click()
        expect(john.locator(f"tr[data-provider={TYPE}]")).to_have_class("inactive")
        mary.reload()
        mary.evaluate("() => webConferencing.update()")
        expect(mary.locator(".webconferencing-call[data-user-id=john]")).to_have_class("webconferencing-call empty")
        assert mary.evaluate("() => webConferencing.findProvider('myconnector')") is None
        response = mary.request.get("/myconnector/call/p/john-mary")
        assert response.status == 404
    finally:
        john.evaluate("() => webConferencing.rest('POST', '/provider/myconnector/configuration', {active: true})")
        john.context.close()
        mary.context.close()


JOIN_SPACE_CALL = """() => webConferencing.addCall("g/product_team", {owner: "product_team", ownerType: "space",
    provider: "myconnector", title: "Team", participants: "mary;john"})
  .then(() => webConferencing.updateUserCall("g/product_team", "joined"))"""


def test_a_callee_in_another_call_gets_a_waiting_call_and_the_caller_is_told(mc_server, browser):
    john, mary = open_pages(browser, mc_server, "mary")
    try:
        mary.evaluate(JOIN_SPACE_CALL)
        assert mary.evaluate("() => webConferencing.getUserStatus('mary').then(s => s.status)") == "incall"
        # john is rung for the space call too; the incoming-call dialog is modal: he declines it (Escape) first
        expect(john.locator(".myconnector-incoming[data-call-id='g/product_team']")).to_have_count(1)
        john.keyboard.press("Escape")
        john_window = place_call(john, "mary", "p/john-mary")
        expect(john.locator(".webconferencing-notice", has_text="Mary Williams is in another call")).to_have_count(1)
        waiting = mary.locator(".myconnector-incoming[data-call-id='p/john-mary']")
        expect(waiting).to_have_attribute("data-ring", "false")
        john_window.close()
    finally:
        mary.evaluate("() => webConferencing.updateUserCall('g/product_team', 'stopped').catch(() => null)")
        john.context.close()
        mary.context.close()


START_SPACE_CALL = """() => webConferencing.findOrAddCall("g/product_team", {owner: "product_team",
    ownerType: "space", provider: "myconnector", title: "Team", participants: "john;mary"})
  .then(() => webConferencing.updateUserCall("g/product_team", "joined"))"""


def test_declining_on_one_tab_stops_the_ringing_on_every_tab_and_the_group_call_goes_on(mc_server, browser):
    john = signed_in_page(browser, mc_server.base_url, "john", "/portal/people")
    mary = signed_in_page(browser, mc_server.base_url, "mary", "/portal/people")
    mary_other_tab = mary.context.new_page()
    mary_other_tab.goto(f"{mc_server.base_url}/portal/spaces")
    for page in (john, mary, mary_other_tab):
        wait_provider_ready(page, TYPE)
    try:
        john.evaluate(START_SPACE_CALL)
        dialogs = [page.locator(".myconnector-incoming[data-call-id='g/product_team']")
                   for page in (mary, mary_other_tab)]
        for dialog in dialogs:
            expect(dialog).to_have_count(1)
        dialogs[0].locator("button.decline").click()
        for dialog in dialogs:
            expect(dialog).to_have_count(0)
        assert call_state(john, "g/product_team") == "started"
        mary.reload()
        wait_provider_ready(mary, TYPE)
        expect(mary.locator(".myconnector-incoming")).to_have_count(0)  # a declined call does not ring again
    finally:
        john.evaluate("() => webConferencing.updateUserCall('g/product_team', 'stopped').catch(() => null)")
        john.context.close()
        mary.context.close()
