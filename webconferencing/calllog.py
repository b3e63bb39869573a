"""The remote call log: client-side (browser) log records spooled to the server log.

Records go to the ``webconferencing.CallLog`` logger in the original's format::

    | INFO  | [myconnector.call] peter-637565 Starting call: mary@peter -- 2018-03-21T16:05:39.546Z

Only for providers whose ``is_log_enabled()`` is true; ``trace`` records are never spooled. Every field is the
client's text, so each is written on one line with its control characters escaped (``\n``, ``\x00``): a record can
neither end its line nor forge another one (a fake ``| ERROR |`` record, a fake metrics line). Records are buffered
and written by a background thread every ``flush-interval`` seconds, so a chatty client never waits on log I/O;
the buffer is bounded (``buffer-size``): when a flood fills it, new records are dropped and counted (``dropped``).
"""
from __future__ import annotations

import collections
import logging
import threading
from dataclasses import dataclass

from exo_container import InitParams, Startable, java_name

from .errors import ProviderNotFound
from .init_params import positive_number
from .limits import MAX_LOG_FIELD_LENGTH, MAX_LOG_MESSAGE_LENGTH, escape_controls
from .service import WebConferencingService

call_log = logging.getLogger("webconferencing.CallLog")
log = logging.getLogger(__name__)

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warn": logging.WARNING, "warning": logging.WARNING,
          "error": logging.ERROR}
MAX_FIELD_LENGTH = MAX_LOG_FIELD_LENGTH
MAX_MESSAGE_LENGTH = MAX_LOG_MESSAGE_LENGTH


@dataclass(frozen=True)
class ClientLogRecord:
    level: str
    provider: str
    prefix: str | None
    client_id: str
    user_id: str
    message: str
    timestamp: str

    def format(self) -> str:
        """``| LEVEL | [provider.prefix] user-clientId message -- timestamp`` (level padded to 5 as in the original),
        on one line whatever the fields hold."""
        level = "WARN" if self.level.lower() == "warning" else self.level.upper()
        source = f"{self.provider}.{self.prefix}" if self.prefix else self.provider
        return escape_controls(
            f"| {level:<5} | [{source}] {self.user_id}-{self.client_id} {self.message} -- {self.timestamp}")


@java_name("org.exoplatform.webconferencing.CallLogService",
           "org.exoplatform.webconferencing.support.CallLogService")
class CallLogService(Startable):
    """Init-params (value-params): ``flush-interval`` seconds (default 2), ``buffer-size`` records (default 10000)."""

    def __init__(self, service: WebConferencingService, params: InitParams | None = None):
        self.service = service
        self.flush_interval, self.buffer_size = self.validate_init_params(params)
        self._buffer: collections.deque[ClientLogRecord] = collections.deque()
        self._lock = threading.Lock()
        self._dropped = 0
        self._wake = threading.Event()
        self._stopping = False
        self._flusher: threading.Thread | None = None

    @classmethod
    def validate_init_params(cls, params: InitParams | None) -> tuple[float, int]:
        """(flush interval in seconds, buffer size); the kernel's check hook too (exo_container.validation)."""
        return (positive_number(params, "flush-interval", 2.0, component="CallLogService",
                                prop="webconferencing.calllog.flush.interval"),
                int(positive_number(params, "buffer-size", 10000, component="CallLogService",
                                    prop="webconferencing.calllog.buffer.size")))

    @property
    def dropped(self) -> int:
        """Records refused because the buffer was full, since start."""
        return self._dropped

    def log(self, record: ClientLogRecord) -> bool:
        """Queue a client record; returns whether it will be written (False: trace, log disabled, or buffer full)."""
        level = record.level.lower()
        if level not in LEVELS:  # trace, and anything unknown, is never spooled
            return False
        try:
            provider = self.service.get_provider(record.provider)
        except ProviderNotFound:
            return False
        if not provider.is_log_enabled():
            return False
        record = ClientLogRecord(level, record.provider[:MAX_FIELD_LENGTH], (record.prefix or "")[:MAX_FIELD_LENGTH],
                                 record.client_id[:MAX_FIELD_LENGTH], record.user_id[:MAX_FIELD_LENGTH * 4],
                                 record.message[:MAX_MESSAGE_LENGTH], record.timestamp[:MAX_FIELD_LENGTH])
        with self._lock:
            if len(self._buffer) >= self.buffer_size:
                self._dropped += 1
                return False
            self._buffer.append(record)
        return True

    def pending(self) -> int:
        return len(self._buffer)

    def flush(self) -> int:
        """Write out what is buffered now; returns how many records were written."""
        with self._lock:
            records = list(self._buffer)
            self._buffer.clear()
        for record in records:
            call_log.log(LEVELS[record.level], record.format())
        return len(records)

    def _run(self) -> None:
        while not self._stopping:
            self._wake.wait(self.flush_interval)
            self._wake.clear()
            try:
                self.flush()
            except Exception:
                log.exception("Cannot flush the call log")

    def start(self) -> None:
        self._stopping = False
        self._dropped = 0
        self._flusher = threading.Thread(target=self._run, name="CallLog-flusher", daemon=True)
        self._flusher.start()

    def stop(self) -> None:
        """Stop the flusher; whatever is still buffered is written first."""
        self._stopping = True
        self._wake.set()
        if self._flusher is not None:
            self._flusher.join(timeout=max(5.0, self.flush_interval * 2))
            self._flusher = None
        self.flush()
