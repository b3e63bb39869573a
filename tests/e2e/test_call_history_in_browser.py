"""Issue 11 in chromium with the product's connectors: an unanswered call becomes a missed call in the top bar's
badge (live) and on the Calls page, whose "Call back" rings the other party again; the incoming-call dialog is
handled with the keyboard alone. Every call here carries a hostile title: it must show as text and never run."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import ROOT, running_server, signed_in_page, wait_provider_ready

HOSTILE = '<img src=x onerror="window.__xss=1">'
RING_SECONDS = 8  # long enough for the keyboard tests on a busy machine, short enough to wait for


@pytest.fixture(scope="module")
def ring_server(tmp_path_factory):
    """The product's connectors, calls ringing a few seconds only."""
    with running_server(tmp_path_factory.mktemp("history-server"),
                        f"webconferencing.ring.timeout.seconds={RING_SECONDS}", "webconferencing.ring.check.seconds=0.5",
                        extensions=ROOT / "extensions") as running:
        yield running


def place_call(page, caller: str, callee: str) -> str:
    """The caller's tab creates a My Connector 1:1 call with the hostile title and joins it (as its window would)."""
    call_id = "p/" + "-".join(sorted([caller, callee]))
    page.evaluate("""([id, caller, callee, title]) => webConferencing.addCall(id, {owner: caller, ownerType: "user",
        provider: "myconnector", title: title, participants: [caller, callee]})
        .then(() => webConferencing.updateUserCall(id, "joined"))""", [call_id, caller, callee, HOSTILE])
    return call_id


def end_call(page, call_id: str) -> None:
    """Stop the call for everyone, if it still runs, so the next test can place it again."""
    page.evaluate("id => webConferencing.updateUserCall(id, 'stopped').catch(() => null)", call_id)


def wait_until_declined(page, call_id: str) -> None:
    """The dialog closes at the press; the decline reaches the server a moment later: ``page``'s tab sees the call
    end (a declined 1:1 call is removed)."""
    page.wait_for_function("""id => webConferencing.getCall(id).then(() => false,
        err => err.code === "NOT_FOUND_ERROR")""", arg=call_id, polling=200, timeout=10000)


def assert_no_script_ran(page) -> None:
    assert page.evaluate("window.__xss") is None


def test_an_unanswered_call_is_counted_live_in_the_badge_then_listed_as_missed(ring_server, browser):
    mary = signed_in_page(browser, ring_server.base_url, "mary", "/portal/people")
    john = signed_in_page(browser, ring_server.base_url, "john", "/portal/people")
    try:
        wait_provider_ready(mary, "myconnector")
        badge = mary.locator(".topbar .missed-badge")
        expect(badge).to_be_hidden()

        place_call(john, "john", "mary")
        ringing = mary.locator(".myconnector-incoming[data-call-id='p/john-mary']")
        expect(ringing).to_be_visible()
        expect(ringing).to_have_count(0, timeout=RING_SECONDS * 1000 + 10_000)  # nobody answered: it stops

        expect(badge).to_have_text("1")
        expect(badge).to_be_visible()
        mary.locator(".topbar a.calls-link").click()
        entry = mary.locator(".call-entry[data-call-id='p/john-mary']").first
        expect(entry.locator(".call-title")).to_have_text(HOSTILE)
        expect(entry.locator(".call-outcome")).to_have_text("Missed")
        expect(entry).to_contain_text("Incoming")
        expect(mary.locator(".topbar .missed-badge")).to_be_hidden()  # seen: the count starts again
        assert_no_script_ran(mary)
    finally:
        mary.context.close()
        john.context.close()


def test_the_missed_calls_badge_is_the_same_on_every_page_until_seen(ring_server, browser):
    bob = signed_in_page(browser, ring_server.base_url, "bob", "/portal/calls")  # seen now
    root = signed_in_page(browser, ring_server.base_url, "root", "/portal/people")
    try:
        wait_provider_ready(bob, "myconnector")
        place_call(root, "root", "bob")
        expect(bob.locator(".myconnector-incoming")).to_have_count(1)
        expect(bob.locator(".myconnector-incoming")).to_have_count(0, timeout=RING_SECONDS * 1000 + 10_000)
        for path in ("/portal/spaces", "/portal/rooms", "/portal/profile/bob"):
            bob.goto(path)
            expect(bob.locator(".topbar .missed-badge")).to_have_text("1")
        assert_no_script_ran(bob)
    finally:
        bob.context.close()
        root.context.close()


