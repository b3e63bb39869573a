"""What a callee's page shows once it is back from a server crash (docs/protocol.md, Resume), with My Connector (the
core's incoming-call dialog and ring tone): the exo-server process is killed (-9) while a call rings, the world
changes while it is down, and a new process starts on the same port and database. The page reconnects to a process
that does not know what it missed (`resume: "refresh"`) and reloads what it shows: the dialog of a call that no
longer rings closes and its ring stops, a call that rings now gets its dialog, the missed-calls badge is the
server's. A tab that comes back to the same process gets what it missed replayed, once, even a frame lost on the way.

John's first name is a script payload: it must show as text and never run.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .harness import ROOT, running_server, signed_in_page, wait_provider_ready

TYPE = "myconnector"
DEMO_ORG = ROOT / "webconferencing" / "data" / "demo-org.json"
JOHN_FIRST = '<img src=x onerror="window.__xss=1">'
JOHN = f"{JOHN_FIRST} Smith"
PEER_CALL = "p/john-mary"
SPACE_CALL = "g/product_team"  # John and Mary are members of Product Team
RECONNECT_MS = 30000  # the backoff reaches several seconds during a restart

# Counts the ring's beeps (one oscillator each) and lets the test hold the page's websockets away from the server
# (they go to a path nothing answers while window.holdSockets is true), as a page whose network is down a while.
PAGE_SCRIPT = """(() => {
  window.__beeps = 0;
  const create = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function() { window.__beeps++; return create.call(this); };
  const Native = window.WebSocket;
  window.liveSockets = [];
  window.holdSockets = false;
  window.loseUserFrames = false;
  window.WebSocket = function(url, protocols) {
    const target = window.holdSockets ? url + "-held" : url;  // no such route: refused (same origin, for the CSP)
    const socket = protocols === undefined ? new Native(target) : new Native(target, protocols);
    window.liveSockets.push(socket);
    // while window.loseUserFrames: user-channel messages are lost on the way (a half-open connection)
    const setter = Object.getOwnPropertyDescriptor(Native.prototype, "onmessage").set;
    Object.defineProperty(socket, "onmessage", {set(handler) {
      setter.call(socket, event => {
        if (window.loseUserFrames && event.data.includes('"/webconferencing/user/')) { return; }
        handler(event);
      });
    }});
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
})();"""


def hostile_org(data_dir):
    org = json.loads(DEMO_ORG.read_text(encoding="utf-8"))
    next(u for u in org["users"] if u["id"] == "john")["firstName"] = JOHN_FIRST
    org_file = data_dir / "hostile-org.json"
    org_file.write_text(json.dumps(org), encoding="utf-8")
    return org_file


def server_args(data_dir) -> tuple[str, ...]:
    return (f"webconferencing.identity.data.file={hostile_org(data_dir)}", "webconferencing.webrtc.active=false")


def callee_page(browser, base_url: str, path: str = "/portal/people"):
    page = signed_in_page(browser, base_url, "mary", path)
    page.context.add_init_script(PAGE_SCRIPT)
    page.reload()
    wait_provider_ready(page, TYPE)
    return page


def caller_page(browser, base_url: str):
    page = signed_in_page(browser, base_url, "john")
    wait_provider_ready(page, TYPE)
    return page


def place_peer_call(page) -> None:
    page.evaluate("""id => webConferencing.addCall(id, {owner: "john", ownerType: "user", provider: "myconnector",
        participants: ["john", "mary"]}).then(() => webConferencing.updateUserCall(id, "joined"))""", PEER_CALL)


def place_space_call(page) -> None:
    page.evaluate("""id => webConferencing.findOrAddCall(id, {owner: "product_team", ownerType: "space",
        provider: "myconnector", participants: "john;mary"}).then(() => webConferencing.updateUserCall(id, "joined"))
        """, SPACE_CALL)


def dialog(page, call_id: str):
    return page.locator(f".myconnector-incoming[data-call-id='{call_id}']")


def connected(page) -> None:
    page.wait_for_function("() => webConferencing.isConnected()", timeout=RECONNECT_MS)


def disconnected(page) -> None:
    page.wait_for_function("() => !webConferencing.isConnected()", timeout=RECONNECT_MS)


def beeps(page) -> int:
    return page.evaluate("window.__beeps")


def missed_count(page) -> int:
    return int(page.locator(".topbar .missed-badge").get_attribute("data-count"))


@dataclass
class Crash:
    mary: object
    john: object
    title_before: str
    missed_before: int


@pytest.fixture(scope="module")
def crash_while_ringing(tmp_path_factory, browser):
    """Mary's page rings for John's call; the server is killed; a new one starts; John hangs up through it while
    Mary's page is still away; then her page reconnects."""
    data_dir = tmp_path_factory.mktemp("resume-server")
    args = server_args(data_dir)
    with running_server(data_dir, *args, extensions=ROOT / "extensions") as first:
        port = urlsplit(first.base_url).port
        mary = callee_page(browser, first.base_url)
        title_before = mary.title()
        missed_before = missed_count(mary)
        john = caller_page(browser, first.base_url)
        place_peer_call(john)
        expect(dialog(mary, PEER_CALL)).to_have_attribute("data-ring", "true")
        mary.wait_for_function("window.__beeps > 0")

        first.kill()
        mary.evaluate("() => { window.holdSockets = true; }")
        disconnected(mary)
        with running_server(data_dir, *args, extensions=ROOT / "extensions", port=port):
            connected(john)
            john.evaluate("id => webConferencing.updateUserCall(id, 'leaved')", PEER_CALL)  # gives up: cancelled
            mary.evaluate("() => { window.holdSockets = false; window.dispatchEvent(new Event(\"online\")); }")
            connected(mary)
            try:
                yield Crash(mary, john, title_before, missed_before)
            finally:
                john.context.close()
                mary.context.close()


def test_the_dialog_of_a_call_that_ended_while_the_server_was_down_closes_after_the_reconnection(crash_while_ringing):
    mary = crash_while_ringing.mary
    expect(dialog(mary, PEER_CALL)).to_have_count(0, timeout=15000)
    expect(mary.locator(".webconferencing-backdrop")).to_have_count(0)
    expect(mary).to_have_title(crash_while_ringing.title_before)


def test_the_ring_of_a_call_that_ended_while_the_server_was_down_stops_after_the_reconnection(crash_while_ringing):
    mary = crash_while_ringing.mary
    expect(dialog(mary, PEER_CALL)).to_have_count(0, timeout=15000)
    count = beeps(mary)
    mary.wait_for_timeout(2500)  # the ring beeps every second
    assert beeps(mary) == count


def test_the_missed_badge_counts_a_call_given_up_while_the_server_was_down(crash_while_ringing):
    badge = crash_while_ringing.mary.locator(".topbar .missed-badge")
    expect(badge).to_have_attribute("data-count", str(crash_while_ringing.missed_before + 1), timeout=15000)
    expect(badge).to_be_visible()


@pytest.fixture(scope="module")
def started_while_away(tmp_path_factory, browser):
    """Mary's page shows Product Team; the server is killed; a new one starts; John starts the space's call through
    it while her page is still away (no process keeps the event for her); then her page reconnects."""
    data_dir = tmp_path_factory.mktemp("resume-started")
    args = server_args(data_dir)
    with running_server(data_dir, *args, extensions=ROOT / "extensions") as first:
        port = urlsplit(first.base_url).port
        mary = callee_page(browser, first.base_url, "/portal/spaces/product_team")
        john = caller_page(browser, first.base_url)
        try:
            expect(mary.locator(".call-in-progress")).to_be_hidden()
            first.kill()
            mary.evaluate("() => { window.holdSockets = true; }")
            disconnected(mary)
            with running_server(data_dir, *args, extensions=ROOT / "extensions", port=port):
                connected(john)
                place_space_call(john)
                mary.evaluate("() => { window.holdSockets = false; window.dispatchEvent(new Event(\"online\")); }")
                connected(mary)
                yield mary
        finally:
            john.context.close()
            mary.context.close()


def test_a_call_placed_while_the_page_was_away_after_a_restart_rings_once_it_reconnects(started_while_away):
    mary = started_while_away
    ringing = dialog(mary, SPACE_CALL)
    expect(ringing.locator(".myconnector-incoming-caller")).to_have_text(
        f"{JOHN} is calling you in Product Team", timeout=15000)
    expect(ringing).to_have_attribute("data-ring", "true")
    expect(mary.locator(".myconnector-incoming")).to_have_count(1)
    assert mary.evaluate("window.__xss") is None


def test_the_space_banner_shows_a_call_started_while_the_page_was_away_after_a_restart(started_while_away):
    banner = started_while_away.locator(".call-in-progress")
    expect(banner).to_be_visible(timeout=15000)
    expect(banner.locator(".call-in-progress-text")).to_have_text("My Connector call in progress")


def test_an_incoming_call_whose_frame_was_lost_is_replayed_once_on_reconnection(tmp_path, browser):
    """The page's socket loses the `started` frame (it was written to a dying connection), then drops: the page
    reconnects to the same process naming the last message it processed (lastSeq), so the server sends it again."""
    with running_server(tmp_path, *server_args(tmp_path), extensions=ROOT / "extensions") as server:
        mary = callee_page(browser, server.base_url)
        john = caller_page(browser, server.base_url)
        try:
            mary.evaluate("""() => new Promise((resolve, reject) => {
                window.userUpdates = [];
                webConferencing.onUserUpdate("mary", data => window.userUpdates.push(data), reject, resolve);
            })""")
            mary.evaluate("() => { window.loseUserFrames = true; }")
            place_peer_call(john)
            john.evaluate("id => webConferencing.getCall(id)", PEER_CALL)
            mary.evaluate("() => webConferencing.getCall('p/john-mary')")  # the lost frame went out before this
            assert mary.evaluate("window.userUpdates") == []

            mary.evaluate("() => { window.loseUserFrames = false; window.liveSockets.forEach(s => s.close()); }")
            disconnected(mary)
            connected(mary)

            expect(dialog(mary, PEER_CALL).locator(".myconnector-incoming-caller")).to_have_text(
                f"{JOHN} is calling you...", timeout=15000)
            mary.evaluate("() => webConferencing.getCall('p/john-mary')")  # answered after any replayed frame
            started = mary.evaluate("""() => window.userUpdates.filter(u => u.callId === 'p/john-mary'
                                                                      && u.callState === 'started').length""")
            assert started == 1
            expect(mary.locator(".myconnector-incoming")).to_have_count(1)
            assert mary.evaluate("window.__xss") is None
        finally:
            john.context.close()
            mary.context.close()


def test_a_call_ended_while_the_server_was_down_rings_again_when_placed_anew(tmp_path, browser):
    """Mary answered John's call (My Connector's window); the server is killed; through the new one John ends the
    call while Mary's page is away, then calls her again once it is back: the page forgot the ended call (its
    `stopped` event never came), so the new ring gets its dialog."""
    args = server_args(tmp_path)
    with running_server(tmp_path, *args, extensions=ROOT / "extensions") as first:
        port = urlsplit(first.base_url).port
        mary = callee_page(browser, first.base_url)
        john = caller_page(browser, first.base_url)
        try:
            place_peer_call(john)
            with mary.expect_popup():
                dialog(mary, PEER_CALL).locator("button.accept").click()
            expect(dialog(mary, PEER_CALL)).to_have_count(0)

            first.kill()
            mary.evaluate("() => { window.holdSockets = true; }")
            disconnected(mary)
            with running_server(tmp_path, *args, extensions=ROOT / "extensions", port=port):
                connected(john)
                john.evaluate("id => webConferencing.updateUserCall(id, 'stopped')", PEER_CALL)
                mary.evaluate("() => { window.holdSockets = false; window.dispatchEvent(new Event(\"online\")); }")
                connected(mary)
                mary.evaluate("() => webConferencing.getCall('p/john-mary').catch(() => null)")  # after the refresh

                place_peer_call(john)

                expect(dialog(mary, PEER_CALL).locator(".myconnector-incoming-caller")).to_have_text(
                    f"{JOHN} is calling you...", timeout=15000)
        finally:
            john.context.close()
            mary.context.close()
