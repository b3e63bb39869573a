"""Issue 11 in chromium with My Connector: who is calling in a group call's incoming dialog, the missed call of an
abandoned group call counted live, the ring stopping on every tab of the callee when one tab answers or declines,
a new call placed without an error anywhere, and the call window's words. Mary's name and Product Team's title carry
script payloads (a hostile identity data file): they must show as text and never run."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from .harness import ROOT, running_server, signed_in_page, wait_provider_ready

TYPE = "myconnector"
DEMO_ORG = ROOT / "webconferencing" / "data" / "demo-org.json"
MARY_FIRST = '<img src=x onerror="window.__xss=1">'
MARY = f"{MARY_FIRST} Williams"
TEAM = '<img src=x onerror="window.__xss=2"> Team'
SPACE_CALL = "g/product_team"  # members john, mary, james, jack, peter, alice

# Counts the ring tone's beeps (each is one oscillator) of every page of a context.
COUNT_BEEPS = """(() => {
  window.__beeps = 0;
  const create = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function() { window.__beeps++; return create.call(this); };
})();"""


@pytest.fixture(scope="module")
def ring_server(tmp_path_factory):
    """The product's connectors with only My Connector on, and the hostile names."""
    data_dir = tmp_path_factory.mktemp("ringing-server")
    org = json.loads(DEMO_ORG.read_text(encoding="utf-8"))
    next(u for u in org["users"] if u["id"] == "mary")["firstName"] = MARY_FIRST
    next(s for s in org["spaces"] if s["prettyName"] == "product_team")["title"] = TEAM
    org_file = data_dir / "hostile-org.json"
    org_file.write_text(json.dumps(org), encoding="utf-8")
    with running_server(data_dir, f"webconferencing.identity.data.file={org_file}",
                        "webconferencing.webrtc.active=false", extensions=ROOT / "extensions") as running:
        yield running


def user_page(browser, server, user: str, path: str = "/portal/people"):
    page = signed_in_page(browser, server.base_url, user, path)
    wait_provider_ready(page, TYPE)
    return page


def start_space_call(page) -> None:
    """The page's user places Product Team's My Connector call (titled by the space) and joins it."""
    page.evaluate("""id => webConferencing.findOrAddCall(id, {owner: "product_team", ownerType: "space",
        provider: "myconnector", participants: "mary;john"}).then(() => webConferencing.updateUserCall(id, "joined"))
        """, SPACE_CALL)


def place_peer_call(page, caller: str, callee: str) -> str:
    call_id = "p/" + "-".join(sorted([caller, callee]))
    page.evaluate("""([id, caller, callee]) => webConferencing.addCall(id, {owner: caller, ownerType: "user",
        provider: "myconnector", participants: [caller, callee]})
        .then(() => webConferencing.updateUserCall(id, "joined"))""", [call_id, caller, callee])
    return call_id


def stop_call(page, call_id: str) -> None:
    page.evaluate("id => webConferencing.updateUserCall(id, 'stopped').catch(() => null)", call_id)


def assert_no_script_ran(*pages) -> None:
    for page in pages:
        assert page.evaluate("window.__xss") is None, page.url


def test_a_group_calls_dialog_says_who_is_calling_and_in_which_space(ring_server, browser):
    john = user_page(browser, ring_server, "john")
    mary = user_page(browser, ring_server, "mary")
    try:
        start_space_call(mary)

        dialog = john.locator(f".myconnector-incoming[data-call-id='{SPACE_CALL}']")
        expect(dialog.locator(".myconnector-incoming-caller")).to_have_text(f"{MARY} is calling you in {TEAM}")
        expect(john.locator(".webconferencing-notice")).to_contain_text(f"{MARY} is calling you in {TEAM}")
        assert_no_script_ran(john)
    finally:
        stop_call(mary, SPACE_CALL)
        john.context.close()
        mary.context.close()


