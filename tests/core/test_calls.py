"""The rules of calls, driven through a container booted from XML on a SQLite file."""
from __future__ import annotations

import logging

import pytest

from webconferencing.errors import (CallConflict, CallFull, CallNotFound, IdentityNotFound, InvalidCallArgument,
                                    ProviderNotFound)
from webconferencing.info import group_call_id, peer_call_id

SPACE = "product_team"  # members: john, mary, james, jack, peter, alice (paul is not one)
ROOM = "team-5f3a9c1e2b7d4a60"  # members: john, mary, peter, bob


def peer_call(service, caller="john", callee="mary"):
    return service.add_call(peer_call_id(caller, callee), caller, "user", None, "mycall", [caller, callee])


def space_call(service, participants=("john", "mary", "james")):
    return service.add_call(group_call_id(SPACE), SPACE, "space", "Weekly", "mycall", list(participants))


# ---- ids ----

def test_peer_call_id_sorts_the_two_users():
    assert peer_call_id("mary", "john") == peer_call_id("john", "mary") == "p/john-mary"


def test_group_call_id_is_g_slash_owner():
    assert group_call_id("product_team") == "g/product_team"


def test_peer_call_with_unsorted_id_is_refused(service):
    with pytest.raises(InvalidCallArgument, match="p/john-mary") as error:
        service.add_call("p/mary-john", "john", "user", None, "mycall", ["john", "mary"])
    assert error.value.field == "id"


def test_group_call_id_must_start_with_g(service):
    with pytest.raises(InvalidCallArgument) as error:
        service.add_call("product_team", SPACE, "space", None, "mycall", ["john"])
    assert error.value.field == "id"


@pytest.mark.parametrize("bad_id", ["g/team room", "g/a#b", "g/a?b", "g/a%2Fb", "g/", "g//x", "g/é", "p/john-mary\n"])
def test_call_id_with_characters_unsafe_in_a_channel_is_refused(service, bad_id):
    with pytest.raises(InvalidCallArgument) as error:
        service.add_call(bad_id, SPACE, "space", None, "mycall", ["john"])
    assert error.value.field == "id"
    assert error.value.code == "BAD_REQUEST_ERROR"


def test_call_id_may_use_dots_at_signs_and_dashes(service):
    call = service.add_call("g/team-5f3a9c1e2b7d4a60", ROOM, "chat_room", None, "mycall", ["john", "bob"])
    assert service.get_call("g/team-5f3a9c1e2b7d4a60").id == call.id


# ---- creating ----

def test_new_call_is_started_with_everyone_invited(service):
    call = space_call(service)
    assert call.state == "started"
    assert [(p.id, p.state) for p in call.participants] == [("john", None), ("mary", None), ("james", None)]
    assert call.owner.id == SPACE and call.owner_type == "space" and call.title == "Weekly"


def test_call_title_defaults_to_the_owner_title(service):
    assert peer_call(service).title == "John Smith"


def test_adding_an_existing_call_is_a_conflict(service):
    peer_call(service)
    with pytest.raises(CallConflict) as error:
        peer_call(service, "mary", "john")
    assert error.value.code == "CALL_CONFLICT_ERROR" and error.value.status == 409


def test_unknown_participant_is_not_found(service):
    with pytest.raises(IdentityNotFound) as error:
        service.add_call(peer_call_id("john", "nobody"), "john", "user", None, "mycall", ["john", "nobody"])
    assert error.value.code == "NOT_FOUND_ERROR"


def test_unknown_owner_space_is_not_found(service):
    with pytest.raises(IdentityNotFound):
        service.add_call("g/no_space", "no_space", "space", None, "mycall", ["john"])


def test_unknown_provider_is_not_found(service):
    with pytest.raises(ProviderNotFound):
        service.add_call("p/john-mary", "john", "user", None, "skype", ["john", "mary"])


def test_call_of_an_inactive_provider_is_refused(service):
    service.get_provider("othercall").set_active(False)
    with pytest.raises(InvalidCallArgument) as error:
        service.add_call("p/john-mary", "john", "user", None, "othercall", ["john", "mary"])
    assert error.value.field == "providerType"


