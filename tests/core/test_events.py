"""Every state change reaches the parties: user channels on the broker and in-process UserCallListeners."""
from __future__ import annotations

import pytest

from webconferencing.errors import CallNotFound, InvalidCallArgument
from webconferencing.info import group_call_id, peer_call_id
from webconferencing.service import UserCallListener

SPACE_CALL = group_call_id("product_team")


class Recorder(UserCallListener):
    def __init__(self, user_id: str):
        super().__init__(user_id)
        self.seen: list[tuple] = []

    def on_call_state(self, call_id, provider_type, state, owner_id, owner_type):
        self.seen.append(("state", call_id, provider_type, state, owner_id, owner_type))

    def on_participant_joined(self, call_id, provider_type, owner_id, owner_type, part_id):
        self.seen.append(("joined", call_id, part_id))

    def on_participant_leaved(self, call_id, provider_type, owner_id, owner_type, part_id):
        self.seen.append(("leaved", call_id, part_id))


def test_new_call_rings_every_participant_with_a_call_state_event(service, inbox):
    box = inbox("john", "mary", "james")
    service.add_call(peer_call_id("john", "mary"), "john", "user", None, "mycall", ["john", "mary"])
    assert box.events("mary") == [{"eventType": "call_state", "callId": "p/john-mary", "providerType": "mycall",
                                   "callState": "started", "owner": {"id": "john", "type": "user"}}]
    assert len(box.events("john")) == 1 and box.events("james") == []


def test_a_group_call_rings_its_members_naming_who_placed_it(service, inbox):
    box = inbox("mary")
    service.add_call(SPACE_CALL, "product_team", "space", None, "mycall", ["mary", "john"], caller="john")
    assert box.events("mary")[0]["caller"] == {"id": "john"}


def test_a_caller_who_is_not_a_participant_is_refused(service):
    with pytest.raises(InvalidCallArgument, match="caller 'james'"):
        service.add_call(SPACE_CALL, "product_team", "space", None, "mycall", ["mary", "john"], caller="james")


def test_join_and_leave_are_told_to_every_participant(service, inbox):
    service.add_call(SPACE_CALL, "product_team", "space", None, "mycall", ["john", "mary"])
    box = inbox("john", "mary")
    service.join_call(SPACE_CALL, "john", "j1")
    service.leave_call(SPACE_CALL, "john", "j1")
    expected = [("call_joined", "john"), ("call_leaved", "john"), ("call_state", "stopped")]
    assert box.kinds("john") == expected
    assert box.kinds("mary") == expected + [("call_missed", "john")]  # rung, never answered: missed at once
    joined = box.events("mary")[0]
    assert joined == {"eventType": "call_joined", "callId": SPACE_CALL, "providerType": "mycall",
                      "part": {"id": "john"}, "owner": {"id": "product_team", "type": "space"}}


def test_joining_a_stopped_call_rings_the_others_before_the_join(service, inbox):
    service.add_call(SPACE_CALL, "product_team", "space", None, "mycall", ["john", "mary"])
    service.stop_call(SPACE_CALL)
    box = inbox("mary")
    service.join_call(SPACE_CALL, "john", "j1")
    assert box.kinds("mary") == [("call_state", "started"), ("call_joined", "john")]


def test_a_second_tab_joining_or_leaving_raises_no_event(service, inbox):
    service.add_call(SPACE_CALL, "product_team", "space", None, "mycall", ["john", "mary"])
    service.join_call(SPACE_CALL, "john", "tab1")
    box = inbox("mary")
    service.join_call(SPACE_CALL, "john", "tab2")
    service.leave_call(SPACE_CALL, "john", "tab1")
    assert box.events("mary") == []


def test_declining_a_peer_call_tells_both_sides_it_stopped(service, inbox):
    service.add_call("p/john-mary", "john", "user", None, "mycall", ["john", "mary"])
    box = inbox("john", "mary")
    service.delete_call("p/john-mary")
    assert box.kinds("john") == box.kinds("mary") == [("call_state", "stopped")]


def test_a_member_added_by_update_is_rung(service, inbox):
    service.add_call(SPACE_CALL, "product_team", "space", None, "mycall", ["john"])
    box = inbox("john", "alice")
    service.update_call(SPACE_CALL, participants=["john", "alice"])
    assert box.kinds("alice") == [("call_state", "started")] and box.events("john") == []


def test_a_failed_operation_publishes_nothing(service, inbox):
    service.add_call(SPACE_CALL, "product_team", "space", None, "mycall", ["john"])
    box = inbox("john")
    with pytest.raises(CallNotFound):
        service.join_call(SPACE_CALL, "paul", "p1")
    assert box.events() == []


