"""Wires the operator's endpoints and instruments into one app: ``/metrics`` (:mod:`.metrics`), ``/health/live``
and ``/health/ready`` (:mod:`.health`), request ids (:mod:`.request_id`) and trusted proxies (:mod:`.proxies`).

The three endpoints are answered by a WSGI dispatcher in front of the Flask app, so none of the app's machinery
(sessions, user authentication, CSRF, page headers) applies to them, and a probe stays cheap while the app is busy.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import Flask

from webconferencing.observability import pool
from webconferencing.observability.census import CallCensus
from webconferencing.storage import Database

from . import proxies, request_id
from .context import WebContext
from .health import LIVE_PATH, READY_PATH, HealthEndpoints, Readiness, RedisCheck, container_check, database_check
from .metrics import METRICS_PATH, MetricsEndpoint, MetricsSettings, Sampler, install_recording
from .sessions import REDIS_SCHEMES

EXTENSION = "webconferencing.operations"
DRAIN_SECONDS = "exo.server.drain.seconds"


class Dispatcher:
    """WSGI: exact paths to their own applications, everything else to the app."""

    def __init__(self, app: Callable, routes: dict[str, Callable]) -> None:
        self.app = app
        self.routes = routes

    def __call__(self, environ: dict, start_response: Callable) -> Any:
        handler = self.routes.get(environ.get("PATH_INFO", ""), self.app)
        return handler(environ, start_response)


@dataclass
class Operations:
    readiness: Readiness
    sampler: Sampler
    drain_seconds: float

    def stopping(self) -> float:
        """The server begins to stop: not ready from now on; returns the seconds to keep serving meanwhile."""
        self.readiness.stopping()
        return self.drain_seconds

    def close(self) -> None:
        self.sampler.stop()
        for check in self.readiness.checks.values():
            close = getattr(check, "close", None)
            if close is not None:
                close()


def drain_seconds(props: dict) -> float:
    """``exo.server.drain.seconds`` (0 when unset)."""
    from exo_container.errors import InvalidProperty

    raw = (props.get(DRAIN_SECONDS) or "").strip()
    if not raw:
        return 0.0
    try:
        seconds = float(raw)
    except ValueError:
        raise InvalidProperty(DRAIN_SECONDS, f"'{raw}' is not a number of seconds") from None
    if seconds < 0:
        raise InvalidProperty(DRAIN_SECONDS, f"{seconds} must be 0 or more")
    return seconds


def install(app: Flask, container, ctx: WebContext) -> Operations:
    props = container.properties.as_dict()
    settings = MetricsSettings.from_properties(props)
    database = container.get_component_instance_of_type(Database)
    pool.watch(database.db)
    hub = ctx.hub
    sampler = Sampler(settings.sample_seconds, hub.connected_count, lambda: pool.in_use(database.db),
                      lambda: hub.closed)
    readiness = Readiness({
        "container": container_check(container),
        "database": database_check(database),
        "websockets": lambda: "closed: the server is stopping" if hub.closed else None,
    })
    if ctx.settings.uses_redis:
        readiness.checks["broker"] = RedisCheck(ctx.settings.broker_url)
    if ctx.sessions.location.startswith(REDIS_SCHEMES):  # nobody stays signed in without it
        readiness.checks["sessions"] = RedisCheck(ctx.sessions.location)
    health = HealthEndpoints(readiness)
    request_id.install(app)
    install_recording(app)
    app.wsgi_app = Dispatcher(app.wsgi_app, {
        METRICS_PATH: MetricsEndpoint(settings.token, [CallCensus(database)], sampler.sample),
        LIVE_PATH: health,
        READY_PATH: health,
    })
    proxies.install(app, proxies.trusted_proxies(props))
    operations = Operations(readiness, sampler.start(), drain_seconds(props))
    app.extensions[EXTENSION] = operations
    return operations


def operations_of(app: Flask) -> Operations | None:
    return app.extensions.get(EXTENSION)
