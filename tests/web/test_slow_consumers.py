"""A tab that stops reading (a browser on a bad network, a frozen tab) must not hold up anybody else: every websocket
has its own bounded send queue; when it overflows, that socket alone is closed and the grace period applies."""
from __future__ import annotations

import socket
import time

import pytest
import requests
import websocket

from .harness import DEFAULT_TIMEOUT, REST, Server, Tab, User, call_channel

PROVIDER = "signal"
QUEUE_SIZE = 16
MESSAGES = 300
PAYLOAD = "x" * 48 * 1024  # 300 x 48 KiB = 14 MiB: more than the kernel buffers a stalled socket can absorb


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("slow"),
                 properties={"webconferencing.ws.send.queue.size": str(QUEUE_SIZE),
                             "webconferencing.ws.grace.seconds": "5"}).start()
    yield srv
    srv.stop()


def stalled_tab(user: User) -> Tab:
    """A tab whose socket has a tiny receive buffer; after subscribing, the test never reads from it again."""
    ws = websocket.create_connection(user.server.ws_url, cookie=user.cookie_header, timeout=DEFAULT_TIMEOUT,
                                     sockopt=((socket.SOL_SOCKET, socket.SO_RCVBUF, 4096),))
    tab = Tab(ws, user.id)
    tab.handshake()
    return tab


def joined_call(caller: Tab, callee_id: str, *tabs: Tab) -> str:
    call_id = "p/" + "-".join(sorted((caller.user_id, callee_id)))
    created = caller.call("create", callId=call_id, ownerType="user", provider=PROVIDER, title="1:1",
                          participants=[caller.user_id, callee_id])
    assert created["type"] == "result", created
    for tab in (caller, *tabs):
        assert tab.call("update", callId=call_id, state="joined")["type"] == "result"
        assert tab.subscribe(call_channel(call_id))["type"] == "ack"
    return call_id


def closed_by_server(tab: Tab, timeout: float = 10.0) -> bool:
    """Read what the server had sent until the connection ends: True if it ends (EOF, reset) within ``timeout``."""
    sock = tab.ws.sock
    sock.settimeout(timeout)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not sock.recv(1 << 20):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
    return False


@pytest.fixture
def stalled(login):
    opened: list[Tab] = []

    def open_stalled(user_id: str) -> Tab:
        opened.append(stalled_tab(login(user_id)))
        return opened[-1]

    yield open_stalled
    for tab in opened:
        tab.close()


def test_a_stalled_tab_does_not_delay_the_others_and_is_disconnected(server, login, stalled):
    publisher, healthy, stalled = login("john").tab(), login("mary").tab(), stalled("mary")
    call_id = joined_call(publisher, "mary", healthy, stalled)

    started = time.monotonic()
    for i in range(MESSAGES):
        answer = publisher.request({"type": "publish", "channel": call_channel(call_id),
                                    "data": {"seq": i, "blob": PAYLOAD}})
        assert answer["type"] == "ack", answer
        healthy_message = healthy.message(call_channel(call_id), lambda data: data["seq"] == i)
        assert healthy_message["sender"]["clientId"] == publisher.client_id
    elapsed = time.monotonic() - started

    assert elapsed < 20, f"{MESSAGES} messages took {elapsed:.1f}s to reach the healthy tab"
    server.wait_for_log(rf"Client {stalled.client_id} of mary stopped reading: {QUEUE_SIZE} frames waiting, "
                        r"closing its websocket \(1013")
    assert closed_by_server(stalled)
    publisher.send({"type": "ping", "id": "still-there"})
    assert publisher.wait_for(lambda frame: frame.get("type") == "pong")["id"] == "still-there"
    assert requests.get(f"{server.base}{REST}/openapi.json", timeout=DEFAULT_TIMEOUT).status_code == 200


def test_a_tab_cut_off_for_being_slow_keeps_its_calls_when_it_reconnects_in_time(server, login, stalled):
    peter = login("peter")
    publisher, stalled = login("jack").tab(), stalled("peter")
    call_id = joined_call(publisher, "peter", stalled)

    for i in range(MESSAGES):
        publisher.send({"type": "publish", "channel": call_channel(call_id), "data": {"seq": i, "blob": PAYLOAD}})
        if server.log().find(f"Client {stalled.client_id} of peter stopped reading") >= 0:
            break
    server.wait_for_log(rf"Client {stalled.client_id} of peter stopped reading")
    assert closed_by_server(stalled)

    back = peter.tab(stalled.client_id)
    assert back.client_id == stalled.client_id
    # the hub's transition line: the same tab is connected again (from its grace period, or before its old socket's
    # drop was even noticed), so its grace period can no longer make it leave
    server.wait_for_log(rf"client {stalled.client_id} of peter: (in grace|connected) -> connected \(reconnect")
    call = back.call("get", callId=call_id)
    assert call["type"] == "result", call
    parts = {p["id"]: (p["state"], p["clientId"]) for p in call["data"]["participants"]}
    assert parts["peter"] == ("joined", stalled.client_id)
