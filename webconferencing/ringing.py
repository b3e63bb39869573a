"""Ringing ends: a background sweep that applies the lifecycle's ring timeout to calls nobody answered.

Why a sweep over the database rather than a timer per call: a timer dies with its process, and a call placed just
before a restart (or on another server process) would then ring for ever. The sweep asks the database which calls
still ring, so whichever process runs it next ends them; the row lock in the service makes two processes sweeping
at once harmless.
"""
from __future__ import annotations

import logging
import threading

from exo_container import InitParams, Startable

from .init_params import positive_number
from .service import WebConferencingService

log = logging.getLogger("webconferencing.ringing")


class RingTimeouts(Startable):
    """Init-params: ``timeout-seconds`` (how long a call rings without a change, default 45) and
    ``check-seconds`` (how often the database is asked, default 1)."""

    def __init__(self, service: WebConferencingService, params: InitParams | None = None):
        self.service = service
        self.timeout_seconds, self.check_seconds = self.validate_init_params(params)
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False

    @classmethod
    def validate_init_params(cls, params: InitParams | None) -> tuple[float, float]:
        """(timeout, check interval) in seconds; the kernel's check hook too (exo_container.validation)."""
        return (positive_number(params, "timeout-seconds", 45.0, component="RingTimeouts",
                                prop="webconferencing.ring.timeout.seconds", unit="number of seconds"),
                positive_number(params, "check-seconds", 1.0, component="RingTimeouts",
                                prop="webconferencing.ring.check.seconds", unit="number of seconds"))

    def sweep(self) -> list[str]:
        """End the ringing of every call unanswered for the timeout; the ids of the calls it changed."""
        try:
            return self.service.expire_ringing(self.timeout_seconds)
        finally:
            self.service.database.release()  # a pooled connection kept between sweeps is one fewer for requests

    def _run(self) -> None:
        while not self._stopping.wait(self.check_seconds):
            try:
                self.sweep()
            except Exception as exc:  # the database may be away for a while: say so once, retry next time
                if not self._failing:
                    log.warning("Cannot end unanswered calls (will retry every %ss): %s", self.check_seconds, exc)
                self._failing = True
            else:
                if self._failing:
                    log.info("Ending unanswered calls works again")
                self._failing = False

    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="RingTimeouts", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
