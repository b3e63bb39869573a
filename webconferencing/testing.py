"""A pytest plugin for connector authors: a real ``exo-server`` with your connector, signed-in users, browsers.

What Flask's test client and Django's live-server test case are to their applications: the fixtures below start
the real server (the same ``exo-server`` command as production, on a free loopback port, with a throw-away SQLite
database and the demo organisation, whose users all have the password ``gtn``) with only the connector folders your
test names, and give you its users signed in over REST, websockets and in Chromium. Nothing is mocked, so a test
that passes here passes against a deployment. Installed with exo-webconf (entry point ``pytest11``), so a test file
needs no import; say which connector to load by overriding ``exo_connectors``::

    @pytest.fixture(scope="module")
    def exo_connectors():
        return [Path(__file__).resolve().parents[1]]     # the connector folder (extensions/acmecall)

    def test_john_calls_mary(exo_login, exo_page):
        for user in ("john", "mary"):
            exo_login(user).set_im_account("acmecall", f"{user}.acme")
        john = exo_page("john", "/portal/profile/mary", ready="acmecall")
        mary = exo_page("mary", "/portal/people", ready="acmecall")
        ...

Fixtures: ``exo_connectors`` and ``exo_properties`` (module; override them), ``exo_server`` (module: one server per
test module), ``exo_login(user) -> ExoUser`` (REST, and ``.tab()`` for websockets), ``exo_browser`` (session:
Debian's ``/usr/bin/chromium`` when present, else Playwright's own), ``exo_page(user, path, ready=type)``.

requests, websocket-client and Playwright are imported where used: this module is loaded by every pytest run of an
environment where exo-webconf is installed, and must not fail there when the ``test`` extra is not.
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
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import pytest

REST = "/portal/rest/webconferencing"
WS_PATH = "/webconferencing/ws"
PASSWORD = "gtn"  # every demo user's (webconferencing/data/demo-org.json)
DEMO_USERS = ("root", "john", "mary", "james", "alice", "demo", "dave", "jack", "bob", "peter", "paul", "carol")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
READY = re.compile(r"exo-server ready on (http://\S+)")
TIMEOUT = 10.0  # seconds for a REST answer or a websocket frame
PAGE_READY_MS = 30_000  # a page whose websocket never connects fails the test instead of hanging it


class ExoServerError(RuntimeError):
    """The server did not start (its last output lines are in the message)."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def root_configuration() -> Path:
    """The product's configuration.xml, at the root of the exo-webconf checkout (``pip install -e``)."""
    checkout = Path(__file__).resolve().parents[1] / "configuration.xml"
    if not checkout.is_file():
        raise ExoServerError(f"no configuration.xml at {checkout}: install exo-webconf from its checkout "
                             f"(pip install -e)")
    return checkout


