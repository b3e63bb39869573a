"""Calls, their participants and clients, and the per-user group-call index.

Plain rows in, plain rows out: the service turns them into info objects. Every method expects to run inside the
caller's transaction (``Database.write()`` / ``read()``).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from peewee import fn

from .models import database_proxy, CallRecord, ParticipantClientRecord, ParticipantRecord, UserGroupCallRecord


@dataclass
class StoredParticipant:
    user_id: str
    state: str | None = None
    client_id: str | None = None


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


_CALL_COLUMNS = (CallRecord.id, CallRecord.provider_type, CallRecord.owner_id, CallRecord.owner_type,
                 CallRecord.title, CallRecord.state, CallRecord.created, CallRecord.last_date)


class CallDAO:
    def get(self, call_id: str, for_update: bool = False) -> StoredCall | None:
        query = CallRecord.select(*_CALL_COLUMNS).where(CallRecord.id == call_id)
        if for_update and database_proxy.obj.for_update:
            query = query.for_update()  # a row lock where supported; SQLite's write transaction locks the database
        row = query.tuples().first()
        if row is None:
            return None
        call = StoredCall(*row)
        call.participants = self.participants(call_id)
        return call

    def get_many(self, call_ids: list[str]) -> list[StoredCall]:
        """Calls in the order of ``call_ids``, skipping ids that no longer exist."""
        if not call_ids:
            return []
        calls = {row[0]: StoredCall(*row) for row in
                 CallRecord.select(*_CALL_COLUMNS).where(CallRecord.id.in_(call_ids)).tuples()}
        parts = (ParticipantRecord
                 .select(ParticipantRecord.call, ParticipantRecord.user_id, ParticipantRecord.state,
                         ParticipantRecord.client_id)
                 .where(ParticipantRecord.call.in_(list(calls)))
                 .order_by(ParticipantRecord.call, ParticipantRecord.position).tuples())
        for call_id, user_id, state, client_id in parts:
            calls[call_id].participants.append(StoredParticipant(user_id, state, client_id))
        return [calls[cid] for cid in call_ids if cid in calls]

    def exists(self, call_id: str) -> bool:
        return CallRecord.select(CallRecord.id).where(CallRecord.id == call_id).exists()

    def participants(self, call_id: str) -> list[StoredParticipant]:
        rows = (ParticipantRecord
                .select(ParticipantRecord.user_id, ParticipantRecord.state, ParticipantRecord.client_id)
                .where(ParticipantRecord.call == call_id)
                .order_by(ParticipantRecord.position).tuples())
        return [StoredParticipant(*row) for row in rows]

    def create(self, call: StoredCall) -> None:
        CallRecord.insert(id=call.id, provider_type=call.provider_type, owner_id=call.owner_id,
                          owner_type=call.owner_type, title=call.title, state=call.state, created=call.created,
                          last_date=call.last_date).execute()
        if call.participants:
            ParticipantRecord.insert_many(
                [(call.id, p.user_id, i, p.state, p.client_id) for i, p in enumerate(call.participants)],
                fields=[ParticipantRecord.call, ParticipantRecord.user_id, ParticipantRecord.position,
                        ParticipantRecord.state, ParticipantRecord.client_id]).execute()

    def update(self, call_id: str, **fields) -> None:
        CallRecord.update(**fields).where(CallRecord.id == call_id).execute()

    def delete(self, call_id: str) -> None:
        # explicit deletes: the outcome must not depend on the database enforcing cascades
        ParticipantClientRecord.delete().where(ParticipantClientRecord.call == call_id).execute()
        ParticipantRecord.delete().where(ParticipantRecord.call == call_id).execute()
        UserGroupCallRecord.delete().where(UserGroupCallRecord.call == call_id).execute()
        CallRecord.delete().where(CallRecord.id == call_id).execute()

    # ---- participants ----

    def add_participant(self, call_id: str, user_id: str, state: str | None = None,
                        client_id: str | None = None) -> None:
        position = (ParticipantRecord.select(fn.COALESCE(fn.MAX(ParticipantRecord.position), -1) + 1)
                    .where(ParticipantRecord.call == call_id).scalar())
        ParticipantRecord.insert(call=call_id, user_id=user_id, position=position, state=state,
                                 client_id=client_id).execute()

    def remove_participants(self, call_id: str, user_ids: list[str]) -> None:
        if not user_ids:
            return
        ParticipantClientRecord.delete().where((ParticipantClientRecord.call == call_id)
                                               & ParticipantClientRecord.user_id.in_(user_ids)).execute()
        ParticipantRecord.delete().where((ParticipantRecord.call == call_id)
                                         & ParticipantRecord.user_id.in_(user_ids)).execute()

    def set_participant(self, call_id: str, user_id: str, state: str | None, client_id: str | None) -> None:
        (ParticipantRecord.update(state=state, client_id=client_id)
         .where((ParticipantRecord.call == call_id) & (ParticipantRecord.user_id == user_id)).execute())

    def leave_all(self, call_id: str, state: str) -> None:
        """Every joined participant leaves (the call stopped): no client stays attached."""
        ParticipantClientRecord.delete().where(ParticipantClientRecord.call == call_id).execute()
        (ParticipantRecord.update(state=state)
         .where((ParticipantRecord.call == call_id) & ParticipantRecord.state.is_null(False)).execute())

    # ---- clients (browser tabs) ----

    def add_client(self, call_id: str, user_id: str, client_id: str) -> None:
        (ParticipantClientRecord.insert(call=call_id, user_id=user_id, client_id=client_id)
         .on_conflict_ignore().execute())

    def remove_client(self, call_id: str, user_id: str, client_id: str) -> None:
        (ParticipantClientRecord.delete()
         .where((ParticipantClientRecord.call == call_id) & (ParticipantClientRecord.user_id == user_id)
                & (ParticipantClientRecord.client_id == client_id)).execute())

    def clients(self, call_id: str, user_id: str) -> list[str]:
        return [cid for (cid,) in ParticipantClientRecord
                .select(ParticipantClientRecord.client_id)
                .where((ParticipantClientRecord.call == call_id) & (ParticipantClientRecord.user_id == user_id))
                .tuples()]

    # ---- per-user indexes ----

    def touch_group_calls(self, call_id: str, user_ids: list[str], when: dt.datetime) -> None:
        if not user_ids:
            return
        (UserGroupCallRecord.insert_many([(uid, call_id, when) for uid in user_ids],
                                         fields=[UserGroupCallRecord.user_id, UserGroupCallRecord.call,
                                                 UserGroupCallRecord.last_date])
         .on_conflict(conflict_target=[UserGroupCallRecord.user_id, UserGroupCallRecord.call],
                      update={UserGroupCallRecord.last_date: when}).execute())

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

    def is_participant(self, call_id: str, user_id: str) -> bool:
        return (ParticipantRecord.select(ParticipantRecord.user_id)
                .where((ParticipantRecord.call == call_id) & (ParticipantRecord.user_id == user_id)).exists())