def test_a_group_call_abandoned_before_a_member_answered_counts_at_once_in_their_missed_badge(ring_server, browser):
    john = user_page(browser, ring_server, "john")
    mary = user_page(browser, ring_server, "mary")
    try:
        badge = john.locator(".topbar .missed-badge")
        before = int(badge.get_attribute("data-count"))
        start_space_call(mary)
        dialog = john.locator(f".myconnector-incoming[data-call-id='{SPACE_CALL}']")
        expect(dialog).to_be_visible()

        mary.evaluate("id => webConferencing.updateUserCall(id, 'leaved')", SPACE_CALL)  # the last one leaves

        expect(dialog).to_have_count(0)
        expect(badge).to_have_attribute("data-count", str(before + 1))
        expect(badge).to_be_visible()
        john.reload()  # the server counts it too
        expect(john.locator(".topbar .missed-badge")).to_have_attribute("data-count", str(before + 1))
        assert_no_script_ran(john)
    finally:
        john.context.close()
        mary.context.close()


def two_ringing_tabs(browser, server, user: str):
    """Two tabs of ``user`` in one browser (same session), each counting its ring's beeps."""
    first = signed_in_page(browser, server.base_url, user)
    first.context.add_init_script(COUNT_BEEPS)
    tabs = [first.context.new_page(), first.context.new_page()]
    first.close()
    for tab in tabs:
        tab.goto("/portal/people")
        wait_provider_ready(tab, TYPE)
    return tabs


def beeps(page) -> int:
    return page.evaluate("window.__beeps")


def assert_silent(page) -> None:
    """No beep for 2.5 s (the ring beeps every second)."""
    count = beeps(page)
    page.wait_for_timeout(2500)
    assert beeps(page) == count


def test_answering_on_one_tab_closes_the_dialog_and_stops_the_ring_on_the_other(ring_server, browser):
    answering, other = two_ringing_tabs(browser, ring_server, "bob")
    title = other.title()
    root = user_page(browser, ring_server, "root")
    try:
        call_id = place_peer_call(root, "root", "bob")
        dialogs = [tab.locator(f".myconnector-incoming[data-call-id='{call_id}']") for tab in (answering, other)]
        for tab, dialog in zip((answering, other), dialogs):
            expect(dialog).to_have_attribute("data-ring", "true")
            tab.wait_for_function("window.__beeps > 0")

        with answering.expect_popup():
            dialogs[0].locator("button.accept").click()

        expect(dialogs[1]).to_have_count(0)
        expect(other.locator(".webconferencing-backdrop")).to_have_count(0)
        expect(other).to_have_title(title)
        assert_silent(other)
    finally:
        stop_call(root, "p/bob-root")
        answering.context.close()
        root.context.close()


def test_answering_a_group_call_on_one_tab_stops_the_ring_on_the_other(ring_server, browser):
    answering, other = two_ringing_tabs(browser, ring_server, "john")
    mary = user_page(browser, ring_server, "mary")
    try:
        start_space_call(mary)
        dialogs = [tab.locator(f".myconnector-incoming[data-call-id='{SPACE_CALL}']") for tab in (answering, other)]
        for tab, dialog in zip((answering, other), dialogs):
            expect(dialog).to_be_visible()
            tab.wait_for_function("window.__beeps > 0")

        with answering.expect_popup():
            answering.keyboard.press("Enter")  # the focus is on Accept

        expect(dialogs[1]).to_have_count(0)
        assert_silent(other)
        assert_no_script_ran(answering, other)
    finally:
        stop_call(mary, SPACE_CALL)
        answering.context.close()
        mary.context.close()


def test_declining_on_one_tab_closes_the_dialog_and_stops_the_ring_on_the_other(ring_server, browser):
    declining, other = two_ringing_tabs(browser, ring_server, "bob")
    root = user_page(browser, ring_server, "root")
    try:
        call_id = place_peer_call(root, "root", "bob")
        dialogs = [tab.locator(f".myconnector-incoming[data-call-id='{call_id}']") for tab in (declining, other)]
        for tab, dialog in zip((declining, other), dialogs):
            expect(dialog).to_be_visible()
            tab.wait_for_function("window.__beeps > 0")

        declining.keyboard.press("Escape")  # declines, as the Decline button does

        expect(dialogs[1]).to_have_count(0)
        expect(other.locator(".webconferencing-backdrop")).to_have_count(0)
        assert_silent(other)
    finally:
        stop_call(root, "p/bob-root")
        declining.context.close()
        root.context.close()