def test_peer_call_needs_its_owner_among_two_participants(service):
    with pytest.raises(InvalidCallArgument):
        service.add_call("p/james-mary", "john", "user", None, "mycall", ["james", "mary"])


def test_group_call_participants_must_be_members_of_the_owner(service):
    with pytest.raises(InvalidCallArgument, match="paul") as error:
        space_call(service, ["john", "paul"])
    assert error.value.field == "participants"


def test_participants_may_be_a_semicolon_separated_string(service):
    call = service.add_call(group_call_id(ROOM), ROOM, "chat_room", None, "mycall", "john;bob; peter")
    assert call.participant_ids() == ["john", "bob", "peter"]


def test_unknown_call_is_not_found(service):
    for operation in (lambda: service.get_call("g/nothing"), lambda: service.join_call("g/nothing", "john", "c1"),
                      lambda: service.delete_call("g/nothing"), lambda: service.stop_call("g/nothing")):
        with pytest.raises(CallNotFound) as error:
            operation()
        assert error.value.code == "NOT_FOUND_ERROR" and error.value.status == 404


def test_unknown_user_cannot_join(service):
    space_call(service)
    with pytest.raises(IdentityNotFound):
        service.join_call(group_call_id(SPACE), "nobody", "c1")


# ---- 1:1 calls ----

def test_declined_peer_call_is_deleted(service):
    peer_call(service)
    service.join_call("p/john-mary", "john", "john-tab")
    service.delete_call("p/john-mary")  # mary declines
    with pytest.raises(CallNotFound):
        service.get_call("p/john-mary")


def test_peer_call_stops_and_is_deleted_when_one_side_hangs_up(service):
    peer_call(service)
    service.join_call("p/john-mary", "john", "j1")
    service.join_call("p/john-mary", "mary", "m1")
    assert service.leave_call("p/john-mary", "mary", "m1") is None
    with pytest.raises(CallNotFound):
        service.get_call("p/john-mary")


def test_other_side_leaving_a_deleted_peer_call_is_not_an_error(service):
    peer_call(service)
    service.join_call("p/john-mary", "john", "j1")
    service.join_call("p/john-mary", "mary", "m1")
    service.leave_call("p/john-mary", "mary", "m1")
    assert service.leave_call("p/john-mary", "john", "j1") is None


def test_callee_leaving_an_unanswered_peer_call_declines_it(service):
    peer_call(service)
    service.join_call("p/john-mary", "john", "j1")
    assert service.leave_call("p/john-mary", "mary", "m1") is None
    with pytest.raises(CallNotFound):
        service.get_call("p/john-mary")


def test_caller_hanging_up_before_an_answer_deletes_the_peer_call(service):
    peer_call(service)
    service.join_call("p/john-mary", "john", "j1")
    assert service.leave_call("p/john-mary", "john", "j1") is None
    with pytest.raises(CallNotFound):
        service.get_call("p/john-mary")


def test_outsider_joining_a_peer_call_is_told_it_does_not_exist(service):
    peer_call(service)
    with pytest.raises(CallNotFound) as error:
        service.join_call("p/john-mary", "james", "x1")
    with pytest.raises(CallNotFound) as unknown:
        service.join_call("p/james-nobody", "james", "x1")
    assert error.value.to_json() == {**unknown.value.to_json(), "message": "call 'p/john-mary' not found"}
    assert service.get_call("p/john-mary").participant_ids() == ["john", "mary"]


def test_stop_with_remove_deletes_the_call(service):
    peer_call(service)
    assert service.stop_call("p/john-mary", remove=True).state == "stopped"
    with pytest.raises(CallNotFound):
        service.get_call("p/john-mary")


def test_stopped_state_update_removes_a_peer_call_but_keeps_a_group_call(service):
    peer_call(service)
    space_call(service)
    service.update_user_call_state("p/john-mary", "mary", "m1", "stopped")
    service.update_user_call_state(group_call_id(SPACE), "john", "j1", "stopped")
    with pytest.raises(CallNotFound):
        service.get_call("p/john-mary")
    assert service.get_call(group_call_id(SPACE)).state == "stopped"


def test_unknown_state_update_is_a_bad_argument(service):
    peer_call(service)
    with pytest.raises(InvalidCallArgument) as error:
        service.update_user_call_state("p/john-mary", "john", "j1", "ringing")
    assert error.value.field == "state"


