"""A server's log lines with ``exo.server.log.format=json``: one JSON object per line, gunicorn's own included;
after the handshake every line of a websocket names its tab (client id), user and request id (the upgrade's)."""
from __future__ import annotations

import json

import pytest
import requests

from tests.web.harness import REST, OpenApi, Server, User


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = Server(tmp_path_factory.mktemp("json-logs"), properties={"exo.server.log.format": "json"}).start()
    yield server
    server.stop()


def entries(server: Server) -> list[dict]:
    return [json.loads(line) for line in server.log().splitlines() if line.startswith("{")]


def test_the_lines_of_a_websocket_carry_its_client_id_user_and_request_id(server):
    user = User(server, OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json()), "mary")
    tab = user.tab()
    tab.close()  # the tab drops: the hub logs its state change from the socket's own greenlet

    server.wait_for_log(rf"{tab.client_id}[^\n]*connected -> ")
    [dropped] = [e for e in entries(server) if "connected -> " in e["message"] and tab.client_id in e["message"]
                 and e.get("client_id")]
    assert (dropped["client_id"], dropped["user"]) == (tab.client_id, "mary")
    assert dropped["request_id"]


def test_every_line_of_the_output_is_json_gunicorns_and_the_ready_line_included(server):
    lines = [line for line in server.log().splitlines() if line.strip()]

    assert all(line.startswith("{") and line.endswith("}") for line in lines), [l for l in lines if l[:1] != "{"]
    loggers = {e["logger"] for e in entries(server)}
    assert {"gunicorn.error", "exo-server"} <= loggers
