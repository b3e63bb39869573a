"""prometheus_client's multiprocess mode for gunicorn: every worker writes its values to files in one directory,
and the worker that answers a scrape adds them all up, so ``/metrics`` covers the whole server whichever worker
serves it.

Order matters: prometheus_client picks its value store when it is first imported, so :func:`prepare` runs in the
gunicorn master before anything imports it (``exo-server`` calls it first thing in ``serve``). The directory is
``PROMETHEUS_MULTIPROC_DIR`` when the operator sets one (systemd does, see ``deploy/``), else a fresh temporary one
for this server (removed when the master exits). Either way it is emptied at start: files left by a previous run
would add that run's counts to this one. When a worker exits the master calls :func:`mark_process_dead`, which drops
its ``live*`` gauges (its connections are gone) and keeps its counters (what it counted still happened).
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

ENVIRONMENT = "PROMETHEUS_MULTIPROC_DIR"


def enabled() -> bool:
    return bool(os.environ.get(ENVIRONMENT))


def prepare() -> Path:
    """Make this process (and the workers it forks) record into an empty multiprocess directory; returns it."""
    given = os.environ.get(ENVIRONMENT)
    if given:
        directory = Path(given)
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob("*.db"):
            stale.unlink()
    else:
        directory = Path(tempfile.mkdtemp(prefix="exo-server-metrics-"))
        master = os.getpid()
        # forked workers inherit atexit handlers: only the master removes the directory
        atexit.register(lambda: os.getpid() == master and shutil.rmtree(directory, ignore_errors=True))
        os.environ[ENVIRONMENT] = str(directory)
    return directory


def mark_process_dead(pid: int) -> None:
    """A worker exited: its live gauges no longer count."""
    if enabled():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)


def scrape_registry(collectors: Iterable = ()):
    """A registry for one scrape: all workers' values (multiprocess mode) or this process's (a single process, as
    in tests that build the app in-process), plus ``collectors`` that compute their values when collected."""
    from prometheus_client import REGISTRY, CollectorRegistry
    from prometheus_client.multiprocess import MultiProcessCollector

    registry = CollectorRegistry(auto_describe=False)
    if enabled():
        MultiProcessCollector(registry)
    else:
        registry.register(_Delegate(REGISTRY))
    for collector in collectors:
        registry.register(collector)
    return registry


class _Delegate:
    """The process-wide registry seen as one collector of a scrape registry."""

    def __init__(self, registry) -> None:
        self.registry = registry

    def collect(self):
        return self.registry.collect()
