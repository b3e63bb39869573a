"""``exo-server --check --connect``: whether the database and Redis the configuration names answer.

Opt-in, because a check usually runs where they are not reachable (a CI job, a build host): the plain ``--check``
validates their URLs' form only. Reaching them reads and writes nothing: a PostgreSQL connection runs ``SELECT 1``, an
SQLite file is opened read-only when it exists (one that does not exist yet is fine: the first start creates it, and
the check must not), Redis is pinged. A server that does not answer is reported like a bad value: at the
exo.properties line of the property that named it.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from exo_container import ExoContainer
from exo_container.errors import ConfigurationError, InvalidParam
from exo_container.validation import PropertyLocator, containers_of

from webconferencing.broker import ConfiguredBroker
from webconferencing.storage import Database, redacted

from .sessions import DATABASE, SessionStore

TIMEOUT_SECONDS = 5


def unreachable(container: ExoContainer) -> list[ConfigurationError]:
    """A problem for each database or Redis server of ``container``'s components that does not answer."""
    locator = PropertyLocator(container.properties)
    problems: list[ConfigurationError] = []
    seen: set[str] = set()
    for each in containers_of(container):
        for adapter in each.get_component_adapters():
            if adapter.config is None:
                continue
            for param, what, url, reach in _servers_of(adapter.implementation, adapter.init_params):
                if url in seen:
                    continue
                seen.add(url)
                try:
                    reach(url)
                except Exception as exc:  # whatever the driver raises: the server did not answer as it should
                    reason = " ".join(str(exc).split())  # drivers' messages may span lines
                    message = f"{what} {redacted(url)} does not answer: {type(exc).__name__}: {reason}"
                    problems.append(locator.locate(InvalidParam(message, param), adapter.source))
    return problems


def _servers_of(cls: type, params) -> list[tuple[str, str, str, object]]:
    """(init-param, label, URL, how to reach it) of the servers a component of class ``cls`` would connect to;
    none when its init-params are refused (``--check`` reported that already)."""
    try:
        if issubclass(cls, Database):
            return [("url", "Database", Database.validate_init_params(params)[0], _reach_database)]
        if issubclass(cls, ConfiguredBroker):
            url = ConfiguredBroker.validate_init_params(params)
            return [("url", "Broker", url, _reach_redis)] if url != "inprocess" else []
        if issubclass(cls, SessionStore):
            location = SessionStore.validate_init_params(params)[3]
            return [("store", "Session store", location, _reach_redis)] if location != DATABASE else []
    except ConfigurationError:
        return []
    return []


def _reach_redis(url: str) -> None:
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=TIMEOUT_SECONDS, socket_timeout=TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()


def _reach_database(url: str) -> None:
    if url.startswith("sqlite"):
        path = url.split(":///", 1)[1]
        if path == ":memory:" or not Path(path).exists():
            return  # created by the first start, not by a check
        db = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True, timeout=TIMEOUT_SECONDS)
        try:
            db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # reads the header: is it a database?
        finally:
            db.close()
        return
    from playhouse.db_url import connect

    db = connect(url.replace("+pool", ""), prefer_psycopg3=True, connect_timeout=TIMEOUT_SECONDS)
    try:
        db.connect()
        db.execute_sql("SELECT 1")
    finally:
        db.close()