def test_call_back_rings_the_other_party_with_the_same_provider(ring_server, browser):
    john = signed_in_page(browser, ring_server.base_url, "john", "/portal/people")
    mary = signed_in_page(browser, ring_server.base_url, "mary", "/portal/people")
    try:
        wait_provider_ready(mary, "myconnector")
        call_id = place_call(john, "john", "mary")
        ringing = mary.locator(f".myconnector-incoming[data-call-id='{call_id}']")
        ringing.locator("button.decline").click()
        expect(ringing).to_have_count(0)
        wait_until_declined(john, call_id)  # else the page may list the previous test's p/john-mary first

        john.goto("/portal/calls")
        wait_provider_ready(john, "myconnector")
        entry = john.locator(f".call-entry[data-call-id='{call_id}']").first
        expect(entry.locator(".call-outcome")).to_have_text("Declined")
        expect(entry.locator(".call-back-target[data-built]")).to_have_count(1)
        with john.context.expect_page():  # My Connector opens its call window
            entry.locator("button.call-back").click()
        expect(mary.locator(f".myconnector-incoming[data-call-id='{call_id}']")).to_be_visible()
        assert_no_script_ran(john)
    finally:
        end_call(john, "p/john-mary")
        john.context.close()
        mary.context.close()


def test_the_incoming_call_dialog_is_handled_with_the_keyboard_alone(ring_server, browser):
    bob = signed_in_page(browser, ring_server.base_url, "bob", "/portal/people")
    root = signed_in_page(browser, ring_server.base_url, "root", "/portal/people")
    try:
        wait_provider_ready(bob, "myconnector")
        place_call(root, "root", "bob")
        dialog = bob.locator(".myconnector-incoming[data-call-id='p/bob-root']")
        expect(dialog).to_have_attribute("aria-modal", "true")
        expect(dialog).to_have_attribute("role", "dialog")
        expect(bob.locator(".webconferencing-backdrop")).to_have_count(1)
        expect(dialog.locator("button.accept")).to_be_focused()
        bob.keyboard.press("Tab")
        expect(dialog.locator("button.decline")).to_be_focused()
        bob.keyboard.press("Tab")  # the focus stays in the dialog
        expect(dialog.locator("button.accept")).to_be_focused()
        bob.keyboard.press("Shift+Tab")
        expect(dialog.locator("button.decline")).to_be_focused()

        bob.keyboard.press("Escape")  # Escape declines, as the Decline button does

        expect(dialog).to_have_count(0)
        expect(bob.locator(".webconferencing-backdrop")).to_have_count(0)
        wait_until_declined(root, "p/bob-root")
        assert_no_script_ran(bob)
    finally:
        bob.context.close()
        root.context.close()


def test_enter_on_accept_answers_the_incoming_call(ring_server, browser):
    bob = signed_in_page(browser, ring_server.base_url, "bob", "/portal/people")
    root = signed_in_page(browser, ring_server.base_url, "root", "/portal/people")
    try:
        wait_provider_ready(bob, "myconnector")
        place_call(root, "root", "bob")
        dialog = bob.locator(".myconnector-incoming[data-call-id='p/bob-root']")
        expect(dialog.locator("button.accept")).to_be_focused()
        with bob.context.expect_page():  # accepting opens My Connector's call window
            bob.keyboard.press("Enter")
        expect(dialog).to_have_count(0)
    finally:
        end_call(root, "p/bob-root")
        bob.context.close()
        root.context.close()


def test_a_ringing_call_shows_in_the_tab_title_until_it_stops(ring_server, browser):
    bob = signed_in_page(browser, ring_server.base_url, "bob", "/portal/people")
    root = signed_in_page(browser, ring_server.base_url, "root", "/portal/people")
    try:
        wait_provider_ready(bob, "myconnector")
        title = bob.title()
        place_call(root, "root", "bob")
        dialog = bob.locator(".myconnector-incoming[data-call-id='p/bob-root']")
        expect(bob).to_have_title("Incoming call · " + title)
        dialog.locator("button.decline").click()
        expect(bob).to_have_title(title)
    finally:
        bob.context.close()
        root.context.close()


