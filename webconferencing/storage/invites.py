"""A call's invitation (its secret link id), the identities it invites, and the guests admitted through it.

Three tables (schema migration 5, :func:`create_invite_tables`), each row going with its call (``ON DELETE
CASCADE``): ``wc_call_invitation`` (one secret id per call, made on first use, replaced when the link is revoked),
``wc_call_invite`` (the invited identities: a user, a group such as a space, or ``*`` for everyone with the link) and
``wc_call_guest`` (a guest: an id, a display name, the invitation id that admitted them; a guest whose invitation id
is no longer the call's has lost access). The rules are :mod:`webconferencing.invites`'; every method here runs
inside the caller's transaction.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import CharField, CompositeKey, DateTimeField, ForeignKeyField

from .models import BaseModel, CallRecord


class CallInvitationRecord(BaseModel):
    call = ForeignKeyField(CallRecord, column_name="call_id", primary_key=True, on_delete="CASCADE")
    invitation_id = CharField(max_length=64, unique=True)
    created = DateTimeField()

    class Meta:
        table_name = "wc_call_invitation"


class CallInviteRecord(BaseModel):
    call = ForeignKeyField(CallRecord, column_name="call_id", on_delete="CASCADE")
    identity = CharField(max_length=255)
    identity_type = CharField(max_length=16)

    class Meta:
        table_name = "wc_call_invite"
        primary_key = CompositeKey("call", "identity", "identity_type")


class CallGuestRecord(BaseModel):
    guest_id = CharField(max_length=64, primary_key=True)
    call = ForeignKeyField(CallRecord, column_name="call_id", on_delete="CASCADE", index=True)
    display_name = CharField(max_length=100)
    invitation_id = CharField(max_length=64)
    created = DateTimeField()

    class Meta:
        table_name = "wc_call_guest"


INVITE_MODELS = [CallInvitationRecord, CallInviteRecord, CallGuestRecord]


def create_invite_tables(db) -> None:
    db.create_tables(INVITE_MODELS, safe=True)


@dataclass(frozen=True)
class StoredInvite:
    identity: str
    identity_type: str


@dataclass(frozen=True)
class StoredGuest:
    guest_id: str
    call_id: str
    display_name: str
    invitation_id: str


class InviteDAO:
    # ---- the invitation id ----

    def invitation_id(self, call_id: str) -> str | None:
        row = CallInvitationRecord.get_or_none(CallInvitationRecord.call == call_id)
        return row.invitation_id if row else None

    def set_invitation_id(self, call_id: str, invitation_id: str, now: dt.datetime) -> None:
        updated = (CallInvitationRecord.update(invitation_id=invitation_id, created=now)
                   .where(CallInvitationRecord.call == call_id).execute())
        if not updated:
            CallInvitationRecord.insert(call=call_id, invitation_id=invitation_id, created=now).execute()

    # ---- invited identities ----

    def invites(self, call_id: str) -> list[StoredInvite]:
        rows = (CallInviteRecord.select(CallInviteRecord.identity, CallInviteRecord.identity_type)
                .where(CallInviteRecord.call == call_id)
                .order_by(CallInviteRecord.identity_type, CallInviteRecord.identity).tuples())
        return [StoredInvite(identity, identity_type) for identity, identity_type in rows]

    def replace_invites(self, call_id: str, invites: list[StoredInvite]) -> None:
        CallInviteRecord.delete().where(CallInviteRecord.call == call_id).execute()
        if invites:
            CallInviteRecord.insert_many([(call_id, i.identity, i.identity_type) for i in invites],
                                         fields=[CallInviteRecord.call, CallInviteRecord.identity,
                                                 CallInviteRecord.identity_type]).execute()

    # ---- guests ----

    def add_guest(self, guest: StoredGuest, now: dt.datetime) -> None:
        CallGuestRecord.insert(guest_id=guest.guest_id, call=guest.call_id, display_name=guest.display_name,
                               invitation_id=guest.invitation_id, created=now).execute()

    def guest(self, guest_id: str) -> StoredGuest | None:
        row = CallGuestRecord.get_or_none(CallGuestRecord.guest_id == guest_id)
        return _guest(row) if row else None

    def guests(self, call_id: str) -> list[StoredGuest]:
        rows = (CallGuestRecord.select().where(CallGuestRecord.call == call_id)
                .order_by(CallGuestRecord.created, CallGuestRecord.guest_id))
        return [_guest(r) for r in rows]

    def remove_guests(self, guest_ids: list[str]) -> None:
        if guest_ids:
            CallGuestRecord.delete().where(CallGuestRecord.guest_id.in_(guest_ids)).execute()


def _guest(row: CallGuestRecord) -> StoredGuest:
    return StoredGuest(row.guest_id, row.call_id, row.display_name, row.invitation_id)
