"""The call history through the service, on SQLite and PostgreSQL: written when a call ends for someone, read a page
at a time, kept across restarts and the retention of old calls; the missed-calls count since last seen."""
from __future__ import annotations

import datetime as dt

import pytest

from webconferencing.callhistory import CallHistory
from webconferencing.errors import InvalidCallArgument
from webconferencing.info import group_call_id, peer_call_id
from webconferencing.storage import utcnow
from webconferencing.storage.retention import expire_stopped_group_calls

SPACE = "product_team"  # members: john, mary, james, jack, peter, alice


def call_mary(service, title="Planning"):
    """john calls mary (his tab joins at once, as a connector's does)."""
    call_id = peer_call_id("john", "mary")
    service.add_call(call_id, "john", "user", title, "mycall", ["john", "mary"])
    service.join_call(call_id, "john", "tab-john")
    return call_id


def entries(service, user_id, **page):
    return CallHistory(service).page(user_id, **page).entries


def test_an_answered_call_is_in_both_histories_once_hung_up(service):
    call_id = call_mary(service)
    service.join_call(call_id, "mary", "tab-mary")
    service.leave_call(call_id, "mary", "tab-mary")

    [john], [mary] = entries(service, "john"), entries(service, "mary")
    assert (john["direction"], john["outcome"], mary["direction"], mary["outcome"]) == (
        "outgoing", "answered", "incoming", "answered")
    assert (mary["callId"], mary["providerType"], mary["title"], mary["owner"]) == (
        call_id, "mycall", "Planning", {"id": "john", "type": "user", "title": "John Smith"})
    assert [p["id"] for p in mary["parties"]] == ["john"]


def test_a_call_not_yet_ended_is_in_no_history(service):
    call_id = call_mary(service)
    service.join_call(call_id, "mary", "tab-mary")

    assert entries(service, "john") == [] and entries(service, "mary") == []


def test_an_unanswered_call_is_missed_by_the_callee_after_the_ring_timeout(service):
    call_mary(service)
    service.expire_ringing(0)

    [mary] = entries(service, "mary")
    assert (mary["direction"], mary["outcome"], mary["durationSeconds"]) == ("incoming", "missed", 0)


def test_a_declined_call_is_declined(service):
    call_id = call_mary(service)
    service.decline_call(call_id, "mary")

    assert [e["outcome"] for e in entries(service, "john") + entries(service, "mary")] == ["declined", "declined"]


def test_the_history_is_newest_first_in_pages_linked_by_next_before(service):
    for number in range(5):
        call_id = call_mary(service, f"Call {number}")
        service.decline_call(call_id, "mary")
    history = CallHistory(service)

    first = history.page("mary", limit=2)
    second = history.page("mary", limit=2, before=first.next_before)
    last = history.page("mary", limit=2, before=second.next_before)

    assert [e["title"] for e in first.entries + second.entries + last.entries] == [
        "Call 4", "Call 3", "Call 2", "Call 1", "Call 0"]
    assert last.next_before is None


def test_a_bad_cursor_is_refused_naming_the_field(service):
    with pytest.raises(InvalidCallArgument) as error:
        CallHistory(service).page("mary", before="not-a-cursor")
    assert error.value.field == "before"


def test_the_history_survives_a_restart(boot_core):
    first = boot_core()
    call_id = call_mary(first.service)
    first.service.decline_call(call_id, "mary")
    first.stop()

    assert [e["callId"] for e in entries(boot_core().service, "mary")] == [call_id]


def test_the_history_survives_the_retention_of_old_group_calls(service):
    call_id = group_call_id(SPACE)
    service.add_call(call_id, SPACE, "space", "Weekly", "mycall", ["john", "mary"])
    service.join_call(call_id, "john", "tab-john")
    service.join_call(call_id, "mary", "tab-mary")
    service.stop_call(call_id)
    with service.database.write():
        assert expire_stopped_group_calls(utcnow() + dt.timedelta(days=1), 10) == [call_id]

    assert [(e["callId"], e["outcome"]) for e in entries(service, "mary")] == [(call_id, "answered")]


def test_a_member_who_leaves_and_rejoins_a_group_call_keeps_one_entry(service):
    call_id = group_call_id(SPACE)
    service.add_call(call_id, SPACE, "space", "Weekly", "mycall", ["john", "mary"])
    service.join_call(call_id, "john", "tab-john")
    for _ in range(2):
        service.join_call(call_id, "mary", "tab-mary")
        service.leave_call(call_id, "mary", "tab-mary")

    assert len(entries(service, "mary")) == 1


def test_missed_calls_count_until_seen(service):
    history = CallHistory(service)
    call_mary(service)
    service.expire_ringing(0)
    assert history.missed_count("mary") == 1 and history.missed_count("john") == 0

    history.mark_seen("mary")

    assert history.missed_count("mary") == 0


def test_a_group_call_entry_names_its_space_and_the_other_parties(service):
    call_id = group_call_id(SPACE)
    service.add_call(call_id, SPACE, "space", "Weekly", "mycall", ["john", "mary", "james"])
    service.join_call(call_id, "john", "tab-john")
    service.join_call(call_id, "mary", "tab-mary")
    service.leave_call(call_id, "mary", "tab-mary")

    [mary] = entries(service, "mary")
    assert mary["owner"] == {"id": SPACE, "type": "space", "title": "Product Team"}
    assert [(p["id"], p["type"], p["title"]) for p in mary["parties"]] == [
        ("john", "user", "John Smith"), ("james", "user", "James Davis")]
