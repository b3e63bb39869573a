"""The WebRTC provider: STUN/TURN servers and the group size from exo.properties, checked at boot."""
from __future__ import annotations

import json

import pytest

from exo_container import ConfigurationError
from webconferencing.errors import InvalidCallArgument
from webconferencing.service import WebConferencingService

from .conftest import extensions_with

ICE = "webconferencing.webrtc.iceServers"


def webrtc(boot_product, tmp_path, **properties):
    container = boot_product(extensions_with(tmp_path, "webrtc"), **properties)
    return container.get_component_instance_of_type(WebConferencingService).get_provider("webrtc")


def test_no_ice_server_by_default_which_is_enough_on_loopback(boot_product, tmp_path):
    settings = webrtc(boot_product, tmp_path).get_settings()
    assert (settings["iceServers"], settings["maxParticipants"]) == ([], 4)


def test_a_comma_list_of_stun_urls_becomes_one_server_each(boot_product, tmp_path):
    provider = webrtc(boot_product, tmp_path, **{ICE: "stun:stun.example.org:3478, stun:stun2.example.org"})
    assert provider.get_settings()["iceServers"] == [{"urls": "stun:stun.example.org:3478"},
                                                     {"urls": "stun:stun2.example.org"}]


def test_json_servers_keep_turn_credentials_for_the_browser(boot_product, tmp_path):
    servers = [{"urls": ["turn:turn.example.org:3478", "turns:turn.example.org:5349"], "username": "u",
                "credential": "p"}]
    provider = webrtc(boot_product, tmp_path, **{ICE: json.dumps(servers)})
    assert provider.get_settings()["iceServers"] == servers


@pytest.mark.parametrize(("value", "reason"), [
    ("http://stun.example.org", "is not a stun:, stuns:, turn: or turns: URL"),
    ("turn:turn.example.org", "needs 'username' and 'credential'"),
    ('[{"urls": "stun:a", "user": "x"}]', "unknown field(s) ['user']"),
    ('[{"urls": "stun:a"', "invalid JSON"),
])
def test_a_bad_ice_server_value_fails_the_boot_naming_the_property(boot_product, tmp_path, value, reason):
    with pytest.raises(ConfigurationError) as failure:
        boot_product(extensions_with(tmp_path, "webrtc"), strict=True, **{ICE: value})
    assert ICE in str(failure.value) and reason in str(failure.value)


def test_a_group_size_out_of_range_fails_the_boot_naming_the_property(boot_product, tmp_path):
    with pytest.raises(ConfigurationError) as failure:
        boot_product(extensions_with(tmp_path, "webrtc"), strict=True,
                     **{"webconferencing.webrtc.maxParticipants": "12"})
    assert "webconferencing.webrtc.maxParticipants" in str(failure.value)


def test_an_admin_changes_the_servers_and_a_bad_value_is_refused_by_field(boot_product, tmp_path):
    provider = webrtc(boot_product, tmp_path)
    saved = provider.update_configuration({"iceServers": "stun:stun.example.org"})
    assert saved["iceServers"] == [{"urls": "stun:stun.example.org"}]
    with pytest.raises(InvalidCallArgument) as failure:
        provider.update_configuration({"iceServers": "ftp://nope"})
    assert failure.value.field == "iceServers"
    assert provider.get_settings()["iceServers"] == [{"urls": "stun:stun.example.org"}]


def test_webrtc_and_myconnector_are_switched_off_independently(boot_product, tmp_path):
    container = boot_product(extensions_with(tmp_path, "webrtc", "myconnector"),
                             **{"webconferencing.webrtc.active": "false"})
    service = container.get_component_instance_of_type(WebConferencingService)
    assert (service.get_provider("webrtc").is_active(), service.get_provider("myconnector").is_active()) == (
        False, True)
    service.get_provider("webrtc").set_active(True)
    service.get_provider("myconnector").set_active(False)
    assert (service.get_provider("webrtc").is_active(), service.get_provider("myconnector").is_active()) == (
        True, False)
