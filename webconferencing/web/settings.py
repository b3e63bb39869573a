"""The server's tunables, read once from the property store (``exo.properties`` layered over ``-D`` and ``EXO_*``).

Every name here is documented in ``exo.properties``. A bad value is a configuration error naming the property, not a
``ValueError`` deep in a worker.
"""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import limits

from exo_container.errors import InvalidProperty

HOST = "exo.server.host"
PORT = "exo.server.port"
SECRET = "exo.server.secret"
DATA_DIR = "exo.data.dir"
TOKEN_SECONDS = "exo.server.token.seconds"
SESSION_SECONDS = "exo.server.session.seconds"
SECURE_COOKIES = "exo.server.cookie.secure"
GRACE_SECONDS = "webconferencing.ws.grace.seconds"
PING_SECONDS = "webconferencing.ws.ping.seconds"
MAX_FRAME_BYTES = "webconferencing.ws.frame.max.bytes"
SEND_QUEUE_SIZE = "webconferencing.ws.send.queue.size"
LOGIN_MAX_FAILURES = "exo.server.login.max.failures"
LOGIN_MAX_ADDRESS_FAILURES = "exo.server.login.max.failures.address"
LOGIN_WINDOW_SECONDS = "exo.server.login.window.seconds"
BROKER = "webconferencing.broker"
QUOTA_CALLS = "webconferencing.quota.calls"
QUOTA_ROOMS = "webconferencing.quota.rooms"
QUOTA_WEBSOCKETS = "webconferencing.quota.websockets"

SECRET_FILE = "server.secret"


@dataclass(frozen=True)
class ServerSettings:
    host: str = "127.0.0.1"
    port: int = 8080
    secret: str = ""
    data_dir: Path = Path("data")
    token_seconds: int = 3600
    session_seconds: int = 8 * 3600
    secure_cookies: bool = False
    grace_seconds: float = 10.0
    ping_seconds: float = 25.0
    max_frame_bytes: int = 64 * 1024
    send_queue_size: int = 256
    login_max_failures: int = 10
    login_max_address_failures: int = 100
    login_window_seconds: float = 300.0
    broker_url: str = ""
    #: per-user quotas (:mod:`.quotas`): calls and chat rooms created per window, websockets open at once
    quota_calls: str = "30/minute"
    quota_rooms: str = "30/hour"
    quota_websockets: int = 20

    @classmethod
    def from_properties(cls, props: Mapping[str, str]) -> "ServerSettings":
        data_dir = Path(props.get(DATA_DIR) or "data")
        return cls(
            host=props.get(HOST) or cls.host,
            port=_number(props, PORT, cls.port, int, low=0, high=65535),
            secret=props.get(SECRET) or "",
            data_dir=data_dir,
            token_seconds=_number(props, TOKEN_SECONDS, cls.token_seconds, int, low=1),
            session_seconds=_number(props, SESSION_SECONDS, cls.session_seconds, int, low=1),
            secure_cookies=_flag(props, SECURE_COOKIES, cls.secure_cookies),
            grace_seconds=_number(props, GRACE_SECONDS, cls.grace_seconds, float, low=0),
            ping_seconds=_number(props, PING_SECONDS, cls.ping_seconds, float, low=0.05),
            max_frame_bytes=_number(props, MAX_FRAME_BYTES, cls.max_frame_bytes, int, low=256),
            send_queue_size=_number(props, SEND_QUEUE_SIZE, cls.send_queue_size, int, low=1),
            login_max_failures=_number(props, LOGIN_MAX_FAILURES, cls.login_max_failures, int, low=1),
            login_max_address_failures=_number(props, LOGIN_MAX_ADDRESS_FAILURES, cls.login_max_address_failures,
                                               int, low=1),
            login_window_seconds=_number(props, LOGIN_WINDOW_SECONDS, cls.login_window_seconds, float, low=0.001),
            broker_url=(props.get(BROKER) or "").strip(),
            quota_calls=_rate(props, QUOTA_CALLS, cls.quota_calls),
            quota_rooms=_rate(props, QUOTA_ROOMS, cls.quota_rooms),
            quota_websockets=_number(props, QUOTA_WEBSOCKETS, cls.quota_websockets, int, low=1),
        )

    @property
    def uses_redis(self) -> bool:
        return self.broker_url.startswith("redis://") or self.broker_url.startswith("rediss://")

    def with_secret(self) -> "ServerSettings":
        """These settings with a session/token signing secret: ``exo.server.secret``, else the one persisted in the
        data dir, else a new one written there (0600) so that restarts and sibling workers keep sessions valid."""
        if self.secret:
            return self
        path = self.data_dir / SECRET_FILE
        try:
            secret = path.read_text(encoding="ascii").strip()
        except FileNotFoundError:
            secret = ""
        if not secret:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            secret = secrets.token_urlsafe(48)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secret + "\n")
        return ServerSettings(**{**self.__dict__, "secret": secret})


def _number(props: Mapping[str, str], name: str, default, kind, *, low=None, high=None):
    raw = props.get(name)
    if raw is None or not str(raw).strip():
        return default
    try:
        value = kind(str(raw).strip())
    except ValueError:
        raise InvalidProperty(name, f"'{raw}' is not a {kind.__name__}") from None
    if (low is not None and value < low) or (high is not None and value > high):
        raise InvalidProperty(name, f"{value} is out of range [{low}, {high if high is not None else ''}]")
    return value


def _rate(props: Mapping[str, str], name: str, default: str) -> str:
    """A rate in the ``limits`` notation (``30/minute``, ``100 per hour``), checked here so a typo fails the boot
    naming the property instead of the first request."""
    raw = (props.get(name) or "").strip()
    if not raw:
        return default
    try:
        limits.parse(raw)
    except ValueError:
        raise InvalidProperty(name, f"'{raw}' is not a rate like 30/minute or 100 per hour") from None
    return raw


def _flag(props: Mapping[str, str], name: str, default: bool) -> bool:
    raw = (props.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("true", "false"):
        return raw == "true"
    raise InvalidProperty(name, f"'{raw}' is not true or false")
