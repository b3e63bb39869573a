"""Expiring TURN credentials for coturn's REST-auth (draft-uberti-behave-turn-rest): ``<expiry>:<user>`` and
base64(HMAC-SHA1(shared secret, username)), handed to the signed-in user only."""
from __future__ import annotations

import importlib
import sys

import pytest

from exo_container import ConfigurationError, boot

from .conftest import REST, ROOT

# the extension's package, importable as the kernel makes it when it loads the extension folder
if str(ROOT / "extensions" / "webrtc") not in sys.path:
    sys.path.append(str(ROOT / "extensions" / "webrtc"))
turn_module = importlib.import_module("webrtc.turn")
TurnConfigurationError, TurnCredentials, credential = (turn_module.TurnConfigurationError,
                                                        turn_module.TurnCredentials, turn_module.credential)

SECRET = "coturn-shared-secret"
TURN = {"webconferencing.webrtc.turn.secret": SECRET,
        "webconferencing.webrtc.turn.urls": "turn:turn.example.org:3478?transport=udp, turns:turn.example.org:5349",
        "webconferencing.webrtc.turn.ttl": "3600"}


@pytest.fixture
def webrtc_extensions(tmp_path):
    folder = tmp_path / "extensions"
    folder.mkdir()
    (folder / "webrtc").symlink_to(ROOT / "extensions" / "webrtc", target_is_directory=True)
    return folder


def test_the_credential_is_the_base64_hmac_sha1_of_the_username_keyed_by_the_secret():
    # expected value computed with: printf 1700086400:alice | openssl dgst -sha1 -hmac coturn-shared-secret -binary
    # | base64
    assert credential(SECRET, "1700086400:alice") == "BptBXEECUc4aF1huCrjGND+FqW4="


def test_the_username_is_the_expiry_in_unix_seconds_then_the_user():
    turn = TurnCredentials(SECRET, ("turn:turn.example.org",), ttl_seconds=86400, clock=lambda: 1700000000.7)

    server = turn.ice_server("alice")

    assert server == {"urls": ["turn:turn.example.org"], "username": "1700086400:alice",
                      "credential": "BptBXEECUc4aF1huCrjGND+FqW4="}


def test_credentials_asked_later_expire_later():
    now = [1700000000.0]
    turn = TurnCredentials(SECRET, ("turn:turn.example.org",), ttl_seconds=600, clock=lambda: now[0])
    first = turn.ice_server("alice")
    now[0] += 30

    second = turn.ice_server("alice")

    assert (first["username"], second["username"]) == ("1700000600:alice", "1700000630:alice")
    assert first["credential"] != second["credential"]


def test_a_secret_without_turn_urls_is_refused():
    with pytest.raises(TurnConfigurationError, match="no turn: URL"):
        TurnCredentials(SECRET, ())


def test_with_a_secret_the_settings_point_at_the_credentials_url_and_hold_no_turn_password(make_app,
                                                                                           webrtc_extensions):
    client = make_app(webrtc_extensions, **TURN).test_client()
    client.post(f"{REST}/auth/login", json={"username": "mary", "password": "gtn"})
    settings = client.get(f"{REST}/providers").get_json()

    webrtc = next(p for p in settings if p["type"] == "webrtc")

    assert webrtc["iceServersUrl"] == f"{REST}/webrtc/iceservers"
    assert webrtc["iceServers"] == []


def test_a_signed_in_user_gets_turn_credentials_for_their_own_name(make_app, webrtc_extensions):
    client = make_app(webrtc_extensions, **TURN).test_client()
    client.post(f"{REST}/auth/login", json={"username": "mary", "password": "gtn"})

    answer = client.get(f"{REST}/webrtc/iceservers")

    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"
    [turn] = answer.get_json()["iceServers"]
    expiry, user = turn["username"].split(":")
    assert user == "mary" and int(expiry) > 0
    assert turn["urls"] == ["turn:turn.example.org:3478?transport=udp", "turns:turn.example.org:5349"]
    assert turn["credential"] == credential(SECRET, turn["username"])


def test_an_anonymous_visitor_gets_no_turn_credentials(make_app, webrtc_extensions):
    answer = make_app(webrtc_extensions, **TURN).test_client().get(f"{REST}/webrtc/iceservers")

    assert answer.status_code == 401


def test_a_static_turn_server_beside_the_shared_secret_fails_the_boot(tmp_path, webrtc_extensions):
    static = '[{"urls": "turn:old.example.org", "username": "u", "credential": "p"}]'
    properties = {"webconferencing.db.url": f"sqlite:///{tmp_path / 'wc.db'}", **TURN,
                  "webconferencing.webrtc.iceServers": static}

    with pytest.raises(ConfigurationError, match="webconferencing.webrtc.turn.secret"):
        boot(ROOT / "configuration.xml", extensions_dirs=[webrtc_extensions], environ={}, strict=True,
             system_properties=properties).dispose()
