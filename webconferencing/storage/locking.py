"""Database-wide named locks, so that processes sharing one database do one-off work (migrating the schema, seeding
the directory) one after the other instead of racing.

On PostgreSQL this is a transaction-scoped advisory lock: it is released when the transaction commits or rolls back,
so a crash can never leave it held. On SQLite the caller's write transaction (BEGIN IMMEDIATE) already excludes every
other writer, so there is nothing more to take.
"""
from __future__ import annotations

import hashlib

from peewee import Database, PostgresqlDatabase


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (advisory locks are numbered, and every process must agree)."""
    return int.from_bytes(hashlib.sha256(f"webconferencing:{name}".encode()).digest()[:8], "big", signed=True)


def hold_until_commit(db: Database, name: str) -> None:
    """Wait for, then hold, the lock ``name`` until the current transaction ends."""
    if not db.in_transaction():
        raise RuntimeError(f"the '{name}' lock is held until commit: take it inside a write transaction")
    if isinstance(db, PostgresqlDatabase):
        db.execute_sql("SELECT pg_advisory_xact_lock(%s)", (lock_key(name),))
