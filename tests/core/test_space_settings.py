"""Per-space video-conference settings (issue 12): who may change them, what a link may be, what members are told,
and that a space with video conferencing off takes no new calls. Real database (SQLite file and PostgreSQL)."""
from __future__ import annotations

import pytest

from webconferencing.errors import AccessDenied, IdentityNotFound, InvalidCallArgument
from webconferencing.info import group_call_id
from webconferencing.spaces import EVENT_SPACE_SETTINGS, VideoConferenceDisabled, check_meeting_url

SPACE = "product_team"  # managers: john; members: john, mary, james, jack, peter, alice
ZOOM = {"connectorId": "zoom", "name": "Zoom", "url": "https://zoom.example/j/123", "integratedConnector": False}


def test_video_conferencing_is_enabled_by_default(service):
    assert service.is_video_conference_enabled(SPACE, "mary") is True


def test_a_manager_switches_video_conferencing_off(service):
    service.update_video_conference_enabled(SPACE, "john", False)
    assert service.is_video_conference_enabled(SPACE, "mary") is False


def test_a_plain_member_cannot_switch_video_conferencing_off(service):
    with pytest.raises(AccessDenied, match="not a manager"):
        service.update_video_conference_enabled(SPACE, "mary", False)
    assert service.is_video_conference_enabled(SPACE, "mary") is True


def test_a_portal_administrator_who_is_not_a_member_may_change_the_settings(service):
    assert service.identities.get_user("root").is_admin and not service.get_space_info(SPACE).is_member("root")
    service.update_video_conference_enabled(SPACE, "root", False)
    assert service.is_video_conference_enabled(SPACE, "john") is False


def test_an_outsider_cannot_read_a_spaces_settings(service):
    with pytest.raises(AccessDenied):
        service.is_video_conference_enabled(SPACE, "paul")


def test_settings_of_an_unknown_space_are_not_found(service):
    with pytest.raises(IdentityNotFound):
        service.update_video_conference_enabled("no_such_space", "root", False)


def test_a_new_call_of_a_space_with_video_conferencing_off_is_refused(service):
    service.update_video_conference_enabled(SPACE, "john", False)
    with pytest.raises(VideoConferenceDisabled, match="switched off in space 'product_team'"):
        service.add_call(group_call_id(SPACE), SPACE, "space", None, "mycall", ["john", "mary"])


def test_switching_video_conferencing_on_again_allows_calls(service):
    service.update_video_conference_enabled(SPACE, "john", False)
    service.update_video_conference_enabled(SPACE, "john", True)
    call = service.add_call(group_call_id(SPACE), SPACE, "space", None, "mycall", ["john", "mary"])
    assert call.state == "started"


def test_another_spaces_calls_are_not_affected(service):
    service.update_video_conference_enabled(SPACE, "john", False)
    call = service.add_call(group_call_id("marketing"), "marketing", "space", None, "mycall", ["mary", "bob"])
    assert call.state == "started"


def test_active_providers_are_the_installed_active_connectors(service):
    providers = [p.to_json() for p in service.get_active_providers_for_space(SPACE, "mary")]
    assert {"connectorId": "mycall", "name": "My Call", "url": None, "integratedConnector": True} in providers
    assert all(p["integratedConnector"] for p in providers)


def test_a_manager_adds_an_external_meeting_link(service):
    service.save_active_call_provider(SPACE, "john", ZOOM)
    providers = [p.to_json() for p in service.get_active_providers_for_space(SPACE, "mary")]
    assert providers[-1] == ZOOM


def test_saving_a_link_again_changes_it_in_place(service):
    service.save_active_call_provider(SPACE, "john", ZOOM)
    service.save_active_call_provider(SPACE, "john", {**ZOOM, "connectorId": "jitsi", "name": "Jitsi",
                                                      "url": "https://meet.jit.si/team"})
    service.save_active_call_provider(SPACE, "john", {**ZOOM, "name": "Zoom room"})
    links = [p for p in service.get_active_providers_for_space(SPACE, "mary") if not p.integrated_connector]
    assert [(p.connector_id, p.name) for p in links] == [("zoom", "Zoom room"), ("jitsi", "Jitsi")]


def test_a_plain_member_cannot_add_a_link(service):
    with pytest.raises(AccessDenied):
        service.save_active_call_provider(SPACE, "mary", ZOOM)


def test_a_manager_removes_a_link(service):
    service.save_active_call_provider(SPACE, "john", ZOOM)
    service.remove_active_call_provider(SPACE, "john", "zoom")
    assert all(p.integrated_connector for p in service.get_active_providers_for_space(SPACE, "mary"))


def test_removing_an_unknown_link_is_not_found(service):
    with pytest.raises(IdentityNotFound):
        service.remove_active_call_provider(SPACE, "john", "zoom")


def test_links_belong_to_their_space(service):
    service.save_active_call_provider(SPACE, "john", ZOOM)
    assert all(p.integrated_connector for p in service.get_active_providers_for_space("marketing", "mary"))


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "/relative",
                                 "ftp://files.example/x", "https://", "http://exa mple.com", "https://x.example/a\nb"])
def test_only_http_and_https_urls_with_a_host_are_accepted(service, url):
    with pytest.raises(InvalidCallArgument, match="'url'"):
        service.save_active_call_provider(SPACE, "john", {**ZOOM, "url": url})


def test_an_https_url_with_a_port_path_and_query_is_kept_as_given():
    assert check_meeting_url("https://teams.example:8443/l/meetup?id=1&x=2") == \
        "https://teams.example:8443/l/meetup?id=1&x=2"


def test_a_link_may_not_take_an_installed_connectors_id(service):
    with pytest.raises(InvalidCallArgument, match="installed connector"):
        service.save_active_call_provider(SPACE, "john", {**ZOOM, "connectorId": "mycall"})


def test_a_space_cannot_save_an_integrated_connector(service):
    with pytest.raises(InvalidCallArgument, match="integratedConnector"):
        service.save_active_call_provider(SPACE, "john", {**ZOOM, "integratedConnector": True})


@pytest.mark.parametrize("field, value", [("connectorId", "Zoom Room"), ("connectorId", ""), ("name", ""),
                                          ("name", "x" * 101), ("name", "bad\x00name")])
def test_a_link_with_a_bad_id_or_name_is_refused_naming_the_field(service, field, value):
    with pytest.raises(InvalidCallArgument) as refused:
        service.save_active_call_provider(SPACE, "john", {**ZOOM, field: value})
    assert refused.value.field == field


def test_members_are_told_of_each_change_on_their_user_channels(service, inbox):
    box = inbox("mary", "paul")
    service.update_video_conference_enabled(SPACE, "john", False)
    events = box.events("mary")
    assert [e["eventType"] for e in events] == [EVENT_SPACE_SETTINGS]
    assert events[0]["spaceId"] == SPACE and events[0]["videoConferenceEnabled"] is False
    assert box.events("paul") == []  # not a member


def test_the_event_carries_the_spaces_providers(service, inbox):
    box = inbox("james")
    service.save_active_call_provider(SPACE, "john", ZOOM)
    assert box.events("james")[-1]["providers"][-1] == ZOOM


def test_settings_survive_a_restart(boot_core):
    first = boot_core()
    first.service.update_video_conference_enabled(SPACE, "john", False)
    first.service.save_active_call_provider(SPACE, "john", ZOOM)
    first.stop()
    second = boot_core()
    assert second.service.is_video_conference_enabled(SPACE, "mary") is False
    assert second.service.get_active_providers_for_space(SPACE, "mary")[-1].to_json() == ZOOM