# ---- group calls ----

def test_group_call_stops_when_its_last_participant_leaves(service):
    space_call(service)
    service.join_call(group_call_id(SPACE), "john", "j1")
    service.join_call(group_call_id(SPACE), "mary", "m1")
    assert service.leave_call(group_call_id(SPACE), "john", "j1").state == "started"
    call = service.leave_call(group_call_id(SPACE), "mary", "m1")
    assert call.state == "stopped"
    assert service.get_call(group_call_id(SPACE)).state == "stopped"


def test_stopped_group_call_can_be_started_again(service):
    space_call(service)
    service.join_call(group_call_id(SPACE), "john", "j1")
    service.leave_call(group_call_id(SPACE), "john", "j1")
    call = service.start_call(group_call_id(SPACE), "mary", "m2")
    assert call.state == "started"
    assert call.get_participant("mary").state == "joined"


def test_joining_a_stopped_group_call_starts_it(service):
    space_call(service)
    service.stop_call(group_call_id(SPACE))
    call = service.join_call(group_call_id(SPACE), "james", "x1")
    assert call.state == "started"
    assert call.get_participant("james").state == "joined"


def test_stop_call_makes_everyone_leave(service):
    space_call(service)
    service.join_call(group_call_id(SPACE), "john", "j1")
    call = service.stop_call(group_call_id(SPACE))
    assert call.state == "stopped" and call.get_participant("john").state == "leaved"
    # a later join starts afresh: the old client is not attached any more
    service.join_call(group_call_id(SPACE), "mary", "m1")
    assert service.leave_call(group_call_id(SPACE), "mary", "m1").state == "stopped"


def test_member_not_invited_is_added_when_joining(service):
    space_call(service, ["john", "mary"])
    call = service.join_call(group_call_id(SPACE), "alice", "a1")
    assert call.participant_ids() == ["john", "mary", "alice"]
    assert call.get_participant("alice").state == "joined"


def test_non_member_cannot_join_a_group_call(service):
    space_call(service)
    with pytest.raises(CallNotFound):
        service.join_call(group_call_id(SPACE), "paul", "p1")
    assert "paul" not in service.get_call(group_call_id(SPACE)).participant_ids()


def test_room_members_can_join_a_room_call(service):
    service.add_call(group_call_id(ROOM), ROOM, "chat_room", None, "mycall", ["john"])
    assert service.join_call(group_call_id(ROOM), "bob", "b1").get_participant("bob").state == "joined"
    with pytest.raises(CallNotFound):
        service.join_call(group_call_id(ROOM), "alice", "a1")


def test_user_stays_joined_until_the_last_of_their_tabs_leaves(service):
    space_call(service)
    cid = group_call_id(SPACE)
    service.join_call(cid, "john", "tab1")
    service.join_call(cid, "john", "tab2")
    call = service.leave_call(cid, "john", "tab1")
    assert call.state == "started"
    assert call.get_participant("john").state == "joined"
    assert call.get_participant("john").client_id == "tab2"
    call = service.leave_call(cid, "john", "tab2")
    assert call.get_participant("john").state == "leaved"
    assert call.state == "stopped"


def test_leaving_an_unknown_call_is_not_an_error(service):
    assert service.leave_call("g/nothing", "john", "c1") is None


def test_leaving_a_stopped_call_changes_nothing(service):
    space_call(service)
    service.stop_call(group_call_id(SPACE))
    assert service.leave_call(group_call_id(SPACE), "john", "j1").state == "stopped"


def test_joining_needs_a_client_id(service):
    space_call(service)
    with pytest.raises(InvalidCallArgument) as error:
        service.join_call(group_call_id(SPACE), "john", "")
    assert error.value.field == "clientId"


def test_update_call_changes_title_and_invitees(service):
    space_call(service, ["john", "mary"])
    call = service.update_call(group_call_id(SPACE), title="Retro", participants=["john", "jack"])
    assert call.title == "Retro" and call.participant_ids() == ["john", "jack"]