def test_placing_a_new_call_meets_no_error_in_the_console_the_network_or_the_websocket(ring_server, browser):
    john = user_page(browser, ring_server, "john", "/portal/profile/bob")
    bob = user_page(browser, ring_server, "bob")
    problems: list[str] = []

    def watch(page):
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
        page.on("websocket", lambda ws: ws.on(
            "framereceived", lambda frame: problems.append(f"websocket {frame}")
            if '"type": "error"' in str(frame) or '"type":"error"' in str(frame) else None))

    watch(john)
    john.context.on("page", watch)
    john.reload()  # its websocket opens again, watched
    wait_provider_ready(john, TYPE)
    try:
        with john.expect_popup() as popup:
            john.locator(".webconferencing-call[data-user-id=bob] .myConnectorAction").click()
        window = popup.value
        window.wait_for_url("**/myconnector/call/p/bob-john")
        expect(window.locator(".myconnector-call")).to_have_attribute("data-call-state", "joined")
        expect(bob.locator(".myconnector-incoming[data-call-id='p/bob-john']")).to_be_visible()
        assert problems == []
    finally:
        stop_call(john, "p/bob-john")
        john.context.close()
        bob.context.close()


def test_the_call_window_says_calling_until_the_callee_answers_and_each_side_names_the_other(ring_server, browser):
    john = user_page(browser, ring_server, "john", "/portal/profile/mary")
    mary = user_page(browser, ring_server, "mary")
    try:
        with john.expect_popup() as popup:
            john.locator(".webconferencing-call[data-user-id=mary] .myConnectorAction").click()
        john_window = popup.value
        status = john_window.locator(".myconnector-call-status")
        expect(status).to_have_text(f"Calling {MARY}...")
        expect(john_window).to_have_title(f"{MARY} · My Connector")

        with mary.expect_popup() as popup:
            mary.locator(".myconnector-incoming[data-call-id='p/john-mary'] button.accept").click()
        mary_window = popup.value

        expect(status).to_have_text("In call")
        expect(mary_window.locator(".myconnector-call-status")).to_have_text("In call")
        expect(mary_window).to_have_title("John Smith · My Connector")
        expect(mary_window.locator(".myconnector-call-title")).to_have_text("John Smith")
        assert_no_script_ran(john_window, mary_window, mary)
    finally:
        stop_call(john, "p/john-mary")
        john.context.close()
        mary.context.close()


def test_a_group_call_window_waits_for_the_others_before_it_says_in_call(ring_server, browser):
    mary = user_page(browser, ring_server, "mary", "/portal/spaces/product_team")
    john = user_page(browser, ring_server, "john")
    try:
        with mary.expect_popup() as popup:
            mary.locator(".myConnectorAction").first.click()
        window = popup.value
        status = window.locator(".myconnector-call-status")
        expect(status).to_have_text("Waiting for the others to join...")
        expect(window.locator(".myconnector-call-title")).to_have_text(TEAM)

        with john.expect_popup():
            john.locator(f".myconnector-incoming[data-call-id='{SPACE_CALL}'] button.accept").click()

        expect(status).to_have_text("In call")
        assert_no_script_ran(window, mary)
    finally:
        stop_call(mary, SPACE_CALL)
        mary.context.close()
        john.context.close()


def test_a_dialog_in_the_call_window_is_a_modal_the_keyboard_cannot_leave_and_escape_closes(ring_server, browser):
    john = user_page(browser, ring_server, "john", "/portal/profile/bob")
    try:
        with john.expect_popup() as popup:
            john.locator(".webconferencing-call[data-user-id=bob] .myConnectorAction").click()
        window = popup.value
        expect(window.locator(".myconnector-call")).to_have_attribute("data-call-state", "joined")
        window.evaluate("() => { webConferencing.showError('Call failed', 'No line', 'ref-1'); }")

        dialog = window.get_by_role("alertdialog")
        expect(dialog).to_have_attribute("aria-modal", "true")
        expect(window.locator(".webconferencing-overlay")).to_be_visible()  # the backdrop behind it
        ok = dialog.locator("button.ok")
        expect(ok).to_be_focused()
        window.keyboard.press("Tab")
        expect(ok).to_be_focused()  # its only control: the focus stays in the dialog
        window.keyboard.press("Escape")
        expect(dialog).to_have_count(0)
        expect(window.locator(".myconnector-call")).to_have_attribute("data-call-state", "joined")  # still in
    finally:
        stop_call(john, "p/bob-john")
        john.context.close()
