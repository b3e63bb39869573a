"""Many threads on the same group call leave a consistent participant list (the server runs many greenlets)."""
from __future__ import annotations

import threading

import pytest

from webconferencing.errors import CallConflict
from webconferencing.info import group_call_id

from ..postgres_server import with_settings

SPACE_CALL = group_call_id("marketing")  # members: mary, root, paul, bob, carol, dave
MEMBERS = ["mary", "root", "paul", "bob", "carol", "dave"]


def run_threads(count, target, expected=()):
    """Run ``target(i)`` on ``count`` threads released at once; returns the errors of the ``expected`` types, and
    fails on any other."""
    errors = []
    barrier = threading.Barrier(count)

    def run(i):
        try:
            barrier.wait()
            target(i)
        except Exception as e:  # collected: a thread's failure must fail the test
            errors.append(e)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert [e for e in errors if not isinstance(e, expected)] == []
    return errors


def test_fifty_threads_joining_and_leaving_leave_a_consistent_call(service):
    service.add_call(SPACE_CALL, "marketing", "space", None, "mycall", ["mary"])

    def join_and_leave(i):
        user = MEMBERS[i % len(MEMBERS)]
        service.join_call(SPACE_CALL, user, f"{user}-tab{i}")
        if i % 5:  # one tab in five stays
            service.leave_call(SPACE_CALL, user, f"{user}-tab{i}")

    run_threads(50, join_and_leave)
    call = service.get_call(SPACE_CALL)
    staying = {MEMBERS[i % len(MEMBERS)] for i in range(50) if i % 5 == 0}
    assert sorted(call.participant_ids()) == sorted(MEMBERS)  # every member added once
    assert {p.id for p in call.participants if p.state == "joined"} == staying
    assert call.state == "started"
    # the staying tabs leave: the call stops, nobody stays joined
    for i in range(0, 50, 5):
        user = MEMBERS[i % len(MEMBERS)]
        call = service.leave_call(SPACE_CALL, user, f"{user}-tab{i}")
    assert call.state == "stopped" and all(p.state == "leaved" for p in call.participants)


def test_fifty_threads_joining_then_all_leaving_stop_the_call_exactly_once(service, inbox):
    service.add_call(SPACE_CALL, "marketing", "space", None, "mycall", MEMBERS)
    box = inbox("mary")
    run_threads(50, lambda i: service.join_call(SPACE_CALL, MEMBERS[i % 6], f"tab{i}"))
    assert all(p.state == "joined" for p in service.get_call(SPACE_CALL).participants)
    run_threads(50, lambda i: service.leave_call(SPACE_CALL, MEMBERS[i % 6], f"tab{i}"))
    assert service.get_call(SPACE_CALL).state == "stopped"
    kinds = box.kinds("mary")
    assert kinds.count(("call_state", "stopped")) == 1
    assert sorted(k for k in kinds if k[0] == "call_joined") == sorted(("call_joined", u) for u in MEMBERS)


def test_threads_adding_the_same_call_at_once_create_it_once_and_the_others_get_a_conflict(service, inbox):
    box = inbox("mary")
    conflicts = run_threads(20, lambda i: service.add_call(SPACE_CALL, "marketing", "space", f"Take {i}", "mycall",
                                                           MEMBERS), expected=(CallConflict,))
    assert len(conflicts) == 19
    assert sorted(service.get_call(SPACE_CALL).participant_ids()) == sorted(MEMBERS)
    assert box.kinds("mary") == [("call_state", "started")]


@pytest.mark.backends("postgresql")
def test_joins_and_leaves_keep_working_when_the_server_defaults_to_serializable(db_url, boot_core):
    # a DBA's default isolation must not turn the row-locked read-modify-write of a join into serialization errors
    service = boot_core(**{"webconferencing.db.url": with_settings(
        db_url, default_transaction_isolation="serializable")}).service
    service.add_call(SPACE_CALL, "marketing", "space", None, "mycall", MEMBERS)
    run_threads(30, lambda i: service.join_call(SPACE_CALL, MEMBERS[i % 6], f"tab{i}"))
    run_threads(30, lambda i: service.leave_call(SPACE_CALL, MEMBERS[i % 6], f"tab{i}"))
    call = service.get_call(SPACE_CALL)
    assert call.state == "stopped" and all(p.state == "leaved" for p in call.participants)
