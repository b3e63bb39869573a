"""The call lifecycle on its own: pure values in, a new call and events out. No database, no broker."""
from __future__ import annotations

import datetime as dt
import logging

import pytest

from webconferencing.calls import lifecycle
from webconferencing.calls.events import CallMissed, CallStateChanged, EndReason, ParticipantJoined, ParticipantLeft
from webconferencing.calls.lifecycle import CALL_TRANSITIONS, PARTICIPANT_TRANSITIONS, Action
from webconferencing.calls.model import Call, Participant
from webconferencing.errors import CallFull, CallNotFound, CallStateError, InvalidCallArgument
from webconferencing.info import CallState, ParticipantState

NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.timezone.utc)
LATER = NOW + dt.timedelta(minutes=5)
JOINED, LEAVED = ParticipantState.JOINED, ParticipantState.LEAVED
GUEST = "guest~zoe"


def part(user_id: str, state=None, *clients: str) -> Participant:
    return Participant(user_id, state, clients[-1] if clients else None, frozenset(clients))


def peer(state=CallState.STARTED, *parts: Participant) -> Call:
    parts = parts or (part("john"), part("mary"))
    return Call("p/john-mary", "webrtc", "john", "user", "John", state, NOW, NOW, tuple(parts))


def group(state=CallState.STARTED, *parts: Participant) -> Call:
    parts = parts or (part("john"), part("mary"), part("james"))
    return Call("g/team", "webrtc", "team", "space", "Team", state, NOW, NOW, tuple(parts))


def kinds(outcome) -> list[tuple]:
    out = []
    for event in outcome.events:
        if isinstance(event, CallStateChanged):
            out.append(("state", event.state, event.reason, event.recipients))
        elif isinstance(event, ParticipantJoined):
            out.append(("joined", event.part_id))
        elif isinstance(event, ParticipantLeft):
            out.append(("leaved", event.part_id))
        else:
            out.append(("missed", event.recipients))
    return out


# ---- the tables: every state x action is allowed or refused naming the state ----

def _apply(action: Action, call: Call, user: str = "john"):
    if action is Action.CREATE:
        return lifecycle.create("g/team", "webrtc", "team", "space", "Team", ["john"], NOW)
    if action in (Action.JOIN, Action.START):
        return getattr(lifecycle, action.value)(call, user, "tab", NOW)
    if action in (Action.LEAVE, Action.EXPIRE):
        return getattr(lifecycle, action.value)(call, user, "tab", NOW)
    if action is Action.DECLINE:
        return lifecycle.decline(call, user, NOW)
    if action is Action.STOP:
        return lifecycle.stop(call, NOW)
    if action is Action.ADD_GUEST:
        return lifecycle.add_guest(call, GUEST, NOW)
    if action is Action.REMOVE_GUESTS:
        return lifecycle.remove_guests(call, [GUEST], NOW)
    if action is Action.END_GUESTS_ALONE:
        return lifecycle.end_guests_alone(call, NOW, dt.timedelta(seconds=10))
    if action is Action.RING_TIMEOUT:
        return lifecycle.ring_timeout(call, NOW)
    if action is Action.INVITE:
        return lifecycle.invite(call, ["john", "mary"], NOW)
    raise AssertionError(f"no test drive for {action}: add it here")


@pytest.mark.parametrize("state", [CallState.STARTED, CallState.STOPPED])
@pytest.mark.parametrize("action", [a for a in Action if a is not Action.CREATE])
def test_every_action_on_an_existing_call_is_in_the_table_or_refused_naming_the_state(state, action):
    call = group(state)
    if (state.value, action) in CALL_TRANSITIONS:
        outcome = _apply(action, call)
        assert lifecycle.call_state(outcome.call) in CALL_TRANSITIONS[(state.value, action)]
    else:
        with pytest.raises(CallStateError) as refused:
            _apply(action, call)
        assert refused.value.state == state.value and f"it is {state.value}" in refused.value.message


def test_create_is_the_only_action_without_a_call():
    assert [a for (s, a) in CALL_TRANSITIONS if s == lifecycle.NEW] == [Action.CREATE]


