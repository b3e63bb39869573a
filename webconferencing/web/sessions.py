"""Server-side sessions: the browser's cookie and a client's bearer token are opaque random ids; what they stand for
(who, since when, last seen, CSRF token) lives in a store every worker shares.

Why not a signed cookie (Flask's default): a signed cookie is its own proof, so the server cannot take it back. A
cookie copied before logout would keep working until it expires, and Flask even re-signed it on use. Here ending a
session deletes it from the store, so the id is worthless in every worker at once.

Rules (:class:`SessionStore`):

- a login always opens a *new* session (its id is never one the browser brought: no session fixation) and ends the
  one the browser had;
- a browser session dies after ``idle-seconds`` without a request (websocket activity counts: an open tab keeps it)
  and, whatever the activity, ``absolute-seconds`` after the login;
- a bearer token (``POST auth/token``) dies ``token-seconds`` after it was issued, or at ``POST auth/logout``;
- the store keeps only the SHA-256 of an id (see :mod:`webconferencing.storage.sessions`).

Where sessions live: the core's database by default (SQLite or PostgreSQL, shared by every process that shares the
database), or Redis when ``store=redis://...`` says so. Not Redis merely because the broker is Redis: the
database is needed anyway, and with sessions in it a Redis outage costs real-time events for a while, never every
user's sign-in.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
from typing import Any, Callable

from flask import Flask, Request, Response
from flask.sessions import SessionInterface, SessionMixin
from werkzeug.datastructures import CallbackDict

from exo_container import InitParams, Startable
from exo_container.errors import InvalidParam

from webconferencing.broker import redis_url_problem
from webconferencing.init_params import positive_number
from webconferencing.storage import Database, is_unavailable, utcnow
from webconferencing.storage.sessions import DatabaseSessionBackend, SessionBackend, StoredSession

log = logging.getLogger(__name__)

COOKIE = "cookie"
BEARER = "bearer"
TOKEN_BYTES = 32  # 256 random bits per id
MAX_TOKEN_LENGTH = 128  # anything longer was not issued here: refused before hashing
TOUCH_EVERY_SECONDS = 60.0  # at most one "last seen" write per session per minute (less for short idle limits)
DATABASE = "database"
REDIS_SCHEMES = ("redis://", "rediss://")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _param(params: InitParams | None, name: str) -> str:
    param = params.get_value_param(name) if params else None
    return param.get_value().strip() if param else ""


def _seconds(params: InitParams | None, name: str, prop: str, default: float) -> float:
    return positive_number(params, name, default, component="SessionStore", prop=prop, unit="number of seconds")


class SessionStore(Startable):
    """The container component (configuration.xml) holding every login session and bearer token.

    Init-params (value-params): ``store`` (``database``, or ``redis://host:port/db``; empty: the database),
    ``broker`` (the broker URL: accepted for older configurations, no longer decides the store), ``idle-seconds`` (default
    1800), ``absolute-seconds`` (default 28800), ``token-seconds`` (bearer tokens, default 3600).
    """

    def __init__(self, database: Database, params: InitParams | None = None,
                 clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.database = database
        self.idle_seconds, self.absolute_seconds, self.token_seconds, self.location = self.validate_init_params(params)
        self.touch_every = dt.timedelta(seconds=min(TOUCH_EVERY_SECONDS, self.idle_seconds / 4))
        self._clock = clock
        self.backend: SessionBackend | None = None

    @classmethod
    def validate_init_params(cls, params: InitParams | None) -> tuple[float, float, float, str]:
        """(idle, absolute and token lifetimes in seconds, where sessions live); the kernel's check hook too
        (exo_container.validation): a Redis store's URL is checked for its form, not reached."""
        return (_seconds(params, "idle-seconds", "exo.server.session.idle.seconds", 1800.0),
                _seconds(params, "absolute-seconds", "exo.server.session.seconds", 8 * 3600.0),
                _seconds(params, "token-seconds", "exo.server.token.seconds", 3600.0),
                cls._location(_param(params, "store")))

    @staticmethod
    def _location(store: str) -> str:
        if not store:
            return DATABASE
        if store.lower() == DATABASE:
            return DATABASE
        problem = redis_url_problem(store) if store.startswith(REDIS_SCHEMES) else "not a redis:// URL"
        if problem is None:
            return store
        raise InvalidParam(f"SessionStore: store '{store}' (exo.server.session.store) must be '{DATABASE}' "
                           f"or redis://host:port/db ({problem})", "store")

    def start(self) -> None:
        if self.location == DATABASE:
            self.backend = DatabaseSessionBackend(self.database)
        else:
            from webconferencing.storage.redis_sessions import RedisSessionBackend

            self.backend = RedisSessionBackend(self.location)
        log.info("Sessions kept in %s (idle %ss, absolute %ss, bearer tokens %ss)",
                 "the database" if self.location == DATABASE else "Redis", self.idle_seconds,
                 self.absolute_seconds, self.token_seconds)

    def stop(self) -> None:
        if self.backend is not None:
            self.backend.close()
            self.backend = None

    def _backend(self) -> SessionBackend:
        if self.backend is None:
            raise RuntimeError("the session store is not started")
        return self.backend

    def _idle_limit(self, kind: str) -> float | None:
        return self.idle_seconds if kind == COOKIE else None

    def lifetime_seconds(self, kind: str) -> float:
        return self.absolute_seconds if kind == COOKIE else self.token_seconds

    # --- operations -------------------------------------------------------------------

    def open(self, user_id: str, kind: str, data: dict[str, Any] | None = None) -> str:
        """A new session for ``user_id``; returns its id, which only the client will ever hold."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self._clock()
        expires = now + dt.timedelta(seconds=self.lifetime_seconds(kind))
        self._backend().create(StoredSession(token_hash(token), kind, user_id, now, now, expires, dict(data or {})),
                               self._idle_limit(kind))
        return token

    def resolve(self, token: str | None, kind: str) -> StoredSession | None:
        """The live session of this id, or None (unknown, ended, expired, or issued as the other kind). Notes the
        activity, so the idle clock restarts."""
        if not token or len(token) > MAX_TOKEN_LENGTH:
            return None
        key = token_hash(token)
        backend = self._backend()
        stored = backend.get(key)
        if stored is None or stored.kind != kind:
            return None
        now = self._clock()
        idle = self._idle_limit(kind)
        if now >= stored.expires or (idle is not None and now >= stored.last_seen + dt.timedelta(seconds=idle)):
            backend.delete(key)
            return None
        if now - stored.last_seen >= self.touch_every:
            backend.touch(key, now, idle, stored.expires)
            stored.last_seen = now
        return stored

    def save_data(self, token: str, data: dict[str, Any]) -> None:
        self._backend().save_data(token_hash(token), dict(data))

    def end(self, token: str) -> None:
        """The id is worthless from now on, in every process."""
        if token and len(token) <= MAX_TOKEN_LENGTH:
            self._backend().delete(token_hash(token))


# --- the browser's session, as Flask's ``session`` -----------------------------------------


class ServerSession(CallbackDict, SessionMixin):
    """``flask.session`` backed by the store. ``user_id`` is the session's owner; other keys (CSRF token, flashed
    messages) are stored with it. A session without ``user_id`` is never stored: anonymous visitors cost nothing."""

    def __init__(self, initial: dict[str, Any] | None = None, token: str | None = None,
                 stale_cookie: bool = False) -> None:
        def on_update(self_: "ServerSession") -> None:
            self_.modified = True

        super().__init__(initial, on_update)
        self.token = token
        self.modified = False
        self.stale_cookie = stale_cookie  # the browser sent an id that is no longer valid: clear its cookie
        self.ended: list[str] = []
        self.unavailable: BaseException | None = None  # the store could not be asked: the session is unknown

    def end(self) -> None:
        """End this session for good (logout, or the start of a login: the next session gets a new id)."""
        if self.token:
            self.ended.append(self.token)
        self.token = None
        self.clear()


class ServerSessionInterface(SessionInterface):
    """``on_end(token)`` hears of each session this interface ends (logout, login), once it is gone from the store."""

    def __init__(self, store: SessionStore, on_end: Callable[[str], None] | None = None) -> None:
        self.store = store
        self.on_end = on_end

    def _end(self, token: str) -> None:
        self.store.end(token)
        if self.on_end is not None:
            self.on_end(token)

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        token = request.cookies.get(self.get_cookie_name(app))
        if not token:
            return ServerSession()
        try:
            stored = self.store.resolve(token, COOKIE)
        except Exception as exc:
            if not is_unavailable(exc):
                raise
            # Flask opens the session outside the request's error handling: keep the failure for
            # auth.identify_request to raise, so the client gets 503 (try again), not a 500 or a sign-out
            session = ServerSession(token=token)
            session.unavailable = exc
            return session
        if stored is None:
            return ServerSession(stale_cookie=True)
        return ServerSession({**stored.data, "user_id": stored.user_id}, token)

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:  # type: ignore[override]
        if session.unavailable is not None:
            return  # nothing is known of this session: leave the cookie as it is
        name = self.get_cookie_name(app)
        domain, path = self.get_cookie_domain(app), self.get_cookie_path(app)
        response.vary.add("Cookie")  # what this response shows depends on who asks: no shared cache may reuse it
        for token in session.ended:
            self._end(token)
        user_id = session.get("user_id")
        data = {key: value for key, value in session.items() if key != "user_id"}
        if session.token is not None and not user_id:  # session.clear() on a live session ends it too
            self._end(session.token)
            session.ended.append(session.token)
            session.token = None
        if session.token is None:
            if user_id:
                session.token = self.store.open(user_id, COOKIE, data)
                response.set_cookie(name, session.token, max_age=int(self.store.absolute_seconds), path=path,
                                    domain=domain, secure=self.get_cookie_secure(app),
                                    httponly=self.get_cookie_httponly(app),
                                    samesite=self.get_cookie_samesite(app))
            elif session.ended or session.stale_cookie:
                response.delete_cookie(name, path=path, domain=domain, secure=self.get_cookie_secure(app),
                                       httponly=self.get_cookie_httponly(app),
                                       samesite=self.get_cookie_samesite(app))
            return
        if session.modified:
            self.store.save_data(session.token, data)
