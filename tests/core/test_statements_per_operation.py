"""How many SQL statements each call operation sends to the database: the hot path's budget, as a specification.

Every join and leave of every tab is one write transaction under the database's write lock (SQLite) or the call's
row lock (PostgreSQL), so each statement is paid by every operation, while others wait. These tests pin the count
(transaction control excluded: peewee's ``peewee`` logger sees each statement sent, on both backends), so a change
that adds a query to the hot path fails here and has to say why; they never time anything.

Only statements on the call tables are counted (``wc_call*``, ``wc_participant*``, ``wc_user_group_call``): the
identity directory's cache may or may not be warm, and its look-ups are not the call's work.

Reading the call for a change costs one more statement on PostgreSQL (``locked_read``): the call's row lock, then
its participants. A statement that waited for the lock re-reads only the locked row, so participants joined to it
would come from before the wait; SQLite's write transaction holds the lock already and reads both at once.
"""
from __future__ import annotations

import logging
import re

import pytest

from webconferencing.info import group_call_id, peer_call_id

SPACE = "product_team"  # members: john, mary, james, jack, peter, alice
PEER_CALL = peer_call_id("john", "mary")
CALL_TABLES = re.compile(r"\b(wc_call\w*|wc_participant\w*|wc_user_group_call)\b")


class StatementLog(logging.Handler):
    """The call-table statements peewee sends while it is attached."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.statements: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if isinstance(record.msg, tuple) and CALL_TABLES.search(record.msg[0]):
            self.statements.append(record.msg[0])


@pytest.fixture
def locked_read(backend: str) -> int:
    """The statements of reading a call for a change beyond SQLite's one."""
    return {"sqlite": 0, "postgresql": 1}[backend]


@pytest.fixture
def count_statements():
    """``count_statements(action)``: the action's result and the call-table statements it sent."""
    logger = logging.getLogger("peewee")
    handler, level = StatementLog(), logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)

    def count(action):
        handler.statements.clear()
        result = action()
        return result, list(handler.statements)

    yield count
    logger.removeHandler(handler)
    logger.setLevel(level)


def test_placing_a_call_reads_it_inserts_it_with_its_participants_and_asks_who_is_busy(service, count_statements):
    _, statements = count_statements(
        lambda: service.add_call(PEER_CALL, "john", "user", None, "mycall", ["john", "mary"]))
    # the id taken? (no row to lock yet); the call; its participants, one multi-row insert; who is busy
    assert len(statements) == 4, statements


def test_joining_reads_the_call_and_its_tabs_then_writes_the_call_the_participant_and_the_tab(
        service, count_statements, locked_read):
    service.add_call(PEER_CALL, "john", "user", None, "mycall", ["john", "mary"])
    _, statements = count_statements(lambda: service.join_call(PEER_CALL, "john", "tab-john"))
    # the call with its participants; its tabs with whoever else holds this tab id; call; participant; tab
    assert len(statements) == 5 + locked_read, statements


def test_the_last_leave_of_a_1to1_call_writes_both_histories_in_one_statement_and_deletes_it(
        service, count_statements, locked_read):
    service.add_call(PEER_CALL, "john", "user", None, "mycall", ["john", "mary"])
    service.join_call(PEER_CALL, "john", "tab-john")
    service.join_call(PEER_CALL, "mary", "tab-mary")
    _, statements = count_statements(lambda: service.leave_call(PEER_CALL, "mary", "tab-mary"))
    # the call with its participants; its tabs; the history of both; tabs, participants, index, call deleted
    assert len(statements) == 7 + locked_read, statements
    assert sum("wc_call_history" in sql for sql in statements) == 1


def test_leaving_a_call_that_is_gone_is_one_read(service, count_statements):
    result, statements = count_statements(lambda: service.leave_call(PEER_CALL, "john", "tab-john"))
    assert result is None and len(statements) == 1, statements


@pytest.mark.parametrize("members", [["john", "mary", "james"], ["john", "mary", "james", "jack", "peter", "alice"]])
def test_a_group_call_costs_the_same_statements_whatever_its_size(service, count_statements, locked_read,
                                                                 members):
    call_id = group_call_id(SPACE)
    _, placing = count_statements(lambda: service.add_call(call_id, SPACE, "space", None, "mycall", members))
    _, joining = count_statements(lambda: service.join_call(call_id, "john", "tab-john"))
    _, ending = count_statements(lambda: service.leave_call(call_id, "john", "tab-john"))
    # as a 1:1 call's four, the participants in one multi-row insert, and everyone's group-call index in one more
    assert len(placing) == 5, placing
    assert len(joining) == 6 + locked_read, joining  # a join's five, and john's group-call index
    # the call with its participants; its tabs; every ended history (john's, and the missed calls of the
    # others) in one statement; the call stopped; john left; his tab gone
    assert len(ending) == 6 + locked_read, ending