def test_declining_a_stopped_call_is_refused_naming_its_state():
    with pytest.raises(CallStateError, match="cannot decline call 'g/team': it is stopped"):
        lifecycle.decline(group(CallState.STOPPED), "mary", NOW)


@pytest.mark.parametrize("pstate", [None, JOINED, LEAVED])
@pytest.mark.parametrize("action", [Action.JOIN, Action.LEAVE, Action.EXPIRE, Action.DECLINE])
def test_every_participant_state_x_action_is_in_the_table_or_refused(pstate, action):
    call = group(CallState.STARTED, part("john", JOINED, "j1"), part("mary", pstate, *(["m1"] if pstate == JOINED
                                                                                        else [])))
    key = (lifecycle.participant_state(call.participant("mary")), action)
    if key in PARTICIPANT_TRANSITIONS:
        outcome = _apply(action, call, "mary")
        after = outcome.call.participant("mary") if outcome.call else None
        if after is not None and outcome.call.state == CallState.STARTED:
            assert lifecycle.participant_state(after) in PARTICIPANT_TRANSITIONS[key]
    else:
        with pytest.raises(CallStateError) as refused:
            _apply(action, call, "mary")
        assert refused.value.state == "joined" and "they are joined" in refused.value.message


# ---- create ----

def test_a_new_call_is_started_with_everyone_invited_and_rung():
    outcome = lifecycle.create("p/john-mary", "webrtc", "john", "user", "John", ["john", "mary"], NOW)
    assert outcome.call.state == CallState.STARTED
    assert [p.state for p in outcome.call.participants] == [None, None]
    assert kinds(outcome) == [("state", "started", None, ("john", "mary"))]
    assert "caller" not in outcome.events[0].to_wire()  # nobody named: the event says nothing of a caller


def test_a_new_call_names_its_caller_in_the_ring():
    outcome = lifecycle.create("g/team", "webrtc", "team", "space", "Team", ["mary", "john"], NOW, caller="john")
    assert outcome.events[0].to_wire()["caller"] == {"id": "john"}


# ---- join / start ----

def test_joining_tells_everyone_once_per_user_not_per_tab():
    first = lifecycle.join(group(), "mary", "m1", NOW)
    second = lifecycle.join(first.call, "mary", "m2", NOW)
    assert kinds(first) == [("joined", "mary")] and kinds(second) == []
    assert second.call.participant("mary").clients == {"m1", "m2"}


def test_a_member_who_was_not_invited_is_added_on_join():
    outcome = lifecycle.join(group(), "alice", "a1", NOW, is_member=True)
    assert outcome.call.participant_ids() == ("john", "mary", "james", "alice")


def test_a_non_party_joining_hears_the_call_does_not_exist():
    with pytest.raises(CallNotFound, match="call 'g/team' not found"):
        lifecycle.join(group(), "paul", "p1", NOW)
    with pytest.raises(CallNotFound):
        lifecycle.join(peer(), "james", "x1", NOW, is_member=True)  # nobody is a member of a 1:1 call


def test_joining_a_stopped_call_starts_it_and_rings_the_others_afresh():
    stopped = group(CallState.STOPPED, part("john", LEAVED), part("mary", LEAVED), part("james"))
    outcome = lifecycle.join(stopped, "john", "j1", NOW)
    assert outcome.call.state == CallState.STARTED
    assert [p.state for p in outcome.call.participants] == [JOINED, None, None]
    assert kinds(outcome) == [("state", "started", None, ("john", "mary", "james")), ("joined", "john")]
    assert outcome.events[0].caller_id == "john"  # who restarted it is who calls


def test_start_on_a_running_call_is_a_join():
    assert kinds(lifecycle.start(group(), "mary", "m1", NOW)) == [("joined", "mary")]


def test_the_participant_limit_counts_joined_participants():
    full = group(CallState.STARTED, part("john", JOINED, "j1"), part("mary", JOINED, "m1"), part("james"))
    with pytest.raises(CallFull, match="at most|allows"):
        lifecycle.join(full, "james", "x1", NOW, max_participants=2)
    assert lifecycle.join(full, "mary", "m2", NOW, max_participants=2).call.participant("mary").joined


# ---- leave / expire ----