@dataclass
class ExoServer:
    """A running ``exo-server``; ``lines`` grows with its output (its log, the CallLog lines included)."""

    process: subprocess.Popen
    data_dir: Path
    base_url: str = ""
    lines: list[str] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)

    @property
    def ws_url(self) -> str:
        return "ws" + self.base_url[len("http"):] + WS_PATH

    def _pump(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            with self._changed:
                self.lines.append(raw.rstrip("\n"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def wait_for_line(self, matches: Callable[[str], object], timeout: float = 15.0) -> str:
        """The first output line (old or new) for which ``matches`` is truthy; TimeoutError after ``timeout``."""
        deadline = time.monotonic() + timeout
        seen = 0
        with self._changed:
            while True:
                for line in self.lines[seen:]:
                    if matches(line):
                        return line
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or (self.process.poll() is not None and seen == len(self.lines)):
                    tail = "\n".join(self.lines[-30:])
                    raise TimeoutError(f"no matching server output within {timeout}s; last lines:\n{tail}")
                self._changed.wait(min(left, 0.5))

    def stop(self) -> None:
        """SIGTERM (websockets closed, components stopped), then SIGKILL to the group if it does not end."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def link_connectors(folder: Path, connectors: Iterable[Path]) -> Path:
    """An extensions folder holding (links to) exactly these connector folders."""
    folder.mkdir(parents=True, exist_ok=True)
    for connector in connectors:
        connector = Path(connector).resolve()
        if not (connector / "WEB-INF" / "conf" / "configuration.xml").is_file():
            raise ExoServerError(f"{connector} is not a connector folder (no WEB-INF/conf/configuration.xml)")
        (folder / connector.name).symlink_to(connector, target_is_directory=True)
    return folder


@contextmanager
def running_server(data_dir: Path, connectors: Iterable[Path], properties: dict[str, str] | None = None,
                   *, args: Iterable[str] = (), timeout: float = 60.0) -> Iterator[ExoServer]:
    """``exo-server`` on a free loopback port with the product's configuration, a fresh SQLite file in ``data_dir``,
    no ``exo.properties`` of yours (an empty one: the test says what it sets) and, as its only extensions,
    ``connectors``; ``args`` are more options (``--lenient``). A server that does not start is an ExoServerError
    holding its last output lines (a misconfigured provider's names its property)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    extensions = link_connectors(data_dir / "extensions", connectors)
    empty_properties = data_dir / "exo.properties"
    empty_properties.touch()
    defines = {
        "webconferencing.db.url": f"sqlite:///{data_dir / 'webconferencing.db'}",
        "exo.data.dir": str(data_dir),
        "webconferencing.calllog.flush.interval": "0.2",
        "webconferencing.identity.password.hash": "pbkdf2:sha256:1000",  # seeding the demo users stays fast
        **(properties or {}),
    }
    command = [str(Path(sys.executable).with_name("exo-server")), "--config", str(root_configuration()),
               "--properties", str(empty_properties), "--extensions", str(extensions),
               "--host", "127.0.0.1", "--port", str(free_port())]
    for name, value in defines.items():
        command += ["-D", f"{name}={value}"]
    command += list(args)
    process = subprocess.Popen(command, cwd=data_dir, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
                               start_new_session=True)
    server = ExoServer(process, data_dir)
    threading.Thread(target=server._pump, name="exo-server-output", daemon=True).start()
    try:
        try:
            ready = server.wait_for_line(READY.search, timeout=timeout)
        except TimeoutError as exc:
            raise ExoServerError(f"exo-server did not start (exit code {process.poll()}): {exc}") from None
        server.base_url = READY.search(ready).group(1)
        yield server
    finally:
        server.stop()


class ExoUser:
    """A demo user signed in over REST (session cookie and CSRF token, as a browser). Paths are relative to
    ``/portal/rest/webconferencing`` (docs/rest.md); answers are ``requests`` responses, not checked: assert them."""

    def __init__(self, server: ExoServer, user_id: str, password: str = PASSWORD):
        import requests

        self.server = server
        self.id = user_id
        self.http = requests.Session()
        self.http.headers["Origin"] = server.base_url
        answer = self.http.post(f"{server.base_url}{REST}/auth/login",
                                json={"username": user_id, "password": password}, timeout=TIMEOUT)
        if answer.status_code != 200:
            raise AssertionError(f"{user_id} could not sign in: {answer.status_code} {answer.text[:200]}")
        self.csrf: str = answer.json()["csrfToken"]
        self.tabs: list[ExoTab] = []

    def request(self, method: str, path: str, **kwargs):
        headers = {"X-CSRF-Token": self.csrf, **kwargs.pop("headers", {})}
        return self.http.request(method, f"{self.server.base_url}{REST}{path}", headers=headers, timeout=TIMEOUT,
                                 **kwargs)

    def get(self, path: str, **kwargs):
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs):
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs):
        return self.request("DELETE", path, **kwargs)

    def set_im_account(self, im_type: str, im_id: str) -> None:
        """Save an IM account of ``im_type`` on the user's own profile, as the profile form does (an empty id
        removes it). The template connector gives a call button only to users who have one."""
        answer = self.http.post(f"{self.server.base_url}/portal/profile/{self.id}/ims",
                                data={f"im_{im_type}": im_id}, headers={"X-CSRF-Token": self.csrf},
                                allow_redirects=False, timeout=TIMEOUT)
        if answer.status_code != 303:
            raise AssertionError(f"{self.id}: saving the {im_type} account answered {answer.status_code}: "
                                 f"{answer.text[:200]}")

    def tab(self, client_id: str | None = None) -> "ExoTab":
        """A websocket as a browser tab of this user opens it, handshake done (its ``client_id`` set)."""
        import websocket

        cookie = "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)
        ws = websocket.create_connection(self.server.ws_url, cookie=cookie, origin=self.server.base_url,
                                         timeout=TIMEOUT)
        tab = ExoTab(ws, self.id)
        self.tabs.append(tab)
        tab.handshake(client_id)
        return tab

    def close(self) -> None:
        for tab in self.tabs:
            tab.close()
        self.http.close()


class ExoTab:
    """One websocket (docs/protocol.md). Frames that are not the awaited one wait in ``inbox``; pings are answered."""

    def __init__(self, ws: Any, user_id: str):
        self.ws = ws
        self.user_id = user_id
        self.client_id: str | None = None
        self.inbox: list[dict] = []
        self._ids = 0

    def send(self, frame: dict) -> None:
        self.ws.send(json.dumps(frame))

    def _receive(self, timeout: float) -> dict | None:
        import websocket

        self.ws.settimeout(timeout)
        try:
            frame = json.loads(self.ws.recv())
        except websocket.WebSocketTimeoutException:
            return None
        if frame.get("type") == "ping":
            self.send({"type": "pong"})
            return self._receive(timeout)
        return frame

    def wait_for(self, accept: Callable[[dict], bool], timeout: float = TIMEOUT) -> dict:
        """The first frame (already received or coming within ``timeout``) that ``accept`` takes."""
        for i, frame in enumerate(self.inbox):
            if accept(frame):
                return self.inbox.pop(i)
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            frame = self._receive(left)
            if frame is None:
                break
            if accept(frame):
                return frame
            self.inbox.append(frame)
        raise AssertionError(f"{self.user_id}: no expected frame within {timeout}s; inbox: {self.inbox}")

    def request(self, frame: dict, timeout: float = TIMEOUT) -> dict:
        """Send a frame with a fresh id; its answer (``ack``, ``result`` or ``error``)."""
        self._ids += 1
        request_id = f"r{self._ids}"
        self.send({**frame, "id": request_id})
        return self.wait_for(lambda f: f.get("id") == request_id and f.get("type") in ("ack", "result", "error"),
                             timeout)

    def handshake(self, client_id: str | None = None) -> dict:
        self.send({"type": "handshake", **({"clientId": client_id} if client_id else {})})
        answer = self.wait_for(lambda f: f.get("type") in ("handshake", "error"))
        if answer["type"] != "handshake":
            raise AssertionError(f"{self.user_id}: handshake refused: {answer}")
        self.client_id = answer["clientId"]
        return answer

    def subscribe(self, channel: str) -> dict:
        return self.request({"type": "subscribe", "channel": channel})

    def call(self, command: str, **args: Any) -> dict:
        """A remote call (``add_call``, ``update_user_call``, ...): its result or error frame."""
        return self.request({"type": "call", "command": command, **args})

    def message(self, channel: str, accept: Callable[[dict], bool] = lambda data: True,
                timeout: float = TIMEOUT) -> dict:
        """The next message on ``channel`` whose data ``accept`` takes (the whole frame)."""
        return self.wait_for(lambda f: f.get("type") == "message" and f.get("channel") == channel
                             and accept(f["data"]), timeout)

    def close(self) -> None:
        """Close it; one the server already closed is closed."""
        import websocket

        try:
            self.ws.close()
        except (OSError, websocket.WebSocketException):
            pass


def user_channel(user_id: str) -> str:
    return f"/webconferencing/user/{user_id}"


def call_channel(call_id: str) -> str:
    return f"/webconferencing/call/{call_id}"


def is_event(event_type: str, call_id: str, **fields: Any) -> Callable[[dict], bool]:
    """For :meth:`ExoTab.message`: a user-channel event of this type about this call (and these field values)."""
    def accept(data: dict) -> bool:
        return (data.get("eventType") == event_type and data.get("callId") == call_id
                and all(data.get(k) == v for k, v in fields.items()))
    return accept


@contextmanager
def chromium() -> Iterator[Any]:
    """Chromium under Playwright's sync API: Debian's when installed (no downloaded browser needed)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        executable = CHROMIUM if Path(CHROMIUM).exists() else None
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def signed_in_page(browser: Any, base_url: str, user: str, path: str = "/portal/people", *,
                   password: str = PASSWORD, **context_options: Any) -> Any:
    """A new browser context (cookies of its own) signed in as ``user`` through the login form, showing ``path``."""
    context = browser.new_context(base_url=base_url, **context_options)
    page = context.new_page()
    page.goto(f"/portal/login?next={path}")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")
    return page


def wait_provider_ready(page: Any, provider_type: str) -> None:
    """The provider's module is loaded and its init() done (for the template: subscribed to the user channel)."""
    page.evaluate("""([type, ms]) => Promise.race([
        webConferencing.getProvider(type).then(() => true),
        new Promise((_, reject) => setTimeout(() => reject(new Error(`provider ${type} not ready after ${ms} ms`)), ms)),
    ])""", [provider_type, PAGE_READY_MS])


# ---- the fixtures ----

@pytest.fixture(scope="module")
def exo_connectors() -> list[Path]:
    """The connector folders the test server loads. Override it in your test module or conftest.py."""
    pytest.fail("webconferencing.testing: define the fixture exo_connectors (scope='module') returning your "
                "connector folder(s), e.g. [Path(__file__).resolve().parents[1]]", pytrace=False)


@pytest.fixture(scope="module")
def exo_properties() -> dict[str, str]:
    """Properties given to the test server (``-D name=value``); override to set your connector's."""
    return {}


@pytest.fixture(scope="module")
def exo_server(exo_connectors, exo_properties, tmp_path_factory) -> Iterator[ExoServer]:
    """One real exo-server per test module, on a throw-away database (tests of a module share it: use distinct
    users or calls, or end what you start)."""
    with running_server(tmp_path_factory.mktemp("exo-server"), exo_connectors, exo_properties) as server:
        yield server


@pytest.fixture
def exo_login(exo_server) -> Iterator[Callable[[str], ExoUser]]:
    """``exo_login("john")``: the demo user signed in over REST; their websockets and session close after the
    test."""
    users: list[ExoUser] = []

    def sign_in(user_id: str, password: str = PASSWORD) -> ExoUser:
        user = ExoUser(exo_server, user_id, password)
        users.append(user)
        return user

    yield sign_in
    for user in users:
        user.close()


@pytest.fixture(scope="session")
def exo_browser() -> Iterator[Any]:
    """One Chromium for the session (Playwright's sync API allows one instance per process: a suite that already
    has a browser fixture overrides this one with it)."""
    with chromium() as browser:
        yield browser


@pytest.fixture
def exo_page(exo_server, exo_browser) -> Iterator[Callable[..., Any]]:
    """``exo_page("john", "/portal/profile/mary", ready="acmecall")``: a Playwright page of its own browser context
    signed in as the user, showing the path; with ``ready``, once that provider's module is ready. Closed after the
    test."""
    contexts: list[Any] = []

    def open_page(user: str, path: str = "/portal/people", *, ready: str | None = None, **context_options: Any):
        page = signed_in_page(exo_browser, exo_server.base_url, user, path, **context_options)
        contexts.append(page.context)
        if ready:
            wait_provider_ready(page, ready)
        return page

    yield open_page
    for context in contexts:
        context.close()
