"""Login sessions and bearer tokens kept on the server, so that ending one (logout, expiry) is final for every worker.

A session is stored under the SHA-256 of its secret token, never the token itself: whoever reads the table (a backup,
an SQL injection elsewhere) gets nothing they could present as a cookie or an ``Authorization`` header.

:class:`SessionBackend` is what the web layer's :class:`~webconferencing.web.sessions.SessionStore` needs from a
store; :class:`DatabaseSessionBackend` keeps sessions in the core's database (SQLite or PostgreSQL, the default),
:mod:`.redis_sessions` in Redis. The lifetime rules (idle, absolute) are the store's, not the backend's: a backend
only keeps rows and drops the ones it is told are dead.
"""
from __future__ import annotations

import datetime as dt
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Any

from . import Database
from .models import SessionRecord


@dataclass
class StoredSession:
    token_hash: str
    kind: str  # "cookie" (a browser's login session) or "bearer" (a token from POST auth/token)
    user_id: str
    created: dt.datetime  # naive UTC, as stored
    last_seen: dt.datetime
    expires: dt.datetime  # the absolute end, fixed when the session is created
    data: dict[str, Any] = field(default_factory=dict)


class SessionBackend(ABC):
    """Where sessions live. Every method is safe to call from any worker, thread or greenlet."""

    @abstractmethod
    def create(self, session: StoredSession, idle_seconds: float | None) -> None:
        """Store a new session; ``idle_seconds`` lets a backend with expiring keys forget it on its own."""

    @abstractmethod
    def get(self, token_hash: str) -> StoredSession | None: ...

    @abstractmethod
    def touch(self, token_hash: str, last_seen: dt.datetime, idle_seconds: float | None,
              expires: dt.datetime) -> None:
        """Note activity: the idle clock starts again from ``last_seen``."""

    @abstractmethod
    def save_data(self, token_hash: str, data: dict[str, Any]) -> None: ...

    @abstractmethod
    def delete(self, token_hash: str) -> None:
        """Forget the session; deleting an unknown one is not an error (logout twice, two workers expiring it)."""

    def close(self) -> None:
        """Release connections (nothing to do for the shared database)."""


class DatabaseSessionBackend(SessionBackend):
    """Sessions in ``wc_session``. Dead rows are purged whenever a session is created, so the table holds about the
    live sessions plus those that died since the last login."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def create(self, session: StoredSession, idle_seconds: float | None) -> None:
        with self.database.write():
            self._purge(session.created, idle_seconds)
            SessionRecord.insert(token_hash=session.token_hash, kind=session.kind, user_id=session.user_id,
                                 created=session.created, last_seen=session.last_seen, expires=session.expires,
                                 data=json.dumps(session.data)).execute()

    @staticmethod
    def _purge(now: dt.datetime, idle_seconds: float | None) -> None:
        dead = SessionRecord.expires <= now
        if idle_seconds is not None:
            dead |= ((SessionRecord.kind == "cookie")
                     & (SessionRecord.last_seen <= now - dt.timedelta(seconds=idle_seconds)))
        SessionRecord.delete().where(dead).execute()

    def get(self, token_hash: str) -> StoredSession | None:
        with self.database.read():
            row = (SessionRecord.select(SessionRecord.token_hash, SessionRecord.kind, SessionRecord.user_id,
                                        SessionRecord.created, SessionRecord.last_seen, SessionRecord.expires,
                                        SessionRecord.data)
                   .where(SessionRecord.token_hash == token_hash).tuples().first())
        if row is None:
            return None
        *fields, data = row
        return StoredSession(*fields, data=json.loads(data) if data else {})

    def touch(self, token_hash: str, last_seen: dt.datetime, idle_seconds: float | None,
              expires: dt.datetime) -> None:
        with self.database.write():
            SessionRecord.update(last_seen=last_seen).where(SessionRecord.token_hash == token_hash).execute()

    def save_data(self, token_hash: str, data: dict[str, Any]) -> None:
        with self.database.write():
            SessionRecord.update(data=json.dumps(data)).where(SessionRecord.token_hash == token_hash).execute()

    def delete(self, token_hash: str) -> None:
        with self.database.write():
            SessionRecord.delete().where(SessionRecord.token_hash == token_hash).execute()
