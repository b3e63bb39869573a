"""One background publisher per process: what must reach other processes waits in a bounded queue and goes out in
pipelined batches, so a request never waits for the shared broker.

Why: publishing synchronously per recipient made every call operation wait for Redis (a paused Redis held a 6-member
call creation for 30 s), and a lost Redis turned committed changes into errors. Here ``put`` only appends to a deque;
one writer drains it. While the broker is unreachable the batch is kept and retried with backoff, and the outage is
logged once when it starts and once when it ends (not a traceback per event). When the queue is full the oldest
messages are dropped (counted, and reported in the outage's end line): the newest state matters most, and clients
that miss events are told to refresh when they resume (see docs/protocol.md).
"""
from __future__ import annotations

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Callable, Sequence

from webconferencing.observability.metrics import record_broker_error

log = logging.getLogger(__name__)

DEFAULT_QUEUE_SIZE = 10_000
DEFAULT_BATCH_SIZE = 256
RETRY_MIN = 0.1
RETRY_MAX = 5.0


@dataclass(frozen=True)
class Outgoing:
    """One message for the shared broker: the channel and its encoded payload."""

    channel: str
    payload: str


class BackgroundPublisher:
    """``send(batch)`` writes a batch to the shared broker (one pipeline) and raises when it could not; it runs only
    on this publisher's own thread (a greenlet under the gevent server)."""

    def __init__(self, name: str, send: Callable[[Sequence[Outgoing]], None], *,
                 queue_size: int = DEFAULT_QUEUE_SIZE, batch_size: int = DEFAULT_BATCH_SIZE) -> None:
        if queue_size < 1 or batch_size < 1:
            raise ValueError("queue and batch sizes must be positive")
        self.name = name
        self._send = send
        self._queue: deque[Outgoing] = deque()
        self._queue_size = queue_size
        self._batch_size = batch_size
        self._ready = threading.Condition()
        self._closed = False
        self._outage_since: float | None = None
        self._dropped = 0
        self._sent = 0
        self._thread = threading.Thread(target=self._run, name=f"publisher {name}", daemon=True)
        self._thread.start()

    def put(self, message: Outgoing) -> None:
        """Queue a message; never blocks and never raises (a full queue drops its oldest message)."""
        with self._ready:
            if self._closed:
                return
            if len(self._queue) >= self._queue_size:
                self._queue.popleft()
                self._dropped += 1
                if self._dropped == 1:
                    log.warning("%s: publish queue full (%d messages); dropping the oldest until it drains",
                                self.name, self._queue_size)
            self._queue.append(message)
            self._ready.notify()

    @property
    def pending(self) -> int:
        with self._ready:
            return len(self._queue)

    @property
    def in_outage(self) -> bool:
        return self._outage_since is not None

    def close(self, timeout: float = 2.0) -> None:
        """Stop taking messages; what is queued gets ``timeout`` seconds to go out."""
        with self._ready:
            self._closed = True
            self._ready.notify()
        if self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _next_batch(self) -> list[Outgoing] | None:
        with self._ready:
            while not self._queue and not self._closed:
                self._ready.wait()
            if not self._queue:
                return None
            return [self._queue.popleft() for _ in range(min(self._batch_size, len(self._queue)))]

    def _requeue(self, batch: list[Outgoing]) -> None:
        with self._ready:
            room = max(0, self._queue_size - len(self._queue))
            kept = batch[len(batch) - room:] if room < len(batch) else batch
            self._dropped += len(batch) - len(kept)
            self._queue.extendleft(reversed(kept))

    def _run(self) -> None:
        backoff = RETRY_MIN
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            try:
                self._send(batch)
            except Exception as exc:  # noqa: BLE001 - any failure of the shared broker is an outage, retried
                if self._outage_since is None:
                    self._outage_since = time.monotonic()
                    log.warning("%s unreachable (%s): messages for other processes wait (up to %d); "
                                "clients of this process still get theirs", self.name, exc, self._queue_size)
                    record_broker_error("publish")
                with self._ready:
                    closing = self._closed
                if closing:
                    return
                self._requeue(batch)
                time.sleep(backoff)
                backoff = min(backoff * 2, RETRY_MAX)
                continue
            backoff = RETRY_MIN
            self._sent += len(batch)
            if self._outage_since is not None:
                log.warning("%s reachable again after %.1fs; %d queued messages dropped meanwhile", self.name,
                            time.monotonic() - self._outage_since, self._dropped)
                self._outage_since = None
                self._dropped = 0
