"""Which server process is alive, and which browser tabs (clients) each one holds.

Why in the shared database: a process killed with ``kill -9`` says nothing, and the calls its tabs had joined would
stay "joined" forever. Each process renews a lease (``wc_process_lease``) and records the clients it holds
(``wc_held_client``); once a lease has expired, any process (a survivor, or the same one restarted) lets that
process's clients go, and a client joined to a call that nobody holds leaves it after the grace period. The database
works for both SQLite and PostgreSQL deployments, with or without Redis.

Every method runs inside the caller's transaction (``Database.write()`` / ``read()``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import CharField, DateTimeField

from .models import BaseModel, ParticipantClientRecord


class ProcessLeaseRecord(BaseModel):
    id = CharField(max_length=64, primary_key=True)
    host = CharField(max_length=255)
    started = DateTimeField()
    expires = DateTimeField(index=True)

    class Meta:
        table_name = "wc_process_lease"


class HeldClientRecord(BaseModel):
    """A client and the process holding it; ``process_id`` null means nobody does since ``released``."""

    client_id = CharField(max_length=255, primary_key=True)
    user_id = CharField(max_length=255)
    process_id = CharField(max_length=64, null=True, index=True)
    released = DateTimeField(null=True)

    class Meta:
        table_name = "wc_held_client"


PRESENCE_MODELS = [ProcessLeaseRecord, HeldClientRecord]


def create_presence_tables(db) -> None:
    """Schema migration 4: the two tables, and the participant clients by client id (what an orphan is found by)."""
    db.create_tables(PRESENCE_MODELS, safe=True)
    db.execute_sql("CREATE INDEX IF NOT EXISTS wc_participant_client_client_id "
                   "ON wc_participant_client (client_id)")


@dataclass(frozen=True)
class Membership:
    """A client joined to a call (a row of ``wc_participant_client``)."""

    call_id: str
    user_id: str
    client_id: str


@dataclass(frozen=True)
class Orphan:
    """A client nobody holds, since ``released``."""

    client_id: str
    user_id: str
    released: dt.datetime


class PresenceDAO:
    def renew(self, process_id: str, host: str, now: dt.datetime, expires: dt.datetime) -> None:
        updated = (ProcessLeaseRecord.update(expires=expires)
                   .where(ProcessLeaseRecord.id == process_id).execute())
        if not updated:
            ProcessLeaseRecord.insert(id=process_id, host=host, started=now, expires=expires).execute()

    def expired_processes(self, now: dt.datetime) -> list[tuple[str, dt.datetime]]:
        return list(ProcessLeaseRecord.select(ProcessLeaseRecord.id, ProcessLeaseRecord.expires)
                    .where(ProcessLeaseRecord.expires < now).tuples())

    def end_process(self, process_id: str, released: dt.datetime) -> int:
        """The process is gone (its lease expired, or it stopped): its clients are held by nobody since
        ``released``. Returns how many clients it held."""
        count = (HeldClientRecord.update(process_id=None, released=released)
                 .where(HeldClientRecord.process_id == process_id).execute())
        ProcessLeaseRecord.delete().where(ProcessLeaseRecord.id == process_id).execute()
        return count

    def hold(self, client_id: str, user_id: str, process_id: str) -> None:
        updated = (HeldClientRecord.update(user_id=user_id, process_id=process_id, released=None)
                   .where(HeldClientRecord.client_id == client_id).execute())
        if not updated:
            HeldClientRecord.insert(client_id=client_id, user_id=user_id, process_id=process_id,
                                    released=None).on_conflict_ignore().execute()
            # a concurrent insert of the same client (another process adopting it) won: the last holder wins
            (HeldClientRecord.update(user_id=user_id, process_id=process_id, released=None)
             .where(HeldClientRecord.client_id == client_id).execute())

    def holder(self, client_id: str) -> str | None:
        row = (HeldClientRecord.select(HeldClientRecord.process_id)
               .where(HeldClientRecord.client_id == client_id).tuples().first())
        return row[0] if row else None

    def held_by(self, process_id: str) -> list[str]:
        return [cid for (cid,) in HeldClientRecord.select(HeldClientRecord.client_id)
                .where(HeldClientRecord.process_id == process_id).tuples()]

    def let_go(self, client_id: str, process_id: str, released: dt.datetime) -> bool:
        """This process no longer holds the client (it could not finish leaving its calls): someone else will."""
        return bool(HeldClientRecord.update(process_id=None, released=released)
                    .where((HeldClientRecord.client_id == client_id)
                           & (HeldClientRecord.process_id == process_id)).execute())

    def forget(self, client_id: str, process_id: str) -> bool:
        """The client is gone and left its calls; only the process holding it may forget it."""
        return bool(HeldClientRecord.delete()
                    .where((HeldClientRecord.client_id == client_id)
                           & (HeldClientRecord.process_id == process_id)).execute())

    def unheld_memberships(self) -> list[Membership]:
        """Call memberships whose client no process holds (no row, or a row released)."""
        held = (HeldClientRecord.select(HeldClientRecord.client_id)
                .where(HeldClientRecord.process_id.is_null(False)))
        query = (ParticipantClientRecord
                 .select(ParticipantClientRecord.call, ParticipantClientRecord.user_id,
                         ParticipantClientRecord.client_id)
                 .where(ParticipantClientRecord.client_id.not_in(held)).tuples())
        return [Membership(*row) for row in query]

    def note_unheld(self, memberships: list[Membership], now: dt.datetime) -> None:
        """Start the grace period of clients nobody holds and nobody had noticed yet (no row at all)."""
        for client_id, user_id in {(m.client_id, m.user_id) for m in memberships}:
            (HeldClientRecord.insert(client_id=client_id, user_id=user_id, process_id=None, released=now)
             .on_conflict_ignore().execute())

    def orphans(self, released_before: dt.datetime) -> list[Orphan]:
        query = (HeldClientRecord.select(HeldClientRecord.client_id, HeldClientRecord.user_id,
                                         HeldClientRecord.released)
                 .where(HeldClientRecord.process_id.is_null() & (HeldClientRecord.released < released_before))
                 .tuples())
        return [Orphan(client_id, user_id, _naive(released)) for client_id, user_id, released in query]

    def claim(self, orphan: Orphan) -> bool:
        """Take an orphan over to leave its calls: exactly one process succeeds, and none if its tab came back."""
        return bool(HeldClientRecord.delete()
                    .where((HeldClientRecord.client_id == orphan.client_id)
                           & HeldClientRecord.process_id.is_null()
                           & (HeldClientRecord.released == orphan.released)).execute())

    def memberships_of(self, client_id: str) -> list[Membership]:
        query = (ParticipantClientRecord
                 .select(ParticipantClientRecord.call, ParticipantClientRecord.user_id,
                         ParticipantClientRecord.client_id)
                 .where(ParticipantClientRecord.client_id == client_id).tuples())
        return [Membership(*row) for row in query]


def _naive(value) -> dt.datetime:
    """SQLite hands dates back as text when selected as tuples through some paths; peewee's field converts."""
    if isinstance(value, dt.datetime):
        return value
    return HeldClientRecord.released.python_value(value)

