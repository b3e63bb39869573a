"""``/health/live`` and ``/health/ready``: what a load balancer or an orchestrator asks before sending traffic.

Live: the process answers HTTP (200 as long as it runs; a hung worker is what a failing liveness probe catches).
Ready: every part a request needs works right now: the container has started, the database answers a query, and
the broker and the session store (when they are in Redis) answer a ping. Otherwise 503, with each failing part named and why, so the
operator reads the cause off the probe instead of the logs.

A stopping server is not ready before it stops serving: the worker marks itself :meth:`Readiness.stopping` when the
stop begins (``exo.server.drain.seconds`` before it closes its listener and websockets), so a load balancer sees
503 and drains it while requests still succeed.

Both are served before the Flask app (:mod:`.operations`): no session, no CSRF, no authentication; and they carry
no user data, only part names and error messages.
"""
from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit, urlunsplit

from werkzeug.wrappers import Request
from werkzeug.wrappers import Response as WsgiResponse

log = logging.getLogger("webconferencing.web.health")

LIVE_PATH = "/health/live"
READY_PATH = "/health/ready"
PROBE_TIMEOUT = 2.0  # seconds a dependency gets to answer one readiness probe

#: a check returns None when its part works, else why it does not
Check = Callable[[], "str | None"]


def redacted_url(url: str) -> str:
    """A broker or database URL without its password (it ends up in a probe answer)."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=f"{parts.username or ''}:***@{parts.netloc.rsplit('@', 1)[1]}"))


def container_check(container) -> Check:
    def check() -> str | None:
        state = getattr(container, "state", None)
        return None if state == "started" else f"container is {state}, not started"
    return check


def database_check(database) -> Check:
    """One ``SELECT 1`` in a read transaction; the connection is released after (as after a request)."""
    def check() -> str | None:
        try:
            with database.read():
                database.db.execute_sql("SELECT 1").fetchall()
        except Exception as exc:  # noqa: BLE001 - whatever fails is the answer
            return f"{type(exc).__name__}: {exc}".strip()
        finally:
            try:
                database.release()
            except Exception:  # noqa: BLE001 - a dead connection cannot be released cleanly; the next one reopens
                pass
        return None
    return check


class RedisCheck:
    """Pings the broker's Redis over a connection of its own (short timeouts: a probe must answer quickly)."""

    def __init__(self, url: str, timeout: float = PROBE_TIMEOUT) -> None:
        import redis

        self.url = url
        self._redis = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        self._errors = (redis.RedisError, OSError)

    def __call__(self) -> str | None:
        try:
            self._redis.ping()
        except self._errors as exc:
            return f"Redis {redacted_url(self.url)} does not answer: {exc}"
        return None

    def close(self) -> None:
        self._redis.close()


@dataclass
class Readiness:
    """The named checks of one app, and whether it is stopping. Each check gets ``timeout`` seconds (it runs on a
    thread of its own, a greenlet in the server): a database or Redis that accepts connections but never answers
    must fail the probe, not hang it."""

    checks: dict[str, Check] = field(default_factory=dict)
    timeout: float = PROBE_TIMEOUT
    _stopping: threading.Event = field(default_factory=threading.Event)

    def stopping(self) -> None:
        """From now on not ready, whatever the checks say."""
        self._stopping.set()

    @property
    def is_stopping(self) -> bool:
        return self._stopping.is_set()

    def failures(self) -> dict[str, str]:
        """Failing part -> why (empty when ready)."""
        if self.is_stopping:
            return {"server": "stopping"}
        failing = {}
        for name, check in self.checks.items():
            problem = self._bounded(name, check)
            if problem:
                failing[name] = problem
        return failing

    def _bounded(self, name: str, check: Check) -> str | None:
        outcome: list[str | None] = []

        def run() -> None:
            try:
                outcome.append(check())
            except Exception as exc:  # noqa: BLE001 - a broken check is a failing part, not a 500
                log.exception("Readiness check %s failed", name)
                outcome.append(f"{type(exc).__name__}: {exc}")

        runner = threading.Thread(target=run, name=f"readiness {name}", daemon=True)
        runner.start()
        runner.join(self.timeout)
        if not outcome:
            return f"did not answer within {self.timeout:g}s"
        return outcome[0]


def _json(body: dict, status: int) -> WsgiResponse:
    return WsgiResponse(json.dumps(body), status, {"Cache-Control": "no-store"}, content_type="application/json")


class HealthEndpoints:
    """The WSGI application answering both paths."""

    def __init__(self, readiness: Readiness) -> None:
        self.readiness = readiness

    def respond(self, req: Request) -> WsgiResponse:
        if req.method not in ("GET", "HEAD"):
            return _json({"status": "method not allowed"}, 405)
        if req.path == LIVE_PATH:
            return _json({"status": "live"}, 200)
        failing = self.readiness.failures()
        if failing:
            log.info("Not ready: %s", "; ".join(f"{name}: {why}" for name, why in failing.items()))
            return _json({"status": "not ready", "failing": failing}, 503)
        return _json({"status": "ready", "checked": sorted(self.readiness.checks)}, 200)

    def __call__(self, environ, start_response):
        return self.respond(Request(environ))(environ, start_response)