def test_a_user_stays_joined_until_their_last_tab_leaves():
    call = group(CallState.STARTED, part("john", JOINED, "j1", "j2"), part("mary", JOINED, "m1"))
    outcome = lifecycle.leave(call, "john", "j2", NOW)
    assert outcome.call.participant("john").joined and outcome.call.participant("john").client_id == "j1"
    assert kinds(outcome) == []


def test_the_last_participant_leaving_a_group_call_stops_it_as_ended():
    call = group(CallState.STARTED, part("john", JOINED, "j1"), part("mary"))
    outcome = lifecycle.leave(call, "john", "j1", LATER)
    assert outcome.call.state == CallState.STOPPED and outcome.call.last_date == LATER
    assert kinds(outcome)[:2] == [("leaved", "john"), ("state", "stopped", EndReason.ENDED, ("john", "mary"))]


def test_a_group_call_abandoned_while_it_rang_a_member_leaves_them_a_missed_call_naming_the_caller():
    call = group(CallState.STARTED, part("john", JOINED, "j1").replace(joined_at=NOW), part("mary"),
                 part("james", LEAVED))  # james declined: not missed
    outcome = lifecycle.leave(call, "john", "j1", LATER)
    missed = [e for e in outcome.events if isinstance(e, CallMissed)]
    assert [(e.recipients, e.caller_id) for e in missed] == [(("mary",), "john")]


def test_a_guest_who_never_joined_gets_no_missed_call():
    call = group(CallState.STARTED, part("john", JOINED, "j1"), part(GUEST))
    assert not any(isinstance(e, CallMissed) for e in lifecycle.leave(call, "john", "j1", LATER).events)


def test_a_group_call_goes_on_while_someone_is_still_in():
    call = group(CallState.STARTED, part("john", JOINED, "j1"), part("mary", JOINED, "m1"))
    outcome = lifecycle.leave(call, "john", "j1", NOW)
    assert outcome.call.state == CallState.STARTED and kinds(outcome) == [("leaved", "john")]


def test_hanging_up_an_answered_peer_call_deletes_it_as_hung_up():
    call = peer(CallState.STARTED, part("john", JOINED, "j1"), part("mary", JOINED, "m1"))
    outcome = lifecycle.leave(call, "mary", "m1", NOW)
    assert outcome.deleted
    assert kinds(outcome)[-1] == ("state", "stopped", EndReason.HUNG_UP, ("john", "mary"))


def test_the_caller_leaving_before_an_answer_cancels_the_peer_call():
    outcome = lifecycle.leave(peer(CallState.STARTED, part("john", JOINED, "j1"), part("mary")), "john", "j1", NOW)
    assert outcome.deleted and kinds(outcome)[-1][2] == EndReason.CANCELLED


def test_the_callee_leaving_an_unanswered_peer_call_declines_it():
    outcome = lifecycle.leave(peer(CallState.STARTED, part("john", JOINED, "j1"), part("mary")), "mary", "m1", NOW)
    assert outcome.deleted and kinds(outcome) == [("state", "stopped", EndReason.DECLINED, ("john", "mary"))]


def test_leaving_a_stopped_call_changes_nothing():
    call = group(CallState.STOPPED, part("john", LEAVED))
    outcome = lifecycle.leave(call, "john", "j1", NOW)
    assert outcome.call == call and outcome.events == ()


def test_a_non_party_leaving_hears_the_call_does_not_exist():
    with pytest.raises(CallNotFound):
        lifecycle.leave(group(), "paul", "p1", NOW)


def test_an_expired_tab_leaves_as_if_it_hung_up():
    call = peer(CallState.STARTED, part("john", JOINED, "j1"), part("mary", JOINED, "m1"))
    assert kinds(lifecycle.expire(call, "john", "j1", NOW)) == kinds(lifecycle.leave(call, "john", "j1", NOW))


def test_a_vanished_tab_of_an_earlier_call_with_the_same_id_leaves_the_new_call_ringing():
    # p/john-mary ended while mary's call window was in its grace period; john called her again meanwhile
    again = peer(CallState.STARTED, part("john", JOINED, "j2"), part("mary"))
    outcome = lifecycle.expire(again, "mary", "m-old", NOW)
    assert outcome.call == again and outcome.events == ()


