"""A websocket's log lines, as JSON: after the handshake every line of that socket names its tab (client id), user
and request id (the upgrade request's)."""
from __future__ import annotations

import json

import requests

from tests.web.harness import REST, OpenApi, Server, User


def test_the_lines_of_a_websocket_carry_its_client_id_user_and_request_id(tmp_path):
    server = Server(tmp_path, properties={"exo.server.log.format": "json"}).start()
    try:
        user = User(server, OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json()), "mary")
        tab = user.tab()
        tab.close()  # the tab drops: the hub logs its state change from the socket's own greenlet

        server.wait_for_log(rf"{tab.client_id}[^\n]*connected -> ")
        entries = [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]
        [dropped] = [e for e in entries if "connected -> " in e["message"] and tab.client_id in e["message"]
                     and e.get("client_id")]
        assert (dropped["client_id"], dropped["user"]) == (tab.client_id, "mary")
        assert dropped["request_id"]
    finally:
        server.stop()
