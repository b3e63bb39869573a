"""Calls, their participants and clients, and the per-user group-call index.

Plain rows in, plain rows out: the service turns them into info objects. Every method expects to run inside the
caller's transaction (``Database.write()`` / ``read()``).

The statements of join/leave/add (the hot path) are written out in portable SQL (SQLite >= 3.24 and PostgreSQL
share the ON CONFLICT syntax) and only get their placeholder style from the database: building them through
peewee's query compiler cost about two thirds of each operation (bench/core_calls.py, cProfile). The rest uses
peewee queries.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from peewee import IntegrityError, fn

from ..errors import CallConflict
from .models import database_proxy, CallRecord, ParticipantClientRecord, ParticipantRecord, UserGroupCallRecord


@dataclass
class StoredParticipant:
    user_id: str
    state: str | None = None
    client_id: str | None = None
    joined_at: dt.datetime | None = None  # first join of this run of the call (issue 11: answered calls)


@dataclass
class StoredCall:
    id: str
    provider_type: str
    owner_id: str
    owner_type: str
    title: str
    state: str
    created: dt.datetime
    last_date: dt.datetime
    participants: list[StoredParticipant] = field(default_factory=list)

    def participant(self, user_id: str) -> StoredParticipant | None:
        for part in self.participants:
            if part.user_id == user_id:
                return part
        return None


_SQL = {
    "select_call_with_participants": "SELECT c.id, c.provider_type, c.owner_id, c.owner_type, c.title, c.state, "
                                     "c.created, c.last_date, p.user_id, p.state, p.client_id, p.joined_at "
                                     "FROM wc_call c LEFT JOIN wc_participant p ON p.call_id = c.id "
                                     "WHERE c.id = ? ORDER BY p.position",
    "select_participants": "SELECT user_id, state, client_id, joined_at FROM wc_participant "
                           "WHERE call_id = ? ORDER BY position",
    "insert_call": "INSERT INTO wc_call (id, provider_type, owner_id, owner_type, title, state, created, last_date) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    "insert_participant": "INSERT INTO wc_participant (call_id, user_id, position, state, client_id, joined_at) "
                          "VALUES (?, ?, ?, ?, ?, ?)",
    "set_participant": "UPDATE wc_participant SET state = ?, client_id = ?, joined_at = ? "
                       "WHERE call_id = ? AND user_id = ?",
    "set_call_state": "UPDATE wc_call SET state = ?, last_date = ? WHERE id = ?",
    "set_call": "UPDATE wc_call SET state = ?, title = ?, last_date = ? WHERE id = ?",
    "touch_call": "UPDATE wc_call SET last_date = ? WHERE id = ?",
    "insert_client": "INSERT INTO wc_participant_client (call_id, user_id, client_id) VALUES (?, ?, ?) "
                     "ON CONFLICT DO NOTHING",
    "delete_client": "DELETE FROM wc_participant_client WHERE call_id = ? AND user_id = ? AND client_id = ?",
    "select_clients": "SELECT client_id FROM wc_participant_client WHERE call_id = ? AND user_id = ?",
    "select_call_clients": "SELECT user_id, client_id FROM wc_participant_client WHERE call_id = ?",
    # a client id is the tab's of the user who joined calls from it, or whose websocket holds it (wc_held_client,
    # webconferencing/storage/presence.py): a tab between calls is in no call, and its id is no one else's either
    "select_client_owner": "SELECT user_id FROM wc_participant_client WHERE client_id = ? AND user_id <> ? "
                           "UNION ALL SELECT user_id FROM wc_held_client WHERE client_id = ? AND user_id <> ?",
    "select_call_clients_or_client": "SELECT call_id, user_id, client_id FROM wc_participant_client "
                                     "WHERE call_id = ? OR client_id = ? "
                                     "UNION ALL SELECT NULL, user_id, client_id FROM wc_held_client "
                                     "WHERE client_id = ?",
    "touch_group_call": "INSERT INTO wc_user_group_call (user_id, call_id, last_date) VALUES (?, ?, ?) "
                        "ON CONFLICT (user_id, call_id) DO UPDATE SET last_date = excluded.last_date",
    "delete_call_clients": "DELETE FROM wc_participant_client WHERE call_id = ?",
    "delete_call_participants": "DELETE FROM wc_participant WHERE call_id = ?",
    "delete_call_index": "DELETE FROM wc_user_group_call WHERE call_id = ?",
    "delete_call": "DELETE FROM wc_call WHERE id = ?",
}
_DATE_IN = CallRecord.created.db_value


def _date_out(value):
    """A stored date as a datetime. SQLite hands back ISO text, which ``fromisoformat`` reads directly; peewee's
    ``python_value`` tries ``strptime`` format after format, the most of the cost of reading a call. Anything
    ``fromisoformat`` refuses (a date written by another tool) still goes through peewee."""
    if isinstance(value, str):
        try:
            return dt.datetime.fromisoformat(value)
        except ValueError:
            return CallRecord.created.python_value(value)
    return value


def _date_or_none(value: dt.datetime | None):
    return _DATE_IN(value) if value is not None else None


class _Statements:
    """The statements above in the placeholder style of one database (``?`` or ``%s``)."""

    _by_param: dict[str, dict[str, str]] = {}

    @classmethod
    def of(cls, db) -> dict[str, str]:
        param = db.param
        statements = cls._by_param.get(param)
        if statements is None:
            statements = {name: sql.replace("?", param) for name, sql in _SQL.items()}
            statements["select_call_for_update"] = (
                "SELECT id, provider_type, owner_id, owner_type, title, state, created, last_date "
                f"FROM wc_call WHERE id = {param} FOR UPDATE")
            cls._by_param[param] = statements
        return statements


def _run(name: str, *params):
    db = database_proxy.obj
    return db.execute_sql(_Statements.of(db)[name], params)


ROWS_PER_INSERT = 100  # rows of one multi-row INSERT: 100 x 12 values stays under every backend's variable limit


@functools.lru_cache(maxsize=256)
def multi_row(sql: str, count: int) -> str:
    """``sql`` (an INSERT with one ``VALUES (...)`` group) inserting ``count`` rows: one round trip instead of
    ``count`` (SQLite >= 3.7.11 and PostgreSQL share the syntax)."""
    head, _, rest = sql.partition(" VALUES ")
    group, _, tail = rest.partition(")")
    return f"{head} VALUES {', '.join([group + ')'] * count)}{tail}"


def run_rows(sql: str, rows: list[tuple]) -> None:
    """Insert ``rows`` (each a tuple of the VALUES group's parameters) with as few statements as
    :data:`ROWS_PER_INSERT` allows; ``sql`` in the database's placeholder style already."""
    db = database_proxy.obj
    for start in range(0, len(rows), ROWS_PER_INSERT):
        chunk = rows[start:start + ROWS_PER_INSERT]
        db.execute_sql(multi_row(sql, len(chunk)), [value for row in chunk for value in row])


_CALL_COLUMNS = (CallRecord.id, CallRecord.provider_type, CallRecord.owner_id, CallRecord.owner_type,
                 CallRecord.title, CallRecord.state, CallRecord.created, CallRecord.last_date)


class CallDAO:
    def get(self, call_id: str, for_update: bool = False) -> StoredCall | None:
        if for_update and database_proxy.obj.for_update:
            # PostgreSQL: the call's row lock first, then the participants in a statement of their own. A statement
            # that waited for the lock re-reads only the locked row; a join in it would return the participants
            # from before the wait (READ COMMITTED takes a snapshot per statement, and the next one sees the
            # previous holder's commit).
            row = _run("select_call_for_update", call_id).fetchone()
            if row is None:
                return None
            call = StoredCall(*row[:6], _date_out(row[6]), _date_out(row[7]))
            call.participants = self.participants(call_id)
            return call
        # SQLite's write transaction already holds the database's write lock: the call and its participants in one
        # round trip (a call without participants is one row of NULLs on their side)
        rows = _run("select_call_with_participants", call_id).fetchall()
        if not rows:
            return None
        row = rows[0]
        call = StoredCall(*row[:6], _date_out(row[6]), _date_out(row[7]))
        call.participants = [StoredParticipant(user_id, state, client_id,
                                               _date_out(joined_at) if joined_at else None)
                             for *_, user_id, state, client_id, joined_at in rows if user_id is not None]
        return call

    def get_many(self, call_ids: list[str]) -> list[StoredCall]:
        """Calls in the order of ``call_ids``, skipping ids that no longer exist."""
        if not call_ids:
            return []
        calls = {row[0]: StoredCall(*row) for row in
                 CallRecord.select(*_CALL_COLUMNS).where(CallRecord.id.in_(call_ids)).tuples()}
        parts = (ParticipantRecord
                 .select(ParticipantRecord.call, ParticipantRecord.user_id, ParticipantRecord.state,
                         ParticipantRecord.client_id, ParticipantRecord.joined_at)
                 .where(ParticipantRecord.call.in_(list(calls)))
                 .order_by(ParticipantRecord.call, ParticipantRecord.position).tuples())
        for call_id, user_id, state, client_id, joined_at in parts:
            calls[call_id].participants.append(StoredParticipant(user_id, state, client_id, joined_at))
        return [calls[cid] for cid in call_ids if cid in calls]

    def participants(self, call_id: str) -> list[StoredParticipant]:
        return [StoredParticipant(user_id, state, client_id, _date_out(joined_at) if joined_at else None)
                for user_id, state, client_id, joined_at in _run("select_participants", call_id).fetchall()]

    def create(self, call: StoredCall) -> None:
        """Insert a new call; an existing id is a :class:`CallConflict`. The primary key decides, not an earlier
        look-up: on PostgreSQL two transactions can both find no call, and the second insert then waits for the
        first to commit and fails on the key."""
        try:
            _run("insert_call", call.id, call.provider_type, call.owner_id, call.owner_type, call.title,
                 call.state, _DATE_IN(call.created), _DATE_IN(call.last_date))
        except IntegrityError:
            raise CallConflict(f"call '{call.id}' already exists") from None
        run_rows(_Statements.of(database_proxy.obj)["insert_participant"],
                 [(call.id, part.user_id, position, part.state, part.client_id, _date_or_none(part.joined_at))
                  for position, part in enumerate(call.participants)])

    def set_state(self, call_id: str, state: str, last_date: dt.datetime) -> None:
        _run("set_call_state", state, _DATE_IN(last_date), call_id)

    def touch(self, call_id: str, last_date: dt.datetime) -> None:
        _run("touch_call", _DATE_IN(last_date), call_id)

    def update(self, call_id: str, **fields) -> None:
        CallRecord.update(**fields).where(CallRecord.id == call_id).execute()

    def delete(self, call_id: str) -> None:
        # explicit deletes: the outcome must not depend on the database enforcing cascades
        for statement in ("delete_call_clients", "delete_call_participants", "delete_call_index", "delete_call"):
            _run(statement, call_id)

    def add_participant(self, call_id: str, user_id: str, state: str | None = None,
                        client_id: str | None = None, joined_at: dt.datetime | None = None) -> None:
        position = (ParticipantRecord.select(fn.COALESCE(fn.MAX(ParticipantRecord.position), -1) + 1)
                    .where(ParticipantRecord.call == call_id).scalar())
        ParticipantRecord.insert(call=call_id, user_id=user_id, position=position, state=state,
                                 client_id=client_id, joined_at=joined_at).execute()

    def remove_participants(self, call_id: str, user_ids: list[str]) -> None:
        if not user_ids:
            return
        ParticipantClientRecord.delete().where((ParticipantClientRecord.call == call_id)
                                               & ParticipantClientRecord.user_id.in_(user_ids)).execute()
        ParticipantRecord.delete().where((ParticipantRecord.call == call_id)
                                         & ParticipantRecord.user_id.in_(user_ids)).execute()

    def set_participant(self, call_id: str, user_id: str, state: str | None, client_id: str | None,
                        joined_at: dt.datetime | None = None) -> None:
        _run("set_participant", state, client_id, _date_or_none(joined_at), call_id, user_id)

    def leave_all(self, call_id: str, state: str) -> None:
        """Every joined participant leaves (the call stopped): no client stays attached."""
        ParticipantClientRecord.delete().where(ParticipantClientRecord.call == call_id).execute()
        (ParticipantRecord.update(state=state)
         .where((ParticipantRecord.call == call_id) & ParticipantRecord.state.is_null(False)).execute())

    # ---- clients (browser tabs) ----

    def add_client(self, call_id: str, user_id: str, client_id: str) -> None:
        _run("insert_client", call_id, user_id, client_id)

    def remove_client(self, call_id: str, user_id: str, client_id: str) -> None:
        _run("delete_client", call_id, user_id, client_id)

    def clients(self, call_id: str, user_id: str) -> list[str]:
        return [cid for (cid,) in _run("select_clients", call_id, user_id).fetchall()]

    def clients_by_user(self, call_id: str) -> dict[str, set[str]]:
        """The tabs joined to a call, per user."""
        clients: dict[str, set[str]] = {}
        for user_id, client_id in _run("select_call_clients", call_id).fetchall():
            clients.setdefault(user_id, set()).add(client_id)
        return clients

    def clients_and_holder(self, call_id: str, user_id: str, client_id: str) -> tuple[dict[str, set[str]], str | None]:
        """:meth:`clients_by_user` of the call and :meth:`client_held_by_other` of ``client_id`` for ``user_id``,
        in one statement: a join asks both, under the write lock."""
        clients: dict[str, set[str]] = {}
        holder = None
        for row_call_id, row_user_id, row_client_id in _run("select_call_clients_or_client", call_id,
                                                              client_id, client_id).fetchall():
            if row_call_id == call_id:
                clients.setdefault(row_user_id, set()).add(row_client_id)
            if row_client_id == client_id and row_user_id != user_id and holder is None:
                holder = row_user_id
        return clients, holder

    def users_in_calls(self, user_ids: list[str], except_call: str | None = None) -> set[str]:
        """Those of ``user_ids`` joined in a running call (other than ``except_call``). Asked after every call
        operation (the answer shows who is busy): written out in SQL, as the other hot-path statements."""
        if not user_ids:
            return set()
        db = database_proxy.obj
        marks = ", ".join([db.param] * len(user_ids))
        sql = (f"SELECT DISTINCT p.user_id FROM wc_participant p JOIN wc_call c ON c.id = p.call_id "
               f"WHERE p.user_id IN ({marks}) AND p.state = 'joined' AND c.state = 'started' AND c.id <> {db.param}")
        return {uid for (uid,) in db.execute_sql(sql, (*user_ids, except_call or "")).fetchall()}

    def ringing_call_ids(self, changed_before: dt.datetime) -> list[str]:
        """Started calls unchanged since ``changed_before`` in which someone is still invited (being rung)."""
        query = (CallRecord.select(CallRecord.id).distinct()
                 .join(ParticipantRecord, on=(ParticipantRecord.call == CallRecord.id))
                 .where((CallRecord.state == "started") & (CallRecord.last_date < changed_before)
                        & ParticipantRecord.state.is_null(True)))
        return [cid for (cid,) in query.tuples()]

    def client_held_by_other(self, client_id: str, user_id: str) -> str | None:
        """The user, other than ``user_id``, whose tab uses ``client_id``: joined calls from it, or holds it (a client
        id is one tab's)."""
        row = _run("select_client_owner", client_id, user_id, client_id, user_id).fetchone()
        return row[0] if row else None

    def set_call(self, call_id: str, state: str, title: str, last_date: dt.datetime) -> None:
        _run("set_call", state, title, _DATE_IN(last_date), call_id)

    def touch_group_calls(self, call_id: str, user_ids: list[str], when: dt.datetime) -> None:
        stamp = _DATE_IN(when)
        # one row per user: ON CONFLICT DO UPDATE may not meet the same key twice in one PostgreSQL statement
        run_rows(_Statements.of(database_proxy.obj)["touch_group_call"],
                 [(user_id, call_id, stamp) for user_id in dict.fromkeys(user_ids)])

    def group_call_ids(self, user_id: str, limit: int | None = None) -> list[str]:
        query = (UserGroupCallRecord.select(UserGroupCallRecord.call)
                 .where(UserGroupCallRecord.user_id == user_id)
                 .order_by(UserGroupCallRecord.last_date.desc()))
        if limit:
            query = query.limit(limit)
        return [cid for (cid,) in query.tuples()]

    def call_ids_of_user(self, user_id: str) -> list[str]:
        query = (ParticipantRecord.select(ParticipantRecord.call)
                 .join(CallRecord).where(ParticipantRecord.user_id == user_id)
                 .order_by(CallRecord.last_date.desc()))
        return [cid for (cid,) in query.tuples()]

    def calls_ringing_user(self, user_id: str) -> list[str]:
        """Started calls in which the user is still invited (being rung), newest change first; not a 1:1 call
        they placed themselves (its caller is invited until their tab joins, but it never rings for them)."""
        own_peer_call = (CallRecord.owner_type == "user") & (CallRecord.owner_id == user_id)
        query = (ParticipantRecord.select(ParticipantRecord.call)
                 .join(CallRecord).where((ParticipantRecord.user_id == user_id) & ParticipantRecord.state.is_null()
                                         & (CallRecord.state == "started") & ~own_peer_call)
                 .order_by(CallRecord.last_date.desc()))
        return [cid for (cid,) in query.tuples()]

    def is_participant(self, call_id: str, user_id: str) -> bool:
        return (ParticipantRecord.select(ParticipantRecord.user_id)
                .where((ParticipantRecord.call == call_id) & (ParticipantRecord.user_id == user_id)).exists())
