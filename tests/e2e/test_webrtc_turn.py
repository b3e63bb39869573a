"""WebRTC with TURN credentials from the server (coturn REST auth): each call asks for its ICE servers when it starts,
so its peer connections carry a TURN entry whose user name is "<expiry>:<user>" and whose credential the server
made; the static settings the page got never hold a credential."""
from __future__ import annotations

import re

import pytest

from .harness import running_server
from .test_webrtc_call import CALL, PRODUCT_EXTENSIONS, connect, pair  # noqa: F401 (fixtures)

TURN_URL = "turn:127.0.0.1:3478"


@pytest.fixture(scope="module")
def webrtc_server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("webrtc-turn"), PRODUCT_EXTENSIONS,
                        "webconferencing.testcall.active=false", "webconferencing.myconnector.active=false",
                        "webconferencing.webrtc.turn.secret=s3cret-for-tests",
                        f"webconferencing.webrtc.turn.urls={TURN_URL}") as running:
        yield running


PEER_ICE_SERVERS = """id => webConferencing.findProvider("webrtc").getCall(id).peerConnections()
    .map(pc => pc.getConfiguration().iceServers)"""


def test_each_peer_connection_uses_the_expiring_turn_credentials_of_its_user(pair):
    john, mary = pair
    assert "credential" not in str(john.evaluate("() => webConferencing.findProvider('webrtc').settings()"))
    connect(john, mary)
    for page, user in ((john, "john"), (mary, "mary")):
        (servers,) = page.evaluate(PEER_ICE_SERVERS, CALL)
        turn = [s for s in servers if TURN_URL in (s["urls"] if isinstance(s["urls"], list) else [s["urls"]])]
        assert len(turn) == 1, servers
        assert re.fullmatch(rf"\d+:{user}", turn[0]["username"]) and turn[0]["credential"]
