"""A signed-in page survives a server restart: the exo-server process is killed, as by a crash, and a new one starts
on the same port with the same SQLite file and session secret (kept in exo.data.dir). The page's module reconnects
with backoff, handshakes again with its clientId, subscribes its channels again and sends what was published while
it was down.

One restart serves every test here; the fixture records what happened and each test checks one behaviour of it.
"""
from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .harness import running_server, signed_in_page, wait_provider_ready

GROUP_CALL = "g/product_team"  # john and mary are members of the space: both may use its call channel
NOTE = {"note": "published while disconnected"}
RECONNECT_MS = 30000  # the backoff reaches several seconds during a restart: wait generously
FAILED_ATTEMPTS = 3  # the server stays down until the page failed this many times in a row
# Records every websocket the page opens (its first connection and each reconnection attempt): when it was created,
# whether it opened and whether it closed. The sockets themselves are the browser's own.
RECORD_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.sockets = [];
  window.WebSocket = function(url, protocols) {
    const socket = protocols === undefined ? new Native(url) : new Native(url, protocols);
    const record = {createdMs: performance.now(), opened: false, closed: false};
    window.sockets.push(record);
    socket.addEventListener("open", () => { record.opened = true; });
    socket.addEventListener("close", () => { record.closed = true; });
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  window.failedInARow = () => {
    let count = 0;
    for (let i = window.sockets.length - 1; i >= 0 && !window.sockets[i].opened; i--) {
      count += window.sockets[i].closed ? 1 : 0;
    }
    return count;
  };
})();
"""


@dataclass
class Restart:
    john: object  # page of the user who publishes while disconnected and calls after the restart
    mary: object  # page of the user who receives
    client_id_before: str
    client_id_after: str
    sockets: list[dict]
    publish_outcome: str


def connected(page) -> None:
    page.wait_for_function("() => webConferencing.isConnected()", timeout=RECONNECT_MS)


def disconnected(page) -> None:
    page.wait_for_function("() => !webConferencing.isConnected()", timeout=RECONNECT_MS)


@pytest.fixture(scope="module")
def restart(tmp_path_factory, browser):
    data_dir = tmp_path_factory.mktemp("restart-server")
    with running_server(data_dir) as first:
        port = urlsplit(first.base_url).port
        john = signed_in_page(browser, first.base_url, "john", "/portal/people")
        wait_provider_ready(john)
        john.evaluate("""id => webConferencing.addCall(id, {owner: "product_team", ownerType: "space",
                             provider: "testcall", title: "Product Team", participants: ["john", "mary"]})""",
                      GROUP_CALL)
        mary = signed_in_page(browser, first.base_url, "mary", "/portal/people")
        mary.context.add_init_script(RECORD_SOCKETS)
        mary.reload()
        wait_provider_ready(mary)
        mary.evaluate("""id => new Promise((resolve, reject) => {
            window.callUpdates = [];
            webConferencing.onCallUpdate(id, data => window.callUpdates.push(data), reject, resolve);
        })""", GROUP_CALL)
        connected(mary)
        client_id_before = mary.evaluate("webConferencing.getClientId()")

        first.kill()
        disconnected(mary)
        disconnected(john)
        mary.wait_for_function("n => window.failedInARow() >= n", arg=FAILED_ATTEMPTS, timeout=RECONNECT_MS)
        # john stays off the network until mary is back on her channels, so the queued publish cannot overtake her
        john.context.set_offline(True)
        john.evaluate("""([id, data]) => {
            window.publishOutcome = null;
            webConferencing.toCallUpdate(id, data).then(() => { window.publishOutcome = "acknowledged"; },
                                                        err => { window.publishOutcome = err.code; });
        }""", [GROUP_CALL, NOTE])

        with running_server(data_dir, port=port) as second:
            connected(mary)
            # answered after the renewed subscriptions: the server reads one connection's frames in order
            mary.evaluate("id => webConferencing.getCall(id)", GROUP_CALL)
            john.context.set_offline(False)
            connected(john)
            mary.wait_for_function("() => window.callUpdates.length > 0", timeout=RECONNECT_MS)
            john.wait_for_function("() => window.publishOutcome !== null", timeout=RECONNECT_MS)
            try:
                yield Restart(
                    john=john,
                    mary=mary,
                    client_id_before=client_id_before,
                    client_id_after=mary.evaluate("webConferencing.getClientId()"),
                    sockets=mary.evaluate("window.sockets"),
                    publish_outcome=john.evaluate("window.publishOutcome"),
                )
            finally:
                assert second.process.poll() is None, "the restarted server died"
                john.context.close()
                mary.context.close()


def test_reconnection_attempts_back_off_while_the_server_is_down(restart):
    *_, last_drop = (i for i, socket in enumerate(restart.sockets[:-1]) if socket["opened"])
    attempts = [socket["createdMs"] for socket in restart.sockets[last_drop + 1:]]  # failures, then the success
    gaps = [later - earlier for earlier, later in zip(attempts, attempts[1:])]
    assert len(gaps) >= FAILED_ATTEMPTS, f"attempts at {attempts}"
    assert all(gap > 200 for gap in gaps), f"attempts without a wait: {gaps}"
    # each wait is drawn from [d, 2d] with d doubling per attempt: three waits on, it is at least twice the first
    assert gaps[-1] > 1.5 * gaps[0], f"the waits between attempts did not grow: {gaps}"
    assert restart.sockets[-1]["opened"] and not restart.sockets[-1]["closed"]


def test_the_page_handshakes_again_with_the_same_client_id(restart):
    assert restart.client_id_after == restart.client_id_before


def test_an_incoming_call_placed_after_the_restart_reaches_the_page(restart):
    restart.john.locator(".person[data-user=mary] .testcall-button").click()
    ringing = restart.mary.locator(".testcall-incoming[data-call-id='p/john-mary']")
    expect(ringing).to_contain_text("John Smith is calling you", timeout=15000)


def test_a_call_update_published_while_disconnected_is_delivered_after_reconnection(restart):
    assert restart.mary.evaluate("window.callUpdates") == [NOTE]
    assert restart.publish_outcome == "acknowledged"


# Keeps the page's websockets reachable, and can hold its reconnection attempts back (they go to a closed port) while
# window.holdSockets is true: the page is "away" for a moment, as with a flaky network.
HOLD_SOCKETS = """
(() => {
  const Native = window.WebSocket;
  window.liveSockets = [];
  window.holdSockets = false;
  window.WebSocket = function(url, protocols) {
    const target = window.holdSockets ? "ws://127.0.0.1:9/held" : url;
    const socket = protocols === undefined ? new Native(target) : new Native(target, protocols);
    window.liveSockets.push(socket);
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
})();
"""


def test_an_incoming_call_placed_while_the_page_was_away_arrives_once_after_it_reconnects(tmp_path, browser):
    with running_server(tmp_path) as server:
        mary = signed_in_page(browser, server.base_url, "mary", "/portal/people")
        mary.context.add_init_script(HOLD_SOCKETS)
        mary.reload()
        wait_provider_ready(mary)
        mary.evaluate("""() => new Promise((resolve, reject) => {
            window.userUpdates = [];
            webConferencing.onUserUpdate("mary", data => window.userUpdates.push(data), reject, resolve);
        })""")
        connected(mary)
        client_id = mary.evaluate("webConferencing.getClientId()")
        john = signed_in_page(browser, server.base_url, "john", "/portal/people")
        wait_provider_ready(john)

        mary.evaluate("() => { window.holdSockets = true; window.liveSockets.forEach(s => s.close()); }")
        disconnected(mary)
        john.evaluate("""() => webConferencing.addCall("p/john-mary", {owner: "john", ownerType: "user",
                             provider: "testcall", participants: ["john", "mary"]})""")
        mary.evaluate("() => { window.holdSockets = false; }")
        connected(mary)
        mary.wait_for_function("() => window.userUpdates.some(u => u.callId === 'p/john-mary')",
                               timeout=RECONNECT_MS)
        mary.evaluate("() => webConferencing.getCall('p/john-mary')")  # answered after any replayed frame

        incoming = mary.evaluate("""() => window.userUpdates.filter(u => u.callId === 'p/john-mary'
                                                                   && u.callState === 'started').length""")
        assert incoming == 1
        assert mary.evaluate("webConferencing.getClientId()") == client_id
        expect(mary.locator(".testcall-incoming[data-call-id='p/john-mary']")).to_contain_text(
            "John Smith is calling you", timeout=15000)
        john.context.close()
        mary.context.close()
