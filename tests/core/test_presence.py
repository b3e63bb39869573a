"""Process leases and the clean-up of clients nobody holds (webconferencing.presence), on SQLite and PostgreSQL:
the sweep a process runs at start-up and at every heartbeat, driven here by hand with real leases in the database.
(tests/faults does the same with real server processes killed with SIGKILL.)"""
from __future__ import annotations

import datetime as dt

import pytest

from webconferencing.info import group_call_id
from webconferencing.presence import PresenceSettings, ProcessPresence
from webconferencing.storage import Database, utcnow
from webconferencing.storage.calls import CallDAO
from webconferencing.storage.presence import PresenceDAO

SPACE = "product_team"  # members: john, mary, james, jack, peter, alice
CALL = group_call_id(SPACE)


@pytest.fixture
def database(core) -> Database:
    return core.container.get_component_instance_of_type(Database)


def presence(core, database, process_id: str, grace: float = 0.0) -> ProcessPresence:
    return ProcessPresence(core.service, database, PresenceSettings(lease_seconds=30, grace_seconds=grace),
                           process_id)


def joined(core) -> set[str]:
    return {p.id for p in core.service.get_call(CALL).participants if p.state == "joined"}


def held_by_a_dead_process(database, client_id: str, user_id: str) -> None:
    """What a process killed with SIGKILL leaves: its lease (already expired) and the clients it held."""
    dao = PresenceDAO()
    with database.write():
        past = utcnow() - dt.timedelta(minutes=5)
        dao.renew("dead", "elsewhere", past, past)
        dao.hold(client_id, user_id, "dead")


@pytest.fixture
def call_joined(core):
    core.service.add_call(CALL, SPACE, "space", "Weekly", "mycall", ["john", "mary", "james"])
    core.service.join_call(CALL, "john", "john-tab-1")
    core.service.join_call(CALL, "mary", "mary-tab-1")
    return CALL


def test_the_tabs_of_a_process_whose_lease_expired_leave_their_calls(core, database, call_joined, inbox):
    held_by_a_dead_process(database, "john-tab-1", "john")
    held_by_a_dead_process(database, "mary-tab-1", "mary")
    told = inbox("james")

    presence(core, database, "survivor").sweep()

    assert joined(core) == set()
    assert ("call_state", "stopped") in told.kinds("james")  # through the service: parties are told


def test_a_tab_held_by_a_live_process_stays(core, database, call_joined):
    held_by_a_dead_process(database, "john-tab-1", "john")
    live = presence(core, database, "live")
    live.holds_here = lambda client_id: client_id == "mary-tab-1"
    live.hold("mary-tab-1", "mary")

    live.sweep()

    assert joined(core) == {"mary"}


def test_a_joined_tab_that_no_process_ever_held_leaves_after_the_grace_period(core, database, call_joined):
    sweeper = presence(core, database, "sweeper", grace=3600)
    sweeper.holds_here = lambda client_id: client_id == "mary-tab-1"
    sweeper.hold("mary-tab-1", "mary")

    sweeper.sweep()  # john's tab is noticed unheld now: its grace period starts
    assert joined(core) == {"john", "mary"}
    presence(core, database, "sweeper", grace=0).sweep()

    assert joined(core) == {"mary"}


def test_a_tab_that_came_back_before_the_grace_period_ended_keeps_its_call(core, database, call_joined):
    held_by_a_dead_process(database, "john-tab-1", "john")
    held_by_a_dead_process(database, "mary-tab-1", "mary")
    back = presence(core, database, "new", grace=3600)
    back.sweep()  # the dead process's tabs are unheld from its lease's end
    back.holds_here = lambda client_id: client_id in ("john-tab-1", "mary-tab-1")
    back.hold("john-tab-1", "john")  # both tabs reconnect to the new process
    back.hold("mary-tab-1", "mary")

    presence(core, database, "other", grace=0).sweep()

    assert joined(core) == {"john", "mary"}


def test_a_client_recorded_as_ours_that_the_hub_does_not_serve_is_let_go(core, database, call_joined):
    mine = presence(core, database, "mine")
    mine.hold("john-tab-1", "john")  # recorded, but the hub lost it (a write that failed after the tab went)
    mine.hold("mary-tab-1", "mary")
    mine.holds_here = lambda client_id: client_id == "mary-tab-1"

    mine.sweep()  # let go now ...
    mine.sweep()  # ... and left once unheld for the grace period (0 here)

    assert joined(core) == {"mary"}


def test_a_stopping_process_lets_its_tabs_go_for_the_next_one(core, database, call_joined):
    stopping = presence(core, database, "stopping")
    stopping.hold("john-tab-1", "john")
    stopping.hold("mary-tab-1", "mary")
    stopping.close()

    next_one = presence(core, database, "next")
    next_one.sweep()

    assert joined(core) == set()


def test_old_stopped_group_calls_are_deleted_and_recent_ones_kept(core, database):
    core.service.add_call(CALL, SPACE, "space", "Weekly", "mycall", ["john", "mary"])
    core.service.stop_call(CALL)
    sweeper = ProcessPresence(core.service, database, PresenceSettings(retention_days=1), "sweeper")

    sweeper.sweep()
    assert core.service.get_call(CALL).state == "stopped"  # a day not passed: kept for history
    with database.write():
        CallDAO().update(CALL, last_date=utcnow() - dt.timedelta(days=2))
    sweeper.sweep()

    assert CALL not in [c.id for c in core.service.get_user_group_calls("john")]
