"""The call history (issue 11): one row per call per user who took part, and when each user last looked at it.

Two tables (:func:`create_history_tables`), deliberately without a foreign key to ``wc_call``: an entry outlives its
call (1:1 calls are deleted when they end, stopped group calls by the retention). ``wc_call_history`` is read one
page at a time, newest first, through the index ``(user_id, ended_at, id)``: a user with 100,000 calls reads a page
without a sort. A user who leaves and rejoins the same run of a group call keeps one entry (unique ``user_id,
call_id, started_at``), its end moved on. ``wc_call_history_seen`` holds when the user last opened their calls: the
missed-calls badge counts what came after.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from peewee import AutoField, CharField, DateTimeField, IntegerField, TextField

from ..calls.history import Direction, HistoryEntry, HistoryOutcome
from .calls import run_rows
from .models import BaseModel, database_proxy


class CallHistoryRecord(BaseModel):
    id = AutoField()
    user_id = CharField(max_length=255)
    call_id = CharField(max_length=255)
    provider_type = CharField(max_length=64)
    title = CharField(max_length=255)
    owner_id = CharField(max_length=255)
    owner_type = CharField(max_length=32)
    direction = CharField(max_length=16)
    outcome = CharField(max_length=16)
    started_at = DateTimeField()
    ended_at = DateTimeField()
    duration_seconds = IntegerField()
    parties = TextField()  # JSON list of the other parties' ids

    class Meta:
        table_name = "wc_call_history"
        indexes = ((("user_id", "ended_at", "id"), False), (("user_id", "call_id", "started_at"), True))


class CallHistorySeenRecord(BaseModel):
    user_id = CharField(max_length=255, primary_key=True)
    seen_at = DateTimeField()

    class Meta:
        table_name = "wc_call_history_seen"


HISTORY_MODELS = [CallHistoryRecord, CallHistorySeenRecord]


def create_history_tables(db) -> None:
    db.create_tables(HISTORY_MODELS, safe=True)


@dataclass(frozen=True)
class Cursor:
    """Where a page ended: the last entry's end and id (ends can be equal; ids break the tie)."""

    ended_at: dt.datetime
    entry_id: int

    def encode(self) -> str:
        return f"{self.ended_at.strftime('%Y%m%dT%H%M%S.%f')}_{self.entry_id}"

    @classmethod
    def decode(cls, text: str) -> "Cursor":
        """A ``before`` value from a previous page; ValueError for anything else."""
        stamp, _, entry_id = text.partition("_")
        return cls(dt.datetime.strptime(stamp, "%Y%m%dT%H%M%S.%f"), int(entry_id))


@dataclass(frozen=True)
class StoredHistoryEntry:
    entry: HistoryEntry
    cursor: Cursor


_INSERT_ENTRY = (
    "INSERT INTO wc_call_history (user_id, call_id, provider_type, title, owner_id, owner_type, direction, outcome, "
    "started_at, ended_at, duration_seconds, parties) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (user_id, call_id, started_at) DO UPDATE SET ended_at = excluded.ended_at, "
    "duration_seconds = excluded.duration_seconds, outcome = excluded.outcome, title = excluded.title")


class CallHistoryDAO:
    """Every method runs inside the caller's transaction."""

    def add(self, entries: list[HistoryEntry]) -> None:
        """Written out in SQL (SQLite >= 3.24 and PostgreSQL share ON CONFLICT): it runs whenever a call ends for
        someone, and building it through peewee's query compiler cost more than the rest of the operation."""
        if not entries:
            return
        to_db = CallHistoryRecord.started_at.db_value
        # one multi-row statement; its entries are of one call run, one per user, so no key meets ON CONFLICT twice
        run_rows(_INSERT_ENTRY.replace("?", database_proxy.obj.param),
                 [(entry.user_id, entry.call_id, entry.provider_type, entry.title, entry.owner_id, entry.owner_type,
                   str(entry.direction), str(entry.outcome), to_db(entry.started_at), to_db(entry.ended_at),
                   entry.duration_seconds, json.dumps(list(entry.parties))) for entry in entries])

    def page(self, user_id: str, limit: int, before: Cursor | None = None) -> list[StoredHistoryEntry]:
        """Up to ``limit`` entries of the user, newest end first, older than ``before`` when given."""
        query = CallHistoryRecord.select().where(CallHistoryRecord.user_id == user_id)
        if before is not None:
            # the first term bounds the index range, the second breaks ties of equal ends by id
            query = query.where((CallHistoryRecord.ended_at <= before.ended_at)
                                & ((CallHistoryRecord.ended_at < before.ended_at)
                                   | (CallHistoryRecord.id < before.entry_id)))
        query = query.order_by(CallHistoryRecord.ended_at.desc(), CallHistoryRecord.id.desc()).limit(limit)
        return [StoredHistoryEntry(_entry(row), Cursor(_date(row.ended_at), row.id)) for row in query]

    def missed_since(self, user_id: str, since: dt.datetime | None) -> int:
        """Incoming calls the user missed after ``since`` (all of them when None)."""
        query = CallHistoryRecord.select().where(
            (CallHistoryRecord.user_id == user_id) & (CallHistoryRecord.outcome == str(HistoryOutcome.MISSED))
            & (CallHistoryRecord.direction == str(Direction.INCOMING)))
        if since is not None:
            query = query.where(CallHistoryRecord.ended_at > since)
        return query.count()

    def seen_at(self, user_id: str) -> dt.datetime | None:
        row = CallHistorySeenRecord.get_or_none(CallHistorySeenRecord.user_id == user_id)
        return _date(row.seen_at) if row is not None else None

    def mark_seen(self, user_id: str, when: dt.datetime) -> None:
        (CallHistorySeenRecord.insert(user_id=user_id, seen_at=when)
         .on_conflict(conflict_target=[CallHistorySeenRecord.user_id], preserve=[CallHistorySeenRecord.seen_at])
         .execute())


def _date(value) -> dt.datetime:
    """Naive UTC; SQLite may hand back text."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None) if value.tzinfo else value


def _entry(row: CallHistoryRecord) -> HistoryEntry:
    return HistoryEntry(
        user_id=row.user_id, call_id=row.call_id, provider_type=row.provider_type, title=row.title,
        owner_id=row.owner_id, owner_type=row.owner_type, direction=Direction(row.direction),
        outcome=HistoryOutcome(row.outcome), started_at=_date(row.started_at), ended_at=_date(row.ended_at),
        duration_seconds=row.duration_seconds, parties=tuple(json.loads(row.parties)))
