"""The pooled PostgreSQL connections (``postgresql+pool://``) seen by /metrics: how many are checked out, and how
often an operation found none free and had to wait."""
from __future__ import annotations

import threading

import pytest
from playhouse.db_url import connect
from prometheus_client import REGISTRY

from webconferencing.observability import pool


@pytest.fixture
def one_connection_pool(postgres_server):
    url = postgres_server.create_database()
    db = connect(url.replace("postgresql://", "postgresql+pool://", 1) + "?max_connections=1&timeout=5",
                 prefer_psycopg3=True)
    yield db
    db.close_all()
    postgres_server.drop_database(url)


def waits() -> float:
    return REGISTRY.get_sample_value("webconferencing_db_pool_waits_total") or 0.0


def test_a_checked_out_connection_is_in_use_until_it_is_closed(one_connection_pool):
    db = one_connection_pool
    pool.watch(db)

    db.connect()
    assert pool.in_use(db) == 1
    db.close()
    assert pool.in_use(db) == 0


def test_an_operation_that_finds_every_connection_busy_counts_a_wait(one_connection_pool):
    db = one_connection_pool
    pool.watch(db)
    held, release = threading.Event(), threading.Event()

    def hold_the_only_connection() -> None:
        db.connect()
        held.set()
        release.wait(5)
        db.close()

    holder = threading.Thread(target=hold_the_only_connection)
    holder.start()
    held.wait(5)
    before = waits()
    threading.Timer(0.3, release.set).start()

    db.connect()  # waits for the holder to give its connection back

    assert waits() > before
    db.close()
    holder.join(5)


def test_an_unpooled_database_is_not_watched_and_has_nothing_in_use(tmp_path):
    db = connect(f"sqlite:///{tmp_path / 'plain.db'}")

    assert pool.watch(db) is False
    assert pool.in_use(db) == 0