def test_listeners_hear_the_events_of_their_user_only(service):
    mary, james = Recorder("mary"), Recorder("james")
    service.add_user_call_listener(mary)
    service.add_user_call_listener(james)
    service.add_call(SPACE_CALL, "product_team", "space", None, "mycall", ["john", "mary"])
    service.join_call(SPACE_CALL, "john", "j1")
    service.leave_call(SPACE_CALL, "john", "j1")
    assert mary.seen == [("state", SPACE_CALL, "mycall", "started", "product_team", "space"),
                         ("joined", SPACE_CALL, "john"), ("leaved", SPACE_CALL, "john"),
                         ("state", SPACE_CALL, "mycall", "stopped", "product_team", "space")]
    assert james.seen == []


def test_removed_listener_hears_nothing_more(service):
    mary = Recorder("mary")
    service.add_user_call_listener(mary)
    service.remove_user_call_listener(mary)
    service.add_call("p/john-mary", "john", "user", None, "mycall", ["john", "mary"])
    assert mary.seen == []


def test_a_failing_listener_does_not_stop_the_operation_or_the_others(service, inbox):
    class Broken(UserCallListener):
        def on_call_state(self, *args):
            raise RuntimeError("boom")

    service.add_user_call_listener(Broken("mary"))
    recorder = Recorder("mary")
    service.add_user_call_listener(recorder)
    box = inbox("mary")
    call = service.add_call("p/john-mary", "john", "user", None, "mycall", ["john", "mary"])
    assert call.state == "started"
    assert len(recorder.seen) == 1 and len(box.events("mary")) == 1


def test_a_declined_peer_call_tells_the_caller_why(service, inbox):
    service.add_call(peer_call_id("john", "mary"), "john", "user", None, "mycall", ["john", "mary"])
    service.join_call("p/john-mary", "john", "j1")
    box = inbox("john")
    service.decline_call("p/john-mary", "mary")
    assert box.events("john")[-1]["reason"] == "declined"


def test_hanging_up_an_answered_peer_call_tells_the_other_side_hung_up(service, inbox):
    service.add_call(peer_call_id("john", "mary"), "john", "user", None, "mycall", ["john", "mary"])
    service.join_call("p/john-mary", "john", "j1")
    service.join_call("p/john-mary", "mary", "m1")
    box = inbox("john")
    service.leave_call("p/john-mary", "mary", "m1")
    assert [(e["eventType"], e.get("reason")) for e in box.events("john")] == [("call_leaved", None),
                                                                               ("call_state", "hung_up")]


def test_an_unanswered_peer_call_ends_for_both_as_no_answer_and_the_callee_gets_a_missed_call(service, inbox):
    service.add_call(peer_call_id("john", "mary"), "john", "user", None, "mycall", ["john", "mary"])
    service.join_call("p/john-mary", "john", "j1")
    box = inbox("john", "mary")
    assert service.expire_ringing(0) == ["p/john-mary"]
    assert box.kinds("john") == [("call_state", "stopped")] and box.events("john")[0]["reason"] == "no_answer"
    assert [e["eventType"] for e in box.events("mary")] == ["call_state", "call_missed"]
    assert box.events("mary")[1]["caller"] == {"id": "john"}
    with pytest.raises(CallNotFound):
        service.get_call("p/john-mary")


def test_a_call_that_rang_less_than_the_timeout_keeps_ringing(service, inbox):
    service.add_call(peer_call_id("john", "mary"), "john", "user", None, "mycall", ["john", "mary"])
    box = inbox("mary")
    assert service.expire_ringing(3600) == []
    assert box.events("mary") == [] and service.get_call("p/john-mary").state == "started"


def test_ringing_ends_for_group_members_who_did_not_join_and_the_call_goes_on(service, inbox):
    service.add_call(SPACE_CALL, "product_team", "space", None, "mycall", ["john", "mary", "james"])
    service.join_call(SPACE_CALL, "john", "j1")
    box = inbox("john", "mary")
    service.expire_ringing(0)
    call = service.get_call(SPACE_CALL)
    assert call.state == "started" and [p.state for p in call.participants] == ["joined", "leaved", "leaved"]
    assert box.events("john") == []
    assert [(e["eventType"], e.get("reason")) for e in box.events("mary")] == [("call_state", "no_answer"),
                                                                               ("call_missed", None)]


def _calls_counted(kind: str, provider: str, owner_type: str) -> float:
    from prometheus_client import REGISTRY

    return REGISTRY.get_sample_value(f"webconferencing_calls_{kind}_total",
                                     {"provider": provider, "owner_type": owner_type}) or 0.0


def test_calls_started_and_stopped_are_counted_once_per_transition_of_the_call(service):
    started, stopped = _calls_counted("started", "mycall", "space"), _calls_counted("stopped", "mycall", "space")
    service.add_call(SPACE_CALL, "product_team", "space", None, "mycall", ["john", "mary"])
    service.join_call(SPACE_CALL, "john", "j1")
    service.update_call(SPACE_CALL, participants=["john", "mary", "alice"])  # alice rung: not a new start
    service.leave_call(SPACE_CALL, "john", "j1")  # the last one out: stopped
    service.join_call(SPACE_CALL, "mary", "m1")  # started again
    assert _calls_counted("started", "mycall", "space") - started == 2
    assert _calls_counted("stopped", "mycall", "space") - stopped == 1
