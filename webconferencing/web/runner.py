"""gunicorn, in-process: the Application that boots one container per worker, and the gevent worker that closes
websockets as soon as a graceful shutdown starts (they would otherwise hold the worker for the whole graceful
timeout: a websocket never finishes by itself).
"""
from __future__ import annotations

import logging
import sys

import gevent
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.workers.ggevent import GeventWorker

from exo_container.boot import boot
from exo_container.errors import KernelError
from webconferencing.errors import ProviderConfigurationError

from webconferencing.observability.logs import console_line
from webconferencing.observability.multiprocess import mark_process_dead

from .app import create_app, shutdown_app
from .gunicorn_errors import answer_client_error
from .operations import operations_of
from .server import ServeOptions
from .settings import ServerSettings

log = logging.getLogger("webconferencing.web.server")

GRACEFUL_TIMEOUT = 10
WORKER_CONNECTIONS = 20000
# Seconds an idle HTTP keep-alive connection is kept: short, because a graceful stop waits for idle ones too (and
# browsers open a new connection cheaply; long-lived traffic goes over the websocket anyway).
KEEPALIVE = 2


class ExoGeventWorker(GeventWorker):
    def handle_error(self, req, client, addr, exc):
        """A request gunicorn refused while parsing (414, 400, 431) gets the JSON error shape (gunicorn_errors)."""
        if answer_client_error(client, exc):
            self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
            return
        super().handle_error(req, client, addr, exc)

    def handle_exit(self, sig, frame):
        drain = _start_stopping(getattr(self, "wsgi", None))  # not ready from now on (load balancers drain it)
        if drain > 0 and not getattr(self, "_draining", False):
            self._draining = True
            gevent.spawn_later(drain, self.handle_exit, sig, frame)  # keep serving while the balancer notices
            return
        super().handle_exit(sig, frame)  # stop accepting; gunicorn then waits for the open connections
        gevent.spawn(self._close_websockets)

    def handle_quit(self, sig, frame):
        gevent.spawn(self._close_websockets)
        super().handle_quit(sig, frame)

    def _close_websockets(self) -> None:
        app = getattr(self, "wsgi", None)
        if app is not None and hasattr(app, "extensions"):
            shutdown_app(app)


def _start_stopping(app) -> float:
    """Readiness turns 503 (see web/health.py); the seconds to go on serving first (exo.server.drain.seconds)."""
    operations = operations_of(app) if app is not None and hasattr(app, "extensions") else None
    return operations.stopping() if operations is not None else 0.0


class ExoServerApplication(BaseApplication):
    """Serves the container's app; ``load`` runs in each worker, after the fork and gevent's patching."""

    def __init__(self, options: ServeOptions, settings: ServerSettings):
        self.options = options
        self.settings = settings
        self.container = None
        self.flask_app = None
        super().__init__()

    def load_config(self) -> None:
        settings = self.settings
        config = {
            "bind": [f"[{settings.host}]:{settings.port}" if ":" in settings.host else
                     f"{settings.host}:{settings.port}"],
            "workers": self.options.workers,
            "worker_class": f"{ExoGeventWorker.__module__}.{ExoGeventWorker.__qualname__}",
            "worker_connections": WORKER_CONNECTIONS,
            "graceful_timeout": GRACEFUL_TIMEOUT,
            "timeout": 30,
            "keepalive": KEEPALIVE,
            "loglevel": self.options.log_level,
            "proc_name": "exo-server",
            "control_socket_disable": True,  # one per user by default: several servers would fight over it
            "post_worker_init": self._post_worker_init,
            "worker_exit": self._worker_exit,
            "child_exit": lambda _arbiter, worker: mark_process_dead(worker.pid),  # its live gauges end with it
            "logger_class": "webconferencing.web.gunicorn_logs.ServerFormatLogger",  # JSON lines for gunicorn too
        }
        for name, value in config.items():
            self.cfg.set(name, value)

    def load(self):
        try:
            self.container = boot(self.options.configuration, **self.options.boot_arguments())
        except KernelError as exc:  # a component refused its configuration: its message says what and where
            print(f"error: {exc}", file=sys.stderr, flush=True)
            print("exo-server: not starting: fix the value named above (exo.properties, -D or EXO_* environment)",
                  file=sys.stderr, flush=True)
            raise SystemExit(Arbiter.WORKER_BOOT_ERROR) from None  # the master halts instead of respawning
        misconfigured = provider_configuration_errors(self.container.problems)
        if misconfigured and not self.options.lenient:  # --lenient skips it, as it skips any broken plugin
            # The kernel, like eXo, only skips a plugin that fails to build; but a connector whose configuration is
            # wrong (a missing client id) must not leave a server running without it, silently missing its buttons.
            self.container.stop()
            self.container.dispose()
            for problem in misconfigured:
                print(f"error: {problem}", file=sys.stderr, flush=True)
            print(f"exo-server: {len(misconfigured)} call provider(s) misconfigured, not starting (--lenient starts "
                  "without them)", file=sys.stderr, flush=True)
            raise SystemExit(Arbiter.WORKER_BOOT_ERROR)  # the master halts instead of respawning the worker
        try:
            self.flask_app = create_app(self.container, self.settings)
        except Exception:
            self.container.dispose()
            raise
        return self.flask_app

    def _post_worker_init(self, worker) -> None:
        # one line tools (and the tests) can wait for: the worker has booted and serves
        print(console_line("exo-server", f"exo-server ready on http://{self.settings.host}:{self.settings.port} "
                           f"(pid {worker.pid})"), flush=True)

    def _worker_exit(self, _arbiter, _worker) -> None:
        """Graceful shutdown: websockets closed (going away), then the container's Startable components stopped and
        its Disposable ones (broker, database) disposed."""
        if self.flask_app is not None:
            try:
                shutdown_app(self.flask_app)
            except Exception:
                log.exception("Closing websockets failed")
        if self.container is not None:
            self.container.stop()
            self.container.dispose()
            log.info("Container stopped")
        sys.stdout.flush()


def provider_configuration_errors(problems) -> list:
    """The boot problems a provider raised about its own configuration (``ProviderConfigurationError``, possibly
    wrapped by the kernel's "plugin skipped" error)."""
    found = []
    for problem in problems:
        cause = problem
        while cause is not None and not isinstance(cause, ProviderConfigurationError):
            cause = cause.__cause__
        if cause is not None:
            found.append(problem)
    return found
