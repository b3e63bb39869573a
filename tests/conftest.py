"""Session-wide fixtures shared by the test packages."""
from __future__ import annotations

from pathlib import Path

import pytest

from .e2e.harness import CHROMIUM, CHROMIUM_ARGS, MEDIA_ARGS, chromium
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


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium for every browser test (e2e, security): Playwright's sync API allows one instance per
    process, so the packages share this one."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def media_browser(browser):
    """A second chromium, with fake camera and microphone, for every WebRTC test (e2e, security), launched from the
    session's Playwright (one per process). One for the session: each test opens its own contexts (cookies, pages)
    and closes them, so the tests share the process and nothing else."""
    launched = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + MEDIA_ARGS)
    try:
        yield launched
    finally:
        launched.close()