def test_a_vanished_tab_that_is_not_the_one_in_the_call_leaves_its_user_in():
    call = group(CallState.STARTED, part("john", JOINED, "j1"), part("mary", JOINED, "m2"))
    outcome = lifecycle.expire(call, "mary", "m1", NOW)
    assert outcome.call == call and outcome.events == ()


# ---- decline ----

def test_declining_a_peer_call_deletes_it_as_declined_for_both():
    outcome = lifecycle.decline(peer(CallState.STARTED, part("john", JOINED, "j1"), part("mary")), "mary", NOW)
    assert outcome.deleted and kinds(outcome) == [("state", "stopped", EndReason.DECLINED, ("john", "mary"))]


def test_declining_a_group_call_stops_ringing_only_for_the_decliner():
    outcome = lifecycle.decline(group(CallState.STARTED, part("john", JOINED, "j1"), part("mary")), "mary", NOW)
    assert outcome.call.state == CallState.STARTED and outcome.call.participant("mary").state == LEAVED
    assert kinds(outcome) == [("state", "stopped", EndReason.DECLINED, ("mary",))]


def test_declining_twice_changes_nothing_the_second_time():
    first = lifecycle.decline(group(CallState.STARTED, part("john", JOINED, "j1"), part("mary")), "mary", NOW)
    second = lifecycle.decline(first.call, "mary", NOW)
    assert second.call == first.call and second.events == ()


def test_a_joined_participant_cannot_decline():
    with pytest.raises(CallStateError, match="mary cannot decline call 'g/team': they are joined"):
        lifecycle.decline(group(CallState.STARTED, part("mary", JOINED, "m1")), "mary", NOW)


# ---- stop ----

def test_stopping_makes_everyone_leave_and_tells_them_why():
    call = group(CallState.STARTED, part("john", JOINED, "j1"), part("mary"))
    outcome = lifecycle.stop(call, NOW, reason=EndReason.ENDED)
    assert [p.state for p in outcome.call.participants] == [LEAVED, None]
    assert all(not p.clients for p in outcome.call.participants)
    assert kinds(outcome) == [("state", "stopped", EndReason.ENDED, ("john", "mary")), ("missed", ("mary",))]


def test_stopping_a_peer_call_sends_no_missed_call_the_cancelled_reason_tells_it():
    call = peer(CallState.STARTED, part("john", JOINED, "j1"), part("mary"))
    assert kinds(lifecycle.stop(call, NOW, remove=True, reason=EndReason.CANCELLED)) == [
        ("state", "stopped", EndReason.CANCELLED, ("john", "mary"))]


def test_stopping_a_stopped_call_tells_nobody():
    assert lifecycle.stop(group(CallState.STOPPED), NOW).events == ()


def test_stop_with_remove_deletes_the_call():
    assert lifecycle.stop(peer(), NOW, remove=True).deleted


@pytest.mark.parametrize("asker, john, mary, reason", [
    ("mary", JOINED, None, EndReason.DECLINED),
    ("john", JOINED, None, EndReason.CANCELLED),
    ("john", JOINED, JOINED, EndReason.ENDED),
])
def test_the_reason_of_a_stop_is_read_from_who_asks(asker, john, mary, reason):
    call = peer(CallState.STARTED, part("john", john), part("mary", mary))
    assert lifecycle.stop_reason(call, asker) == reason


# ---- invite ----

def test_inviting_rings_newcomers_and_tells_everyone_who_was_removed():
    call = group(CallState.STARTED, part("john", JOINED, "j1"), part("mary"), part("james"))
    outcome = lifecycle.invite(call, ["john", "mary", "alice"], NOW)
    assert outcome.call.participant_ids() == ("john", "mary", "alice")
    assert kinds(outcome) == [("leaved", "james"), ("state", "started", None, ("alice",))]
    assert outcome.events[0].recipients == ("john", "mary", "james")


def test_newcomers_are_rung_by_whoever_joined_the_call_first():
    call = group(CallState.STARTED, part("john", JOINED, "j1").replace(joined_at=LATER),
                 part("mary", JOINED, "m1").replace(joined_at=NOW))
    started = lifecycle.invite(call, ["john", "mary", "alice"], LATER).events[-1]
    assert started.to_wire()["caller"] == {"id": "mary"}


