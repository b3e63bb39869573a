"""The PostgreSQL connection pool (``postgresql+pool://`` URLs, peewee's ``PooledDatabase``) seen from outside:
connections checked out now, and how often an operation found none free.

Why wrap the pool's ``_connect``: peewee offers no hook, and "every connection in use" shows up only as its
``MaxConnectionsExceeded`` (caught by peewee itself when the pool has a wait timeout, which then waits and retries).
Counting those tells an operator to raise ``max_connections`` before requests time out. Other databases (SQLite,
unpooled PostgreSQL) have no pool: nothing is watched and in-use is reported as 0.
"""
from __future__ import annotations

import functools

from playhouse.pool import MaxConnectionsExceeded, PooledDatabase

from .metrics import record_db_pool_wait

_WATCHED = "_exo_pool_watched"


def watch(db) -> bool:
    """Count exhausted-pool moments of ``db`` (once per database object); False when it is not pooled."""
    if not isinstance(db, PooledDatabase):
        return False
    if getattr(db, _WATCHED, False):
        return True
    connect = db._connect

    @functools.wraps(connect)
    def counted_connect(*args, **kwargs):
        try:
            return connect(*args, **kwargs)
        except MaxConnectionsExceeded:
            record_db_pool_wait()
            raise

    db._connect = counted_connect
    setattr(db, _WATCHED, True)
    return True


def in_use(db) -> int:
    """Connections of ``db``'s pool checked out now (0 for an unpooled database)."""
    if not isinstance(db, PooledDatabase):
        return 0
    return len(db._in_use)
