"""Schema versions: an ordered list of migrations, each applied once and recorded in ``wc_schema_version``.

A new schema change is a new entry at the end (never an edit of an applied one), written with
``playhouse.migrate`` operations or plain DDL so it runs on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Callable

from peewee import Database

from . import models
from .locking import hold_until_commit
from .invites import create_invite_tables
from .presence import create_presence_tables
from .space_settings import create_space_settings_tables
from .history import create_history_tables

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Database], None]


def _create_v1_tables(db: Database) -> None:
    db.create_tables(models.V1_MODELS, safe=True)


def _index_participants_by_user(db: Database) -> None:
    # get_user_calls / can_access_call look participants up by user
    db.execute_sql("CREATE INDEX IF NOT EXISTS wc_participant_user_id ON wc_participant (user_id)")
    db.execute_sql("CREATE INDEX IF NOT EXISTS wc_user_group_call_user_date "
                   "ON wc_user_group_call (user_id, last_date)")


def _create_invites_and_space_settings(db: Database) -> None:
    create_invite_tables(db)
    create_space_settings_tables(db)


def _create_sessions(db: Database) -> None:
    db.create_tables([models.SessionRecord], safe=True)


def _create_call_history(db: Database) -> None:
    # issue 11: who joined a call, and when (answered calls); then the history itself. A database made at version 1
    # by this code already has the column (V1_MODELS is the current model), an older one gets it here.
    if "joined_at" not in {column.name for column in db.get_columns("wc_participant")}:
        db.execute_sql("ALTER TABLE wc_participant ADD COLUMN joined_at "
                       + db.get_context_options()["field_types"]["DATETIME"])
    create_history_tables(db)


def _add_user_language(db: Database) -> None:
    # issue 11: the language of the pages a user chose in their profile (null: the browser's). A database made at
    # version 1 by this code already has the column (V1_MODELS is the current model), an older one gets it here.
    if "language" not in {column.name for column in db.get_columns("wc_user")}:
        db.execute_sql("ALTER TABLE wc_user ADD COLUMN language VARCHAR(16)")


MIGRATIONS: list[Migration] = [
    Migration(1, "calls, participants, clients, group-call index, provider settings, directory", _create_v1_tables),
    Migration(2, "indexes of participants and group calls by user", _index_participants_by_user),
    Migration(3, "server-side login sessions and bearer tokens", _create_sessions),
    Migration(4, "process leases and the clients each process holds", create_presence_tables),
    Migration(5, "call invitations, invited identities, guests; per-space video-conference settings and links",
              _create_invites_and_space_settings),
    Migration(6, "call history and when each user last saw it; when each participant first joined a call",
              _create_call_history),
    Migration(7, "the language each user chose for their pages", _add_user_language),
]


def current_version(db: Database) -> int:
    if not db.table_exists(models.SchemaVersion._meta.table_name):
        return 0
    latest = models.SchemaVersion.select().order_by(models.SchemaVersion.version.desc()).first()
    return latest.version if latest else 0


def migrate(db: Database, migrations: list[Migration] | None = None) -> list[int]:
    """Apply the pending migrations in order, inside the caller's write transaction; returns the versions applied.

    Several processes may start on the same empty database at once (``--workers N``, several hosts): they take
    the schema lock first, so one migrates and the others find the work done. Concurrent ``CREATE TABLE IF NOT
    EXISTS`` alone is not safe on PostgreSQL (both see no table, the second fails on the catalog's unique index)."""
    migrations = MIGRATIONS if migrations is None else migrations
    versions = [m.version for m in migrations]
    if versions != sorted(set(versions)):
        raise ValueError(f"migrations must have increasing unique versions, got {versions}")
    hold_until_commit(db, "schema")
    db.create_tables([models.SchemaVersion], safe=True)
    current = current_version(db)
    applied = []
    for migration in migrations:
        if migration.version <= current:
            continue
        log.info("Applying schema migration %s: %s", migration.version, migration.description)
        migration.apply(db)
        models.SchemaVersion.create(version=migration.version, description=migration.description,
                                    applied=dt.datetime.utcnow())
        applied.append(migration.version)
    return applied
