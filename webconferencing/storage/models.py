"""Peewee models of everything the core stores.

Models are bound to ``database_proxy``; :class:`webconferencing.storage.Database` initialises it from the configured
URL, so the same models run on SQLite or PostgreSQL. Dates are naive UTC.
"""
from __future__ import annotations

from peewee import (BooleanField, CharField, CompositeKey, DatabaseProxy, DateTimeField, ForeignKeyField,
                    IntegerField, Model, TextField)

database_proxy = DatabaseProxy()


class BaseModel(Model):
    class Meta:
        database = database_proxy
        legacy_table_names = False


class SchemaVersion(BaseModel):
    version = IntegerField(primary_key=True)
    description = CharField(max_length=255)
    applied = DateTimeField()

    class Meta:
        table_name = "wc_schema_version"


# ---- calls ----

class CallRecord(BaseModel):
    id = CharField(max_length=255, primary_key=True)
    provider_type = CharField(max_length=64)
    owner_id = CharField(max_length=255)
    owner_type = CharField(max_length=32)
    title = CharField(max_length=255)
    state = CharField(max_length=16)
    created = DateTimeField()
    last_date = DateTimeField()

    class Meta:
        table_name = "wc_call"


class ParticipantRecord(BaseModel):
    call = ForeignKeyField(CallRecord, column_name="call_id", on_delete="CASCADE")
    user_id = CharField(max_length=255)
    position = IntegerField()
    state = CharField(max_length=16, null=True)  # null: invited
    client_id = CharField(max_length=255, null=True)  # the client that joined last
    joined_at = DateTimeField(null=True)  # first join of this run of the call (issue 11, schema migration 6)

    class Meta:
        table_name = "wc_participant"
        primary_key = CompositeKey("call", "user_id")


class ParticipantClientRecord(BaseModel):
    """One row per browser tab (client id) of a participant that is in the call."""

    call = ForeignKeyField(CallRecord, column_name="call_id", on_delete="CASCADE")
    user_id = CharField(max_length=255)
    client_id = CharField(max_length=255)

    class Meta:
        table_name = "wc_participant_client"
        primary_key = CompositeKey("call", "user_id", "client_id")


class UserGroupCallRecord(BaseModel):
    """The per-user index of group calls a user took part in, newest first."""

    user_id = CharField(max_length=255)
    call = ForeignKeyField(CallRecord, column_name="call_id", on_delete="CASCADE")
    last_date = DateTimeField()

    class Meta:
        table_name = "wc_user_group_call"
        primary_key = CompositeKey("user_id", "call")


class ProviderSettingRecord(BaseModel):
    provider_type = CharField(max_length=64)
    name = CharField(max_length=128)
    value = TextField()

    class Meta:
        table_name = "wc_provider_setting"
        primary_key = CompositeKey("provider_type", "name")


# ---- identities (the database directory) ----

class UserRecord(BaseModel):
    id = CharField(max_length=255, primary_key=True)
    first_name = CharField(max_length=255)
    last_name = CharField(max_length=255)
    email = CharField(max_length=255, null=True)
    password_hash = CharField(max_length=255, null=True)
    status = CharField(max_length=32)
    is_admin = BooleanField(default=False)
    avatar_link = CharField(max_length=512, null=True)
    profile_link = CharField(max_length=512, null=True)
    language = CharField(max_length=16, null=True)  # chosen for the pages; null: the browser's (issue 11)

    class Meta:
        table_name = "wc_user"


class IMAccountRecord(BaseModel):
    user = ForeignKeyField(UserRecord, column_name="user_id", on_delete="CASCADE")
    im_type = CharField(max_length=64)
    im_id = CharField(max_length=255)

    class Meta:
        table_name = "wc_im_account"
        primary_key = CompositeKey("user", "im_type")


class SpaceRecord(BaseModel):
    pretty_name = CharField(max_length=255, primary_key=True)
    title = CharField(max_length=255)
    avatar_link = CharField(max_length=512, null=True)

    class Meta:
        table_name = "wc_space"


class SpaceMemberRecord(BaseModel):
    space = ForeignKeyField(SpaceRecord, column_name="pretty_name", on_delete="CASCADE")
    user_id = CharField(max_length=255)
    is_manager = BooleanField(default=False)

    class Meta:
        table_name = "wc_space_member"
        primary_key = CompositeKey("space", "user_id")


class RoomRecord(BaseModel):
    id = CharField(max_length=255, primary_key=True)
    name = CharField(max_length=255)
    title = CharField(max_length=255)

    class Meta:
        table_name = "wc_room"


class RoomMemberRecord(BaseModel):
    room = ForeignKeyField(RoomRecord, column_name="room_id", on_delete="CASCADE")
    user_id = CharField(max_length=255)

    class Meta:
        table_name = "wc_room_member"
        primary_key = CompositeKey("room", "user_id")


class DirectorySeedRecord(BaseModel):
    """Marks that the directory was seeded from a data file, so later starts never overwrite edits."""

    source = CharField(max_length=512, primary_key=True)
    seeded = DateTimeField()

    class Meta:
        table_name = "wc_directory_seed"


V1_MODELS = [CallRecord, ParticipantRecord, ParticipantClientRecord, UserGroupCallRecord, ProviderSettingRecord,
             UserRecord, IMAccountRecord, SpaceRecord, SpaceMemberRecord, RoomRecord, RoomMemberRecord,
             DirectorySeedRecord]


# ---- sessions (webconferencing.storage.sessions; created by schema migration 3, not part of V1_MODELS) ----

class SessionRecord(BaseModel):
    """A login session or bearer token, by the SHA-256 of its secret (the secret itself is never stored)."""

    token_hash = CharField(max_length=64, primary_key=True)
    kind = CharField(max_length=16)
    user_id = CharField(max_length=255)
    created = DateTimeField()
    last_seen = DateTimeField()
    expires = DateTimeField(index=True)
    data = TextField()

    class Meta:
        table_name = "wc_session"