def test_update_call_refuses_non_members(service):
    space_call(service, ["john"])
    with pytest.raises(InvalidCallArgument):
        service.update_call(group_call_id(SPACE), participants=["john", "paul"])
    assert service.get_call(group_call_id(SPACE)).participant_ids() == ["john"]


def test_peer_call_participants_cannot_change(service):
    peer_call(service)
    with pytest.raises(InvalidCallArgument):
        service.update_call("p/john-mary", participants=["john", "james"])


# ---- queries ----

def test_user_group_calls_list_started_and_stopped_calls_newest_first(service):
    space_call(service, ["john", "mary"])
    service.add_call(group_call_id(ROOM), ROOM, "chat_room", None, "mycall", ["john", "bob"])
    peer_call(service)
    service.stop_call(group_call_id(SPACE))
    service.join_call(group_call_id(SPACE), "john", "j1")  # most recent activity
    calls = service.get_user_group_calls("john")
    assert [c.id for c in calls] == [group_call_id(SPACE), group_call_id(ROOM)]
    assert [c.id for c in service.get_user_group_calls("bob")] == [group_call_id(ROOM)]


def test_user_calls_include_peer_and_group_calls(service):
    space_call(service, ["john", "mary"])
    peer_call(service, "john", "peter")
    assert {c.id for c in service.get_user_calls("john")} == {group_call_id(SPACE), "p/john-peter"}
    assert [c.id for c in service.get_user_calls("peter")] == ["p/john-peter"]


def test_call_channel_access_is_for_participants_and_owner_members(service):
    space_call(service, ["john"])
    peer_call(service)
    assert service.can_access_call("john", group_call_id(SPACE))
    assert service.can_access_call("alice", group_call_id(SPACE))  # member, not invited yet
    assert not service.can_access_call("paul", group_call_id(SPACE))
    assert service.can_access_call("mary", "p/john-mary")
    assert not service.can_access_call("james", "p/john-mary")
    assert not service.can_access_call("john", "g/nothing")


def test_call_json_uses_the_wire_names(service):
    service.join_call(space_call(service, ["john"]).id, "john", "j1")
    data = service.get_call(group_call_id(SPACE)).to_json()
    assert data["id"] == "g/product_team" and data["providerType"] == "mycall" and data["ownerType"] == "space"
    assert data["owner"] == {"id": SPACE, "type": "space", "title": "Product Team", "avatarLink": None,
                             "profileLink": None}
    part = data["participants"][0]
    assert (part["id"], part["type"], part["state"], part["clientId"], part["title"]) == \
        ("john", "user", "joined", "j1", "John Smith")
    assert data["created"].endswith("+00:00") and data["lastDate"] >= data["created"]


# ---- metrics ----

def test_each_operation_writes_one_metrics_debug_line(service, caplog):
    space_call(service)
    with caplog.at_level(logging.DEBUG, logger="webconferencing.metrics"):
        service.join_call(group_call_id(SPACE), "john", "j1")
        with pytest.raises(CallNotFound):
            service.get_call("g/nothing")
    lines = [r.getMessage() for r in caplog.records if r.name == "webconferencing.metrics"]
    assert len(lines) == 2
    assert lines[0].startswith("operation=join_call user=john call=g/product_team status=ok duration=")
    assert lines[1].startswith("operation=get_call user=- call=g/nothing status=NOT_FOUND_ERROR duration=")


# ---- ownership, providers and limits ----

def test_a_group_call_id_must_be_its_owners(service):
    with pytest.raises(InvalidCallArgument) as error:
        service.add_call(group_call_id(SPACE), ROOM, "chat_room", None, "mycall", ["john"])
    assert error.value.field == "id" and f"'{group_call_id(ROOM)}'" in error.value.message


def test_a_provider_may_use_ids_under_the_owners_group_call_id(service):
    call = service.add_call(group_call_id(SPACE) + "/othercall", SPACE, "space", None, "othercall", ["john"])
    assert call.owner.id == SPACE


def test_a_room_cannot_take_the_name_of_a_space(service):
    with pytest.raises(InvalidCallArgument) as error:
        service.get_room_info(SPACE, "Squatted", ["mary", "john"])
    assert error.value.field == "id"


