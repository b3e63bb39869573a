"""Session-wide fixtures shared by the test packages."""
from __future__ import annotations

import pytest

from .postgres_server import PostgresServer, find_bindir, unavailable_reason


@pytest.fixture(scope="session")
def postgres_server():
    """A throw-away PostgreSQL cluster for the session (started on first use); skipped, with the reason, where the
    server binaries, the ``postgres`` user or the driver are missing."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = PostgresServer(find_bindir()).start()
    yield server
    server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer):
    """A URL of a fresh, empty place to store on the session's cluster (a schema of its own), dropped after the
    test."""
    url = postgres_server.create_schema()
    yield url
    postgres_server.drop_schema(url)
