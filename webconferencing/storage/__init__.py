"""Storage: the only package that knows SQL.

:class:`Database` is the container component that opens the configured database (a URL for
``playhouse.db_url.connect``: a SQLite file by default, or PostgreSQL), binds the models' ``DatabaseProxy`` to it and
brings the schema up to date at start. Service operations run inside :meth:`Database.write` (one transaction each).

Both backends run the same statements; they differ only in how a transaction is opened (see :meth:`Database.write`
and :meth:`Database.read`) and in how other writers are kept out (the SQLite write lock, PostgreSQL row locks).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import threading
from typing import Iterator
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from peewee import Database as PeeweeDatabase, InterfaceError, OperationalError, SqliteDatabase
from playhouse.db_url import connect
from playhouse.pool import MaxConnectionsExceeded


from exo_container import ConfigurationError, InitParams, Startable
from exo_container.errors import InvalidParam

from . import schema
from .locking import hold_until_commit
from .models import database_proxy

log = logging.getLogger(__name__)

DEFAULT_URL = "sqlite:///data/webconferencing.db"
DEFAULT_POOL_SIZE = 20  # connections a postgresql+pool:// process keeps at most
DEFAULT_POOL_WAIT = 10  # seconds a request waits for a pooled connection before it fails
# the schemes the storage is tested on; "+pool" keeps PostgreSQL connections open between requests
SUPPORTED_SCHEMES = ("sqlite", "postgresql", "postgres", "postgresql+pool", "postgres+pool")

_binding_lock = threading.Lock()
_bound_to: "Database | None" = None


def is_unavailable(exc: BaseException) -> bool:
    """Whether ``exc`` says the database cannot be reached right now (server down, connection lost, no pooled
    connection free within the wait): a client should try again later, nothing is wrong with its request."""
    return isinstance(exc, (OperationalError, InterfaceError, MaxConnectionsExceeded))


def utcnow() -> dt.datetime:
    """Naive UTC, as stored."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


