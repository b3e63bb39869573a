"""Every metric the server exports, and the small functions the code that sees an event calls to record it.

Why one module of module-level metrics: prometheus_client registers a metric once per process, and in multiprocess
mode (several gunicorn workers, :mod:`.multiprocess`) each value lives in a per-process file that the scraping
worker adds up. Recording is a dict update and an mmap write: cheap enough for the websocket hot path.

Why functions (``record_call_started`` ...) rather than the metric objects: callers say what happened in the
domain's words and never learn label names; the label values are cut to known sets where they come from outside
(an HTTP route template, never a raw path, so a scanner cannot blow up the series count).

Gauges that describe this process (websocket connections, database connections in use) use the ``livesum`` mode:
the scrape adds up the live workers only (a worker's files are dropped when it exits, see
:func:`.multiprocess.mark_process_dead`). Numbers that describe the whole deployment (active calls, joined
participants) are not gauges here: they are read from the shared database when scraped (:mod:`.census`).
"""
from __future__ import annotations

import functools

from prometheus_client import Counter, Gauge, Histogram

PREFIX = "webconferencing"

# ---- calls (service) ----
CALLS_STARTED = Counter(f"{PREFIX}_calls_started_total", "Calls that went to state started (created or restarted)",
                        ["provider", "owner_type"])
CALLS_STOPPED = Counter(f"{PREFIX}_calls_stopped_total", "Calls that went to state stopped (or were deleted while "
                        "started)", ["provider", "owner_type"])
OPERATION_SECONDS = Histogram(f"{PREFIX}_operation_duration_seconds",
                              "Service operations (add_call, join_call ...) by outcome: ok or the error's wire code",
                              ["operation", "status"],
                              buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5))
PROVIDER_CONFIGURATION_CHANGES = Counter(f"{PREFIX}_provider_configuration_changes_total",
                                         "Provider settings saved by an administrator", ["provider"])

# ---- channels (hub, websockets, broker) ----
WEBSOCKET_CONNECTIONS = Gauge(f"{PREFIX}_websocket_connections", "Open websocket connections (browser tabs)",
                              multiprocess_mode="livesum")
MESSAGES_PUBLISHED = Counter(f"{PREFIX}_messages_published_total", "Messages published to the broker",
                             ["channel_kind"])
MESSAGES_DELIVERED = Counter(f"{PREFIX}_messages_delivered_total",
                             "Messages handed to a local subscriber (one per receiving tab)", ["channel_kind"])
FANOUT_SECONDS = Histogram(f"{PREFIX}_fanout_duration_seconds",
                           "Time from a message reaching this process to its hand-over to every local subscriber",
                           buckets=(.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1))
SEND_QUEUE_OVERFLOWS = Counter(f"{PREFIX}_send_queue_overflows_total",
                               "Websockets closed because their client stopped reading (send queue full)")
WEBSOCKET_DISCONNECTS = Counter(f"{PREFIX}_websocket_disconnects_total", "Websockets closed, by reason",
                                ["reason"])
BROKER_ERRORS = Counter(f"{PREFIX}_broker_errors_total", "Broker failures (lost connection, failed publish)",
                        ["operation"])
BROKER_RECONNECTS = Counter(f"{PREFIX}_broker_reconnects_total", "Broker connections re-established after a loss")

# ---- HTTP ----
REQUEST_SECONDS = Histogram(f"{PREFIX}_http_request_duration_seconds",
                            "HTTP requests by route template, method and status (websocket upgrades excluded)",
                            ["route", "method", "status"],
                            buckets=(.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
LOGIN_FAILURES = Counter(f"{PREFIX}_login_failures_total", "Logins refused for a wrong name or password")
LOGIN_THROTTLED = Counter(f"{PREFIX}_login_throttled_total",
                          "Logins refused unchecked because the name or address failed too often")

# ---- database ----
DB_CONNECTIONS_IN_USE = Gauge(f"{PREFIX}_db_pool_connections_in_use",
                              "Pooled database connections checked out (postgresql+pool URLs)",
                              multiprocess_mode="livesum")
DB_POOL_WAITS = Counter(f"{PREFIX}_db_pool_waits_total",
                        "Times a request found every pooled database connection in use and had to wait")

CHANNEL_KINDS = ("user", "call", "control")
UNMATCHED_ROUTE = "unmatched"


def channel_kind(channel: str) -> str:
    """``user``, ``call`` or ``control`` from a broker channel name (the label set stays fixed)."""
    if channel.startswith("/webconferencing/user/"):
        return "user"
    if channel.startswith("/webconferencing/call/"):
        return "call"
    return "control"


@functools.lru_cache(maxsize=1024)
def _child(metric, *label_values: str):
    """``metric.labels(*label_values)``, remembered: ``labels`` checks and looks the values up under a lock on every
    call, a sizeable share of a call operation that records several metrics per published event. It returns the
    same child object every time (prometheus_client keeps it), so remembering it changes nothing recorded; in
    multiprocess mode the child's value still notices a fork. The label sets are small and fixed (see above)."""
    return metric.labels(*label_values)


def record_call_started(provider_type: str, owner_type: str) -> None:
    _child(CALLS_STARTED, provider_type, owner_type).inc()


def record_call_stopped(provider_type: str, owner_type: str) -> None:
    _child(CALLS_STOPPED, provider_type, owner_type).inc()


def record_operation(operation: str, status: str, seconds: float) -> None:
    _child(OPERATION_SECONDS, operation, status).observe(seconds)


def record_provider_configuration_change(provider_type: str) -> None:
    PROVIDER_CONFIGURATION_CHANGES.labels(provider_type).inc()


def record_published(channel: str) -> None:
    _child(MESSAGES_PUBLISHED, channel_kind(channel)).inc()


def record_fanout(channel: str, subscribers: int, seconds: float) -> None:
    """One message handed to ``subscribers`` local subscribers in ``seconds``."""
    if subscribers:
        _child(MESSAGES_DELIVERED, channel_kind(channel)).inc(subscribers)
        FANOUT_SECONDS.observe(seconds)


def record_send_queue_overflow() -> None:
    SEND_QUEUE_OVERFLOWS.inc()


def record_websocket_disconnect(reason: str) -> None:
    """A connected tab lost its websocket: ``drop`` (it may come back within the grace period), ``drop without
    calls``, ``hand over`` (it reconnected to another process), ``let go`` (the server is stopping)."""
    WEBSOCKET_DISCONNECTS.labels(reason).inc()


def set_websocket_connections(count: int) -> None:
    WEBSOCKET_CONNECTIONS.set(count)


def record_broker_error(operation: str) -> None:
    BROKER_ERRORS.labels(operation).inc()


def record_broker_reconnect() -> None:
    BROKER_RECONNECTS.inc()


def record_request(route: str | None, method: str, status: int, seconds: float) -> None:
    REQUEST_SECONDS.labels(route or UNMATCHED_ROUTE, method, str(status)).observe(seconds)


def record_login_failure() -> None:
    LOGIN_FAILURES.inc()


def record_login_throttled() -> None:
    LOGIN_THROTTLED.inc()


def set_db_connections_in_use(count: int) -> None:
    DB_CONNECTIONS_IN_USE.set(count)


def record_db_pool_wait() -> None:
    DB_POOL_WAITS.inc()
