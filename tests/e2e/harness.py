"""The real thing for browser tests and screenshots: an ``exo-server`` subprocess on a free loopback port with a
temporary database and the test connector's extension, and Debian's chromium driven by Playwright.

The server's output (its log, CallLog lines included) is read by a thread into :class:`ServerProcess.lines`, so a
test can wait for a line to appear instead of sleeping.
"""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from webconferencing.testing import ExoServer

ROOT = Path(__file__).resolve().parents[2]
TEST_EXTENSIONS = Path(__file__).resolve().parent / "fixtures" / "extensions"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# A camera and microphone that need no device nor permission prompt, and media that plays unclicked (WebRTC tests)
MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              "--autoplay-policy=no-user-gesture-required"]
READY = re.compile(r"exo-server ready on (http://\S+)")
PASSWORD = "gtn"  # the demo organisation's password (webconferencing/data/demo-org.json)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess(ExoServer):
    """A running ``exo-server`` (the author kit's, webconferencing.testing), which the project's tests may also
    kill as a crash would."""

    def kill(self) -> None:
        """End the server at once, as a crash would: gunicorn's master and its workers (its own process group; a
        worker that outlived its master would go on serving the port)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@contextmanager
def running_server(data_dir: Path, *defines: str, extensions: Path = TEST_EXTENSIONS,
                   port: int | None = None) -> Iterator[ServerProcess]:
    """``exo-server`` with the project's configuration, a fresh SQLite file in ``data_dir`` and, as its only
    extensions, the test connectors by default (the product's own connectors in extensions/ are not loaded, so each
    call button on the page is one the tests know). Given the ``port`` and ``data_dir`` of a stopped server, it is
    that server restarted: same address for the pages, same database and session secret."""
    port = port or free_port()
    command = [
        str(Path(sys.executable).with_name("exo-server")),
        "--config", str(ROOT / "configuration.xml"),
        "--host", "127.0.0.1", "--port", str(port),
        f"-Dwebconferencing.db.url=sqlite:///{data_dir / 'webconferencing.db'}",
        "--extensions", str(extensions),
        "-Dwebconferencing.calllog.flush.interval=0.2",
        # every seeded user gets a hash of their own and every sign-in checks one: the default (scrypt, ~0.16 s of
        # CPU each) cost seconds per server start and per test; hashing has its own tests (tests/security)
        "-Dwebconferencing.identity.password.hash=pbkdf2:sha256:1000",
        *(f"-D{d}" for d in defines),
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(command, cwd=data_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True, bufsize=1, start_new_session=True)
    server = ServerProcess(process, data_dir)
    threading.Thread(target=server._pump, name="exo-server-output", daemon=True).start()
    try:
        ready = server.wait_for_line(READY.search, timeout=60)  # as tests/web's harness: an upper bound only
        server.base_url = READY.search(ready).group(1)
        yield server
    finally:
        server.stop()


def webrtc_user(user_id: str, first_name: str, last_name: str, **more) -> dict:
    """A user of a test's own organisation (see :func:`product_server`): available, the demo password, and a WebRTC
    account of their id; ``more`` adds or overrides fields (``admin=True``, a status)."""
    return {"id": user_id, "firstName": first_name, "lastName": last_name, "password": PASSWORD,
            "status": "available", "ims": {"webrtc": user_id}, **more}


@contextmanager
def product_server(data_dir: Path, organisation: dict, *defines: str) -> Iterator[ServerProcess]:
    """The product's own connectors (extensions/) with ``organisation`` as the identity directory: what a test needs
    to put its own people (display names with markup, a space bigger than a provider's limit) in front of them.
    ``defines`` switch providers off (``webconferencing.<type>.active=false``) or set anything else."""
    data_file = data_dir / "organisation.json"
    data_file.write_text(json.dumps(organisation), encoding="utf-8")
    with running_server(data_dir, f"exo.extensions.dirs={ROOT / 'extensions'}",
                        f"webconferencing.identity.data.file={data_file}", *defines) as running:
        yield running


@contextmanager
def chromium() -> Iterator[object]:
    """Debian's chromium under Playwright (no downloaded browsers)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def signed_in_page(browser, base_url: str, user: str, path: str = "/portal/people", **context_options):
    """A new browser context (its own cookies) signed in as ``user`` through the login form, showing ``path``."""
    context = browser.new_context(base_url=base_url, **context_options)
    page = context.new_page()
    page.goto(f"/portal/login?next={path}")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")
    return page


READY_TIMEOUT_MS = 30_000  # a page whose websocket never connects fails the test instead of hanging it


def wait_provider_ready(page, provider_type: str = "testcall") -> None:
    """The provider ran its init() (for the test connector: subscribed to the user's channel)."""
    page.evaluate("""([type, ms]) => Promise.race([
        webConferencing.getProvider(type).then(() => true),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`provider ${type} not ready after ${ms} ms`)), ms)),
    ])""", [provider_type, READY_TIMEOUT_MS])