def test_the_participants_of_a_peer_call_cannot_change():
    with pytest.raises(InvalidCallArgument):
        lifecycle.invite(peer(), ["john", "james"], NOW)


# ---- events and the log ----

def test_a_stop_event_carries_its_reason_on_the_wire():
    outcome = lifecycle.decline(peer(CallState.STARTED, part("john", JOINED, "j1"), part("mary")), "mary", NOW)
    assert outcome.events[0].to_wire() == {
        "eventType": "call_state", "callId": "p/john-mary", "providerType": "webrtc", "callState": "stopped",
        "owner": {"id": "john", "type": "user"}, "reason": "declined"}


def test_a_join_event_has_the_original_wire_form():
    event = lifecycle.join(group(), "mary", "m1", NOW).events[0]
    assert isinstance(event, ParticipantJoined)
    assert event.to_wire() == {"eventType": "call_joined", "callId": "g/team", "providerType": "webrtc",
                               "part": {"id": "mary"}, "owner": {"id": "team", "type": "space"}}


def test_a_left_event_without_reason_has_no_reason_field():
    call = group(CallState.STARTED, part("john", JOINED, "j1"), part("mary", JOINED, "m1"))
    event = lifecycle.leave(call, "john", "j1", NOW).events[0]
    assert isinstance(event, ParticipantLeft) and "reason" not in event.to_wire()


def test_each_transition_is_logged_old_to_new(caplog):
    stopped = group(CallState.STOPPED, part("john", LEAVED), part("mary", LEAVED))
    with caplog.at_level(logging.INFO, logger="webconferencing.calls"):
        lifecycle.join(stopped, "mary", "tab1", NOW)
    lines = [r.getMessage() for r in caplog.records if r.name == "webconferencing.calls"]
    assert "g/team: stopped -> started (join mary/tab1)" in lines
    assert "g/team mary: leaved -> joined (join mary/tab1)" in lines


# ---- guests (issue 12) ----

def test_a_guest_is_added_to_a_running_group_call_without_ringing_anyone():
    outcome = lifecycle.add_guest(group(), GUEST, LATER)
    assert outcome.call.participant(GUEST).state is None and outcome.events == ()


def test_a_stopped_call_takes_no_guest_naming_its_state():
    with pytest.raises(CallStateError, match="stopped"):
        lifecycle.add_guest(group(CallState.STOPPED), GUEST, LATER)


def test_a_peer_call_takes_no_guest():
    with pytest.raises(InvalidCallArgument, match="1:1"):
        lifecycle.add_guest(peer(), GUEST, LATER)


def test_only_guest_ids_are_added_as_guests():
    with pytest.raises(InvalidCallArgument, match="not a guest id"):
        lifecycle.add_guest(group(), "paul", LATER)


def test_an_added_guest_joins_like_any_participant():
    call = lifecycle.add_guest(group(), GUEST, LATER).call
    outcome = lifecycle.join(call, GUEST, "gtab", LATER)
    assert outcome.call.participant(GUEST).joined and kinds(outcome) == [("joined", GUEST)]


def test_removed_guests_are_told_they_left_while_still_listed():
    call = group(CallState.STARTED, part("john", JOINED, "t1"), part(GUEST, JOINED, "g1"))
    outcome = lifecycle.remove_guests(call, [GUEST], LATER)
    assert outcome.call.participant(GUEST) is None
    assert kinds(outcome) == [("leaved", GUEST)] and GUEST in outcome.events[0].recipients


def test_remove_guests_never_removes_members():
    call = group(CallState.STARTED, part("john", JOINED, "t1"))
    assert lifecycle.remove_guests(call, ["john"], LATER).call == call


def test_removing_the_last_joined_guests_stops_the_call():
    call = group(CallState.STARTED, part("john", LEAVED), part(GUEST, JOINED, "g1"))
    outcome = lifecycle.remove_guests(call, [GUEST], LATER)
    assert outcome.call.state == CallState.STOPPED
    assert kinds(outcome)[-1] == ("state", "stopped", EndReason.ENDED, ("john",))


