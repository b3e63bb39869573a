"""A logout closes the websockets of the session it ends at once (code 1008), in every process, instead of at their
next session check a ping interval later (webconferencing/web/session_sockets.py). The servers here check sessions
only every 300 s, so a socket closed within seconds was closed by the logout itself."""
from __future__ import annotations

import json
import time

import pytest
import requests
import websocket

from tests.redis_server import REDIS_SERVER, RedisProcess

from .harness import PASSWORD, REST, OpenApi, Server, Tab, User

SLOW_PING = {"webconferencing.ws.ping.seconds": "300"}
SESSION_ENDED = 1008


def close_code(tab: Tab, within: float = 10.0) -> int | None:
    """Read the socket until the server closes it: the close code (None if it stays open ``within`` seconds)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        tab.ws.settimeout(max(0.1, deadline - time.monotonic()))
        try:
            opcode, frame = tab.ws.recv_data_frame(True)
        except websocket.WebSocketTimeoutException:
            return None
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            return int.from_bytes(frame.data[:2], "big")
        if opcode == websocket.ABNF.OPCODE_TEXT and json.loads(frame.data).get("type") == "ping":
            tab.send({"type": "pong"})
    return None


def signed_in(server: Server, user_id: str) -> User:
    return User(server, OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json()), user_id)


def tab_on(server: Server, user: User) -> Tab:
    """A tab of ``user``'s browser session whose websocket goes to ``server`` (any process of the cluster)."""
    tab = Tab(websocket.create_connection(server.ws_url, cookie=user.cookie_header, timeout=5), user.id)
    tab.handshake()
    return tab


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = Server(tmp_path_factory.mktemp("logout"), properties=SLOW_PING).start()
    yield running
    running.stop()


def test_a_logout_closes_the_sessions_other_websockets_at_once(server):
    mary = signed_in(server, "mary")
    tabs = [mary.tab(), mary.tab()]

    assert mary.post("/auth/logout").status_code == 204

    assert [close_code(tab) for tab in tabs] == [SESSION_ENDED, SESSION_ENDED]


def test_a_logout_leaves_the_same_users_other_sessions_connected(server):
    laptop, phone = signed_in(server, "john"), signed_in(server, "john")
    on_phone = phone.tab()

    assert laptop.post("/auth/logout").status_code == 204

    assert close_code(on_phone, within=2.0) is None
    assert on_phone.call("get_calls_state")["type"] == "result"


def test_revoking_a_bearer_token_closes_its_websockets_at_once(server):
    token = requests.post(f"{server.base}{REST}/auth/token", json={"username": "bob", "password": PASSWORD},
                          timeout=5).json()["token"]
    tab = Tab(websocket.create_connection(server.ws_url, header=[f"Authorization: Bearer {token}"], timeout=5),
              "bob")
    tab.handshake()

    revoked = requests.post(f"{server.base}{REST}/auth/logout", headers={"Authorization": f"Bearer {token}"},
                            timeout=5)

    assert revoked.status_code == 204
    assert close_code(tab) == SESSION_ENDED


def test_a_logout_on_one_process_closes_the_sessions_websockets_on_another(tmp_path):
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server): cross-process logout untested")
    (tmp_path / "redis").mkdir()
    redis = RedisProcess(tmp_path / "redis").start()
    properties = {**SLOW_PING, "webconferencing.broker": redis.url}
    first = Server(tmp_path / "shared", properties=properties).start()
    second = Server(tmp_path / "shared", properties=properties).start()
    try:
        mary = signed_in(first, "mary")
        elsewhere = tab_on(second, mary)

        assert mary.post("/auth/logout").status_code == 204

        assert close_code(elsewhere) == SESSION_ENDED
    finally:
        second.stop()
        first.stop()
        redis.stop()