def test_a_stopped_group_call_of_another_provider_is_replaced_by_the_new_call(service):
    space_call(service)
    service.stop_call(group_call_id(SPACE))
    call = service.add_call(group_call_id(SPACE), SPACE, "space", None, "othercall", ["john", "mary"])
    assert (call.provider_type, call.state) == ("othercall", "started")
    assert service.get_call(group_call_id(SPACE)).provider_type == "othercall"


def test_a_running_group_call_of_another_provider_is_a_conflict_naming_it(service):
    space_call(service)
    with pytest.raises(CallConflict, match="My Call, started"):
        service.add_call(group_call_id(SPACE), SPACE, "space", None, "othercall", ["john", "mary"])


def test_a_stopped_group_call_of_the_same_provider_stays_a_conflict(service):
    space_call(service)
    service.stop_call(group_call_id(SPACE))
    with pytest.raises(CallConflict):
        space_call(service)


def test_the_providers_participant_limit_is_enforced_on_join(service):
    service.add_call(group_call_id(SPACE), SPACE, "space", None, "othercall", ["john", "mary", "james"])
    service.join_call(group_call_id(SPACE), "john", "j1")
    service.join_call(group_call_id(SPACE), "mary", "m1")
    with pytest.raises(CallFull) as error:
        service.join_call(group_call_id(SPACE), "james", "x1")
    assert error.value.status == 409
    assert service.get_call(group_call_id(SPACE)).get_participant("james").state is None


def test_a_client_id_joined_by_one_user_cannot_be_used_by_another(service):
    space_call(service)
    service.join_call(group_call_id(SPACE), "john", "john-tab")
    with pytest.raises(InvalidCallArgument) as error:
        service.join_call(group_call_id(SPACE), "mary", "john-tab")
    assert error.value.field == "clientId"


def test_call_json_shows_a_client_id_only_to_its_own_user(service):
    space_call(service)
    call = service.join_call(group_call_id(SPACE), "john", "john-tab")
    assert call.to_json("john")["participants"][0]["clientId"] == "john-tab"
    assert call.to_json("mary")["participants"][0]["clientId"] is None


def test_a_non_party_leaving_a_call_is_answered_as_for_an_unknown_call(service):
    space_call(service, ["john", "mary"])
    service.join_call(group_call_id(SPACE), "john", "j1")
    assert service.leave_call(group_call_id(SPACE), "paul", "p1") is None
    assert service.get_call(group_call_id(SPACE)).get_participant("john").state == "joined"


# ---- presence ----

def test_a_user_joined_in_a_running_call_is_in_call_until_they_leave(service):
    space_call(service, ["john", "mary"])
    assert service.get_user_status("john") == "available"
    service.join_call(group_call_id(SPACE), "john", "j1")
    assert service.get_user_status("john") == "incall"
    assert service.get_user_presence("john").to_json()["status"] == "incall"
    service.leave_call(group_call_id(SPACE), "john", "j1")
    assert service.get_user_status("john") == "available"


def test_a_callee_busy_in_another_call_shows_in_call_to_the_caller(service):
    space_call(service, ["john", "mary"])
    service.join_call(group_call_id(SPACE), "mary", "m1")
    call = peer_call(service, "james", "mary")
    statuses = {p.id: p.user.status for p in call.participants}
    assert statuses == {"james": "away", "mary": "incall"}  # james is away in the demo organisation
    in_the_space_call = service.get_call(group_call_id(SPACE)).get_participant("mary").user.status
    assert in_the_space_call != "incall"  # in the call she is in, she is simply joined


def test_the_ringing_calls_of_a_user_are_the_started_ones_they_have_not_answered(service):
    space_call(service, ["john", "mary", "peter"])
    peer_call(service, "john", "peter")
    peer_call(service, "mary", "peter")
    service.join_call("p/mary-peter", "peter", "p1")
    service.join_call(group_call_id(SPACE), "mary", "m1")

    assert {c.id for c in service.get_ringing_calls("peter")} == {group_call_id(SPACE), "p/john-peter"}


def test_a_1_1_call_does_not_ring_for_its_caller_before_their_tab_joins(service):
    peer_call(service, "mary", "peter")

    assert service.get_ringing_calls("mary") == []
    assert [c.id for c in service.get_ringing_calls("peter")] == ["p/mary-peter"]
