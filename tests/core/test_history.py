"""The call history's entries, from the lifecycle alone: pure values in, entries out. No database.

Each scenario plays real lifecycle actions on a call, then reads the entries the ending action leaves."""
from __future__ import annotations

import datetime as dt

from webconferencing.calls import history, lifecycle
from webconferencing.calls.history import Direction, HistoryOutcome
from webconferencing.calls.model import Call

T0 = dt.datetime(2026, 12, 1, 12, 0)


def at(seconds: float) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def peer_call() -> Call:
    """john calls mary: created and joined by john at T0, mary rung."""
    call = lifecycle.create("p/john-mary", "webrtc", "john", "user", "Mary", ["john", "mary"], T0).call
    return lifecycle.join(call, "john", "tab-j", T0).call


def group_call() -> Call:
    """john starts the team's call at T0; mary and james are rung."""
    call = lifecycle.create("g/team", "webrtc", "team", "space", "Team", ["john", "mary", "james"], T0).call
    return lifecycle.join(call, "john", "tab-j", T0).call


def ending(before: Call, outcome: lifecycle.Outcome, now: dt.datetime) -> dict[str, tuple]:
    return {e.user_id: (e.direction, e.outcome, e.duration_seconds)
            for e in history.entries(before, outcome, now)}


def test_an_answered_call_hung_up_is_answered_for_both_with_the_talk_time():
    call = lifecycle.join(peer_call(), "mary", "tab-m", at(10)).call
    assert ending(call, lifecycle.leave(call, "john", "tab-j", at(70)), at(70)) == {
        "john": (Direction.OUTGOING, HistoryOutcome.ANSWERED, 60),
        "mary": (Direction.INCOMING, HistoryOutcome.ANSWERED, 60)}


def test_no_answer_is_missed_for_the_callee_and_the_caller():
    call = peer_call()
    assert ending(call, lifecycle.ring_timeout(call, at(45)), at(45)) == {
        "john": (Direction.OUTGOING, HistoryOutcome.MISSED, 0),
        "mary": (Direction.INCOMING, HistoryOutcome.MISSED, 0)}


def test_a_declined_call_is_declined_for_both():
    call = peer_call()
    assert ending(call, lifecycle.decline(call, "mary", at(5)), at(5)) == {
        "john": (Direction.OUTGOING, HistoryOutcome.DECLINED, 0),
        "mary": (Direction.INCOMING, HistoryOutcome.DECLINED, 0)}


def test_a_caller_who_gives_up_cancelled_and_the_callee_missed_it():
    call = peer_call()
    assert ending(call, lifecycle.leave(call, "john", "tab-j", at(5)), at(5)) == {
        "john": (Direction.OUTGOING, HistoryOutcome.CANCELLED, 0),
        "mary": (Direction.INCOMING, HistoryOutcome.MISSED, 0)}


def test_an_entry_keeps_the_call_its_times_and_the_other_party():
    call = lifecycle.join(peer_call(), "mary", "tab-m", at(10)).call
    entry = next(e for e in history.entries(call, lifecycle.leave(call, "mary", "tab-m", at(40)), at(40))
                 if e.user_id == "mary")
    assert (entry.call_id, entry.provider_type, entry.title, entry.owner_id, entry.owner_type, entry.started_at,
            entry.ended_at, entry.parties) == ("p/john-mary", "webrtc", "Mary", "john", "user", T0, at(40), ("john",))


def test_a_second_tab_leaving_ends_nothing():
    call = lifecycle.join(lifecycle.join(peer_call(), "mary", "tab-m", at(10)).call, "mary", "tab-m2", at(11)).call
    assert history.entries(call, lifecycle.leave(call, "mary", "tab-m", at(20)), at(20)) == []


def test_a_member_leaving_a_group_call_that_goes_on_gets_an_answered_entry_alone():
    call = lifecycle.join(group_call(), "mary", "tab-m", at(10)).call
    assert ending(call, lifecycle.leave(call, "mary", "tab-m", at(100)), at(100)) == {
        "mary": (Direction.INCOMING, HistoryOutcome.ANSWERED, 90)}


def test_the_ring_timeout_of_a_group_call_is_missed_only_for_those_rung():
    call = lifecycle.join(group_call(), "mary", "tab-m", at(10)).call
    assert ending(call, lifecycle.ring_timeout(call, at(45)), at(45)) == {
        "james": (Direction.INCOMING, HistoryOutcome.MISSED, 0)}


def test_a_group_starter_alone_who_hangs_up_cancelled_and_the_rung_missed_it():
    call = group_call()
    assert ending(call, lifecycle.leave(call, "john", "tab-j", at(20)), at(20)) == {
        "john": (Direction.OUTGOING, HistoryOutcome.CANCELLED, 0),
        "mary": (Direction.INCOMING, HistoryOutcome.MISSED, 0),
        "james": (Direction.INCOMING, HistoryOutcome.MISSED, 0)}


def test_a_member_declining_a_group_call_declined_it_alone():
    call = group_call()
    assert ending(call, lifecycle.decline(call, "mary", at(3)), at(3)) == {
        "mary": (Direction.INCOMING, HistoryOutcome.DECLINED, 0)}


def test_joining_ends_nothing():
    call = peer_call()
    assert history.entries(call, lifecycle.join(call, "mary", "tab-m", at(3)), at(3)) == []


def test_a_stopped_call_ends_nothing_again():
    call = lifecycle.join(group_call(), "mary", "tab-m", at(10)).call
    stopped = lifecycle.stop(call, at(60)).call
    assert history.entries(stopped, lifecycle.stop(stopped, at(90), remove=True), at(90)) == []