def redacted(url: str) -> str:
    """The URL without its password, for messages and logs."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


# the property each init-param is given by in configuration.xml, named in errors (an admin sets the property)
_PROPERTIES = {"url": "webconferencing.db.url", "busy-timeout": "webconferencing.db.busy.timeout",
               "synchronous": "webconferencing.db.synchronous", "pool-size": "webconferencing.db.pool.size",
               "pool-wait-seconds": "webconferencing.db.pool.wait.seconds"}


def _whole_number(params: InitParams | None, name: str, default: int, *, low: int, unit: str = "whole number") -> int:
    raw = _value(params, name, str(default))
    where = f"Database: {name} ({_PROPERTIES.get(name, name)})"
    try:
        value = int(raw)
    except ValueError:
        raise InvalidParam(f"{where} must be a {unit}, not '{raw}'", name) from None
    if value < low:
        raise InvalidParam(f"{where} must be at least {low}, not {value}", name)
    return value


SYNCHRONOUS = ("OFF", "NORMAL", "FULL", "EXTRA")


def url_problem(url: str) -> str | None:
    """What is wrong with the form of a database URL (None: nothing), found without opening anything."""
    scheme = url.split("://", 1)[0] if "://" in url else ""
    if scheme not in SUPPORTED_SCHEMES:
        return "not supported: use sqlite:///path/to/file.db or postgresql://user:password@host:5432/database"
    parts = urlsplit(url)
    try:
        parts.port  # noqa: B018 -- raises ValueError for a port that is not a number in 0-65535
    except ValueError as exc:
        return f"bad port: {exc}"
    if scheme == "sqlite":
        if ":///" not in url or not url.split(":///", 1)[1]:
            return "name the file after three slashes: sqlite:///relative/path.db or sqlite:////absolute/path.db"
        return None
    if not parts.path.strip("/"):
        return "no database name: postgresql://user:password@host:5432/database"
    for name, value in _pool_arguments_in(url).items():
        try:
            float(value)
        except ValueError:
            return f"{name}={value} in the query is not a number"
    return None


def _pool_arguments_in(url: str) -> dict[str, str]:
    """The pool settings a URL names itself (``?max_connections=50&timeout=5``): they win over the init-params."""
    query = dict(parse_qsl(urlsplit(url).query))
    return {name: query[name] for name in ("max_connections", "timeout") if name in query}


def _value(params: InitParams | None, name: str, default: str) -> str:
    param = params.get_value_param(name) if params else None
    value = param.get_value().strip() if param else ""
    return value or default


class Database(Startable):
    """The database component.

    Init-params (value-params): ``url`` (default ``sqlite:///data/webconferencing.db``; ``postgresql://user:password@
    host:5432/name`` for PostgreSQL, ``postgresql+pool://...`` to keep connections open between requests: the
    recommended production form), ``pool-size`` (connections a pooled process keeps at most, default 20),
    ``pool-wait-seconds`` (how long a request waits for a pooled connection when all are busy, default 10: a burst
    of requests queues instead of failing), ``busy-timeout`` (ms a
    SQLite writer waits for another process's lock, default 10000), ``synchronous`` (SQLite pragma, default NORMAL:
    safe with WAL, loses at most the last transactions on power loss, never corrupts).

    The models use one process-wide ``DatabaseProxy``, so one Database may be started per process at a time; a
    second one is refused with a clear error instead of silently sharing.
    """

    def __init__(self, params: InitParams | None = None):
        self.url, self.busy_timeout, self.synchronous, self.pool_size, self.pool_wait_seconds = \
            self.validate_init_params(params)
        self.db: PeeweeDatabase | None = None
        # SQLite has one writer at a time: serialising writers in-process avoids busy-waiting between our own threads
        self._write_lock = threading.RLock()
        self.is_sqlite = False

    @classmethod
    def validate_init_params(cls, params: InitParams | None) -> tuple[str, int, str, int, int]:
        """(url, busy timeout, synchronous, pool size, pool wait); the kernel's check hook too
        (exo_container.validation): the URL's form is checked, nothing is opened or created."""
        url = _value(params, "url", DEFAULT_URL)
        problem = url_problem(url)
        if problem:
            raise InvalidParam(f"Database: url (webconferencing.db.url) '{redacted(url)}': {problem}", "url")
        synchronous = _value(params, "synchronous", "NORMAL").upper()
        if synchronous not in SYNCHRONOUS:
            raise InvalidParam(f"Database: synchronous (webconferencing.db.synchronous) must be one of "
                               f"{', '.join(SYNCHRONOUS)}, not '{synchronous}'", "synchronous")
        return (url, _whole_number(params, "busy-timeout", 10000, low=0, unit="number of milliseconds"), synchronous,
                _whole_number(params, "pool-size", DEFAULT_POOL_SIZE, low=1),
                _whole_number(params, "pool-wait-seconds", DEFAULT_POOL_WAIT, low=1))

    def start(self) -> None:
        global _bound_to
        db = self._open()
        with _binding_lock:
            if _bound_to is not None and _bound_to is not self:
                db.close()
                raise ConfigurationError(
                    f"Database {redacted(self.url)}: another database ({redacted(_bound_to.url)}) is already open "
                    f"in this process; stop its container first")
            _bound_to = self
        database_proxy.initialize(db)
        self.db = db
        with self.write():
            applied = schema.migrate(db)
        if applied:
            log.info("Database %s migrated to schema version %s", redacted(self.url), applied[-1])

    def _open(self) -> PeeweeDatabase:
        if self.url.split("://", 1)[0] not in SUPPORTED_SCHEMES:
            raise ConfigurationError(f"Database: '{redacted(self.url)}' is not supported: use "
                                     f"sqlite:///path/to/file.db or postgresql://user:password@host:5432/database")
        try:
            if self.url.startswith("sqlite"):
                path = self.url.split(":///", 1)[1] if ":///" in self.url else ""
                if path and path != ":memory:":
                    directory = os.path.dirname(os.path.abspath(path))
                    os.makedirs(directory, exist_ok=True)
                db = connect(self.url, pragmas={
                    "journal_mode": "wal",
                    "busy_timeout": self.busy_timeout,
                    "synchronous": self.synchronous,
                    "foreign_keys": 1,
                })
            elif "+pool" in self.url.split("://", 1)[0]:
                # a request that finds every pooled connection busy waits for one (up to pool-wait-seconds)
                # instead of failing at once with MaxConnectionsExceeded, as peewee's pool does by default;
                # max_connections / timeout in the URL's query still win
                db = connect(self.url, prefer_psycopg3=True,
                             **{"max_connections": self.pool_size, "timeout": self.pool_wait_seconds,
                                **_pool_arguments_in(self.url)})
            else:
                # psycopg 3 even where psycopg2 is installed too (peewee would prefer psycopg2): it is the driver
                # the storage is tested with, and it yields to other greenlets while it waits for the server
                db = connect(self.url, prefer_psycopg3=True)
            db.connect(reuse_if_open=True)
        except Exception as e:
            raise ConfigurationError(f"Database: cannot open '{redacted(self.url)}': {e}") from e
        self.is_sqlite = isinstance(db, SqliteDatabase)
        return db

    def stop(self) -> None:
        global _bound_to
        if self.db is None:
            return
        with _binding_lock:
            self.db.close()
            if _bound_to is self:
                database_proxy.initialize(None)
                _bound_to = None
            self.db = None

    @contextlib.contextmanager
    def write(self) -> Iterator[None]:
        """One read-write transaction.

        On SQLite it takes the write lock up front (BEGIN IMMEDIATE) so concurrent read-modify-write operations
        serialise instead of failing with SQLITE_BUSY on lock upgrade. On PostgreSQL writers run side by side and
        serialise per call on its row lock (``SELECT ... FOR UPDATE``); the transaction is READ COMMITTED whatever
        the server's default, so each statement after the lock sees what the previous holder committed. Under
        REPEATABLE READ or SERIALIZABLE the same operations would fail with serialization errors instead."""
        if self.db is None:
            raise RuntimeError("the database is not started")
        if self.is_sqlite:
            with self._write_lock:
                with self.db.atomic(lock_type="IMMEDIATE"):
                    yield
        else:
            with self.db.atomic(isolation_level="READ COMMITTED"):
                yield

    @contextlib.contextmanager
    def read(self) -> Iterator[None]:
        """A consistent read: every statement sees the database at the same moment, without the SQLite write lock.

        SQLite (WAL) gives a read transaction one snapshot already; PostgreSQL needs REPEATABLE READ for that (its
        READ COMMITTED takes a snapshot per statement, so a call and its participants could come from two moments).
        A transaction that only reads never gets a serialization error."""
        if self.db is None:
            raise RuntimeError("the database is not started")
        if self.is_sqlite:
            with self.db.atomic():
                yield
        else:
            with self.db.atomic(isolation_level="REPEATABLE READ"):
                yield

    def lock(self, name: str) -> None:
        """Hold the database-wide lock ``name`` until the current write transaction ends: one-off work (seeding)
        done by several processes starting at once then happens once."""
        if self.db is None:
            raise RuntimeError("the database is not started")
        hold_until_commit(self.db, name)

    def release(self) -> None:
        """Close this thread's connection when no transaction is open.

        peewee keeps one connection per thread, which under gevent means per greenlet: every websocket and request
        would hold its own SQLite connection (three file descriptors) for its whole life. Closing it once a request
        or frame is handled is peewee's recommended web pattern; the next operation reopens one cheaply."""
        db = self.db
        if db is not None and not db.is_closed() and not db.in_transaction():
            db.close()

    def schema_version(self) -> int:
        return schema.current_version(self.db)