def test_a_call_left_to_guests_ends_once_the_grace_period_passed():
    call = group(CallState.STARTED, part("john", LEAVED), part(GUEST, JOINED, "g1"))
    assert lifecycle.end_guests_alone(call, NOW + dt.timedelta(seconds=9), dt.timedelta(seconds=10)).call == call
    ended = lifecycle.end_guests_alone(call, NOW + dt.timedelta(seconds=10), dt.timedelta(seconds=10))
    assert ended.call.state == CallState.STOPPED and not ended.call.participant(GUEST).joined


def test_a_call_with_a_member_joined_is_not_left_to_guests():
    call = group(CallState.STARTED, part("john", JOINED, "t1"), part(GUEST, JOINED, "g1"))
    assert not lifecycle.guests_alone(call)
    assert lifecycle.end_guests_alone(call, LATER, dt.timedelta(0)).call == call



# ---- ring timeout ----

def test_an_unanswered_peer_call_ends_as_no_answer_and_the_callee_misses_it():
    call = peer(CallState.STARTED, part("john", JOINED, "j1"), part("mary"))
    outcome = lifecycle.ring_timeout(call, LATER)
    assert outcome.deleted
    assert [e.to_wire() for e in outcome.events] == [
        {"eventType": "call_state", "callId": "p/john-mary", "providerType": "webrtc", "callState": "stopped",
         "owner": {"id": "john", "type": "user"}, "reason": "no_answer"},
        {"eventType": "call_missed", "callId": "p/john-mary", "providerType": "webrtc", "caller": {"id": "john"},
         "owner": {"id": "john", "type": "user"}}]
    assert [e.recipients for e in outcome.events] == [("john", "mary"), ("mary",)]


def test_a_group_call_stops_ringing_the_members_who_did_not_join_and_goes_on():
    call = group(CallState.STARTED, part("john", JOINED, "j1"), part("mary"), part("james", JOINED, "x1"))
    outcome = lifecycle.ring_timeout(call, LATER)
    assert outcome.call.state == CallState.STARTED
    assert [p.state for p in outcome.call.participants] == [JOINED, LEAVED, JOINED]
    assert kinds(outcome)[0] == ("state", "stopped", EndReason.NO_ANSWER, ("mary",))
    assert outcome.events[1].to_wire()["eventType"] == "call_missed" and outcome.events[1].recipients == ("mary",)


def test_a_ring_timeout_with_nobody_ringing_changes_nothing():
    call = group(CallState.STARTED, part("john", JOINED, "j1"), part("mary", LEAVED))
    outcome = lifecycle.ring_timeout(call, LATER)
    assert outcome.call == call and outcome.events == ()


def test_a_member_who_missed_a_group_call_may_still_join_it():
    missed = lifecycle.ring_timeout(group(CallState.STARTED, part("john", JOINED, "j1"), part("mary")), LATER)
    assert lifecycle.join(missed.call, "mary", "m1", LATER).call.participant("mary").joined


# ---- who joined, and when (issue 11: the call history tells answered calls by it) ----

def test_joining_remembers_when_the_participant_first_joined():
    outcome = lifecycle.join(peer(), "mary", "tab", LATER)
    assert outcome.call.participant("mary").joined_at == LATER


def test_a_second_tab_keeps_the_first_join_time():
    call = lifecycle.join(peer(), "mary", "tab1", NOW).call
    assert lifecycle.join(call, "mary", "tab2", LATER).call.participant("mary").joined_at == NOW


def test_leaving_keeps_the_join_time():
    call = lifecycle.join(group(), "mary", "tab", NOW).call
    call = lifecycle.join(call, "john", "tab-j", NOW).call
    assert lifecycle.leave(call, "mary", "tab", LATER).call.participant("mary").joined_at == NOW


def test_starting_a_stopped_call_again_forgets_the_previous_joins():
    stopped = group(CallState.STOPPED, Participant("john", LEAVED, joined_at=NOW),
                    Participant("mary", LEAVED, joined_at=NOW), part("james"))
    after = lifecycle.join(stopped, "james", "tab", LATER).call
    assert [(p.user_id, p.joined_at) for p in after.participants] == [
        ("john", None), ("mary", None), ("james", LATER)]
