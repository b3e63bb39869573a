"""Drive a real ``exo-server`` subprocess: start it on a free loopback port with its own data dir, log in users over
HTTP, open websocket tabs, and check every REST answer against the server's own OpenAPI document."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import requests
import websocket
from jsonschema import Draft202012Validator

from webconferencing.testing import ExoTab, call_channel, is_event, user_channel  # noqa: F401 (re-exported)

REPO = Path(__file__).resolve().parents[2]
EXO_SERVER = Path(sys.executable).with_name("exo-server")
EXTENSIONS = Path(__file__).resolve().parent / "fixtures" / "extensions"
REST = "/portal/rest/webconferencing"
WS_PATH = "/webconferencing/ws"
PASSWORD = "gtn"  # the demo organization's password
DEFAULT_TIMEOUT = 5.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    """One ``exo-server`` process; output goes to ``log_path`` so tests can read the server log."""

    data_dir: Path
    port: int = field(default_factory=free_port)
    properties: dict[str, str] = field(default_factory=dict)
    args: list[str] = field(default_factory=list)
    process: subprocess.Popen | None = None

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}{WS_PATH}"

    @property
    def log_path(self) -> Path:
        return self.data_dir / f"server-{self.port}.log"

    def command(self) -> list[str]:
        props = {
            "webconferencing.db.url": f"sqlite:///{self.data_dir / 'webconferencing.db'}",
            "exo.data.dir": str(self.data_dir),
            "webconferencing.ws.grace.seconds": "1",
            "webconferencing.calllog.flush.interval": "0.2",
            # tests create calls, rooms and tabs far faster than a person: the per-user quotas have their own tests
            # (tests/security/test_quotas.py, which set theirs), the others must not trip them
            "webconferencing.quota.calls": "100000/minute",
            "webconferencing.quota.rooms": "100000/hour",
            "webconferencing.quota.websockets": "100000",
            # every seeded user gets a hash of their own: a cheap method keeps a server start fast (tests/core too)
            "webconferencing.identity.password.hash": "pbkdf2:sha256:1000",
            **self.properties,
        }
        empty_properties = self.data_dir / "exo.properties"
        empty_properties.touch()  # isolate from the repository's exo.properties
        command = [str(EXO_SERVER), "--config", str(REPO / "configuration.xml"), "--properties",
                   str(empty_properties), "--extensions", str(EXTENSIONS), "--port", str(self.port)]
        for name, value in props.items():
            command += ["-D", f"{name}={value}"]
        return command + self.args

    # the upper bound of a boot (the author kit's too, webconferencing.testing): a quiet machine boots in a few
    # seconds, a loaded one (several agents on 2 cores) was seen past 30 s, failing whole modules in setup
    def start(self, timeout: float = 60.0) -> "Server":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.command(), cwd=self.data_dir, stdout=log, stderr=subprocess.STDOUT,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"})
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"exo-server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if requests.get(f"{self.base}{REST}/openapi.json", timeout=1).status_code == 200:
                    return self
            except (requests.ConnectionError, requests.Timeout):  # not accepting yet, or still booting
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"exo-server not ready after {timeout}s:\n{self.log()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20.0) -> int:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_for_log(self, pattern: str, timeout: float = DEFAULT_TIMEOUT) -> re.Match:
        deadline = time.monotonic() + timeout
        while True:
            match = re.search(pattern, self.log())
            if match or time.monotonic() > deadline:
                assert match, f"server log never matched {pattern!r}:\n{self.log()[-3000:]}"
                return match
            time.sleep(0.05)


class OpenApi:
    """Validates REST answers against the document the server serves (status documented, body matches)."""

    def __init__(self, document: dict):
        self.document = document
        self.routes = []
        for template, item in document["paths"].items():
            pattern = re.escape(template)
            pattern = re.sub(r"\\\{callId\\\}", ".+", pattern)
            pattern = re.sub(r"\\\{[A-Za-z]+\\\}", "[^/]+", pattern)
            self.routes.append((re.compile(f"^{pattern}$"), template, item))

    def operation(self, method: str, path: str) -> tuple[str, dict]:
        matches = [(t, item) for rx, t, item in self.routes if rx.match(path) and method.lower() in item]
        assert matches, f"{method} {path} is not in the OpenAPI document"
        template, item = min(matches, key=lambda m: m[0].count("{"))  # literal segments win
        return template, item[method.lower()]

    def check(self, response: requests.Response) -> None:
        path = response.request.path_url.split("?")[0]
        assert path.startswith(REST), path
        method = response.request.method
        template, operation = self.operation(method, path[len(REST):])
        documented = operation["responses"].get(str(response.status_code))
        assert documented is not None, (f"{method} {template} answered {response.status_code}, "
                                        f"not documented: {response.text[:300]}")
        schema = documented.get("content", {}).get("application/json", {}).get("schema")
        if schema is None:
            assert not response.content, f"{method} {template} {response.status_code} should have no body"
            return
        body = response.json()
        validator = Draft202012Validator({"allOf": [schema], "components": self.document["components"]})
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
        assert not errors, f"{method} {template} {response.status_code}: {errors[0].message} at {list(errors[0].path)}"


class User:
    """A logged-in browser: session cookie + CSRF token. Every answer is checked against the OpenAPI document."""

    def __init__(self, server: Server, openapi: OpenApi, user_id: str, *, login: bool = True):
        self.server = server
        self.openapi = openapi
        self.id = user_id
        self.http = requests.Session()
        self.csrf: str | None = None
        if login:
            response = self.post("/auth/login", json={"username": user_id, "password": PASSWORD})
            assert response.status_code == 200, response.text
            self.csrf = response.json()["csrfToken"]

    def request(self, method: str, path: str, *, csrf: bool = True, **kwargs) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if csrf and self.csrf and method in ("POST", "PUT", "DELETE"):
            headers.setdefault("X-CSRF-Token", self.csrf)
        response = self.http.request(method, f"{self.server.base}{REST}{path}", headers=headers,
                                     timeout=DEFAULT_TIMEOUT, **kwargs)
        self.openapi.check(response)
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def put(self, path: str, **kwargs) -> requests.Response:
        return self.request("PUT", path, **kwargs)

    def delete(self, path: str, **kwargs) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)

    def tab(self, client_id: str | None = None, *, handshake: bool = True) -> "Tab":
        tab = Tab(websocket.create_connection(self.server.ws_url, cookie=self.cookie_header,
                                              timeout=DEFAULT_TIMEOUT), self.id)
        if handshake:
            tab.handshake(client_id)
        return tab


class Tab(ExoTab):
    """One websocket (a browser tab): the author kit's tab (webconferencing.testing), plus raw frames and the check
    that nothing arrives, which the project's own protocol tests need."""

    def send(self, frame: dict | str) -> None:
        self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    def no_message(self, channel: str, accept: Callable[[dict], bool] = lambda data: True,
                   within: float = 0.5) -> None:
        """No message on ``channel`` (whose data ``accept``s) arrives ``within`` seconds."""
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            frame = self._receive(left)
            if frame is None:
                break
            self.inbox.append(frame)
        unexpected = [f for f in self.inbox
                      if f.get("type") == "message" and f.get("channel") == channel and accept(f["data"])]
        assert not unexpected, f"{self.user_id} got unexpected messages on {channel}: {unexpected}"
