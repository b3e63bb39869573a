"""``/metrics``: the Prometheus text exposition of :mod:`webconferencing.observability.metrics`, plus what the web
layer itself records (request latency by route, login failures and throttles, provider configuration changes) and
samples (open websockets, pooled database connections).

Access: the scrape needs ``Authorization: Bearer <webconferencing.metrics.token>``. Without a configured token the
endpoint does not exist (404): metrics describe users' activity and must never be public by accident. A wrong or
missing token gets 401. The endpoint is served before the Flask app (a WSGI dispatcher, :mod:`.operations`) because
its bearer token is not a user's: the app's authentication would reject it.

Why sampled gauges: the open websockets of a worker are a property of its hub, read by ``hub.connected_count()``;
each worker writes it to its multiprocess file every ``webconferencing.metrics.sample.seconds`` (and the scraping
worker once more right before answering), so the scrape adds up all live workers without any hook in the hub.
"""
from __future__ import annotations

import hmac
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Iterable, Mapping

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from werkzeug.wrappers import Request
from werkzeug.wrappers import Response as WsgiResponse

from exo_container.errors import InvalidProperty
from webconferencing.observability import metrics, multiprocess

log = logging.getLogger("webconferencing.web.metrics")

METRICS_PATH = "/metrics"
TOKEN = "webconferencing.metrics.token"
SAMPLE_SECONDS = "webconferencing.metrics.sample.seconds"
LOGIN_ENDPOINTS = frozenset({"auth.login_form", "auth.login_json", "auth.issue_token"})
PROVIDER_CONFIGURATION_ENDPOINT = "rest.set_provider_configuration"


@dataclass(frozen=True)
class MetricsSettings:
    token: str = ""
    sample_seconds: float = 5.0

    @classmethod
    def from_properties(cls, props: Mapping[str, str]) -> "MetricsSettings":
        raw = (props.get(SAMPLE_SECONDS) or "").strip()
        sample = cls.sample_seconds
        if raw:
            try:
                sample = float(raw)
            except ValueError:
                raise InvalidProperty(SAMPLE_SECONDS, f"'{raw}' is not a number") from None
            if sample <= 0:
                raise InvalidProperty(SAMPLE_SECONDS, f"{sample} must be more than 0")
        return cls(token=(props.get(TOKEN) or "").strip(), sample_seconds=sample)


class MetricsEndpoint:
    """The WSGI application answering ``/metrics``."""

    def __init__(self, token: str, collectors: Iterable = (), before_scrape: Callable[[], None] = lambda: None):
        self.token = token
        self.collectors = list(collectors)
        self.before_scrape = before_scrape

    def authorized(self, header: str) -> bool:
        scheme, _, credentials = header.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(credentials.strip().encode(), self.token.encode())

    def respond(self, req: Request) -> WsgiResponse:
        if not self.token:
            return WsgiResponse("Not Found\n", 404, content_type="text/plain")
        if not self.authorized(req.headers.get("Authorization", "")):
            return WsgiResponse("A bearer token is required (webconferencing.metrics.token)\n", 401,
                                {"WWW-Authenticate": 'Bearer realm="metrics"'}, content_type="text/plain")
        if req.method not in ("GET", "HEAD"):
            return WsgiResponse("Method Not Allowed\n", 405, {"Allow": "GET, HEAD"}, content_type="text/plain")
        self.before_scrape()
        body = generate_latest(multiprocess.scrape_registry(self.collectors))
        return WsgiResponse(body, 200, {"Cache-Control": "no-store"}, content_type=CONTENT_TYPE_LATEST)

    def __call__(self, environ, start_response):
        return self.respond(Request(environ))(environ, start_response)


class Sampler:
    """Copies values only readable in this process (open websockets, pooled connections in use) into gauges, every
    ``interval`` seconds until ``finished()`` says the app is shutting down."""

    def __init__(self, interval: float, connected: Callable[[], int], pool_in_use: Callable[[], int],
                 finished: Callable[[], bool]) -> None:
        self.interval = interval
        self.connected = connected
        self.pool_in_use = pool_in_use
        self.finished = finished
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="metrics-sampler", daemon=True)

    def sample(self) -> None:
        metrics.set_websocket_connections(self.connected())
        metrics.set_db_connections_in_use(self.pool_in_use())

    def start(self) -> "Sampler":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        while not self._stop.is_set() and not self.finished():
            try:
                self.sample()
            except Exception:  # noqa: BLE001 - a failed sample must not end sampling
                log.exception("Sampling metrics failed")
            self._stop.wait(self.interval)
        metrics.set_websocket_connections(0)


def _started() -> None:
    g.metrics_started = time.perf_counter()


def _finished(response: Response) -> Response:
    endpoint = request.endpoint
    started = g.pop("metrics_started", None)
    # a websocket "request" lasts as long as its tab: not a latency (every websocket route: tabs', guests')
    if started is not None and request.headers.get("Upgrade", "").lower() != "websocket":
        rule = request.url_rule.rule if request.url_rule is not None else None
        metrics.record_request(rule, request.method, response.status_code, time.perf_counter() - started)
    if endpoint in LOGIN_ENDPOINTS:
        if response.status_code == 401:
            metrics.record_login_failure()
        elif response.status_code == 429:
            metrics.record_login_throttled()
    elif endpoint == PROVIDER_CONFIGURATION_ENDPOINT and response.status_code == 200:
        metrics.record_provider_configuration_change((request.view_args or {}).get("provider_type", ""))
    return response


def install_recording(app: Flask) -> None:
    """Time every request and count logins and configuration changes from their answers (the views stay
    unaware of metrics; the answer's status already says what happened)."""
    app.before_request(_started)
    app.after_request(_finished)