# Headless chromium plays audio without a gesture (it does not apply the desktop autoplay policy, and reports the page
# as activated already), so this page gets the policy's observable part back: an AudioContext made before the page's
# first click, tap or key press stays suspended, and resume() succeeds only from then on, as on a desktop browser.
AUTOPLAY_POLICY = """(() => {
  let gesture = false;
  for (const type of ["pointerdown", "keydown", "touchstart"]) {
    window.addEventListener(type, event => { gesture = gesture || event.isTrusted; }, true);
  }
  const Real = window.AudioContext;
  window.AudioContext = class extends Real {
    constructor(...args) { super(...args); this.held = !gesture; }
    get state() { return this.held ? "suspended" : super.state; }
    resume() {
      if (this.held && gesture) {
        this.held = false;
        this.dispatchEvent(new Event("statechange"));
      }
      return this.held ? Promise.reject(new DOMException("autoplay", "NotAllowedError")) : super.resume();
    }
  };
})();"""


def test_a_ring_the_browser_blocks_is_shown_until_a_gesture_lets_it_sound(ring_server, browser):
    signed_in = signed_in_page(browser, ring_server.base_url, "bob", "/portal/people")
    signed_in.context.add_init_script(AUTOPLAY_POLICY)
    bob = signed_in.context.new_page()  # a page nobody has clicked on yet
    signed_in.close()
    bob.goto("/portal/people")
    root = signed_in_page(browser, ring_server.base_url, "root", "/portal/people")
    try:
        wait_provider_ready(bob, "myconnector")
        place_call(root, "root", "bob")
        dialog = bob.locator(".myconnector-incoming[data-call-id='p/bob-root']")
        hint = dialog.locator(".webconferencing-ring-blocked")
        expect(hint).to_be_visible()
        expect(hint).to_contain_text("Incoming call")

        bob.mouse.click(5, 5)  # any gesture on the page resumes the audio: the ring sounds, the hint goes

        expect(hint).to_have_count(0)
        assert bob.evaluate("() => new AudioContext().state") == "running"
        dialog.locator("button.decline").click()
    finally:
        bob.context.close()
        root.context.close()


def test_a_call_its_caller_gives_up_is_counted_as_missed_at_once(ring_server, browser):
    mary = signed_in_page(browser, ring_server.base_url, "mary", "/portal/people")
    john = signed_in_page(browser, ring_server.base_url, "john", "/portal/people")
    try:
        wait_provider_ready(mary, "myconnector")
        badge = mary.locator(".topbar .missed-badge")
        before = int(badge.get_attribute("data-count"))
        call_id = place_call(john, "john", "mary")
        expect(mary.locator(f".myconnector-incoming[data-call-id='{call_id}']")).to_be_visible()

        john.evaluate("id => webConferencing.updateUserCall(id, 'leaved')", call_id)  # john hangs up first

        expect(badge).to_have_attribute("data-count", str(before + 1))
        mary.reload()
        expect(mary.locator(".topbar .missed-badge")).to_have_attribute("data-count", str(before + 1))
    finally:
        mary.context.close()
        john.context.close()


def test_the_incoming_call_dialog_fits_a_390_px_screen(ring_server, browser):
    bob = signed_in_page(browser, ring_server.base_url, "bob", "/portal/people", viewport={"width": 390, "height": 844})
    root = signed_in_page(browser, ring_server.base_url, "root", "/portal/people")
    try:
        wait_provider_ready(bob, "myconnector")
        place_call(root, "root", "bob")
        dialog = bob.locator(".myconnector-incoming[data-call-id='p/bob-root']")
        expect(dialog).to_be_visible()
        box = dialog.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
        assert bob.evaluate("document.scrollingElement.scrollWidth") <= 390
        dialog.locator("button.decline").click()
    finally:
        bob.context.close()
        root.context.close()
