"""A bounded queue of outgoing frames per websocket, drained by that socket's own writer.

Why: without it, whoever publishes (another tab's session loop, a service operation, the Redis listener) writes to
every subscriber's socket itself, so one browser tab that stops reading (a bad network, a frozen tab) fills its TCP
buffers and blocks the publisher, delaying the fan-out to everybody else. With an outbox a publish only appends to
each subscriber's queue; a tab too slow to keep up overflows its queue and is cut off instead of holding others back.

The writer is started when frames arrive and ends when the queue is empty, so idle connections cost no writer at all
(under gevent it is a greenlet; without gevent's patching, a thread).
"""
from __future__ import annotations

import threading
from collections import deque
from typing import Callable

import gevent
from gevent import monkey

from webconferencing.observability.metrics import record_send_queue_overflow


def spawn(target: Callable[..., None], *args) -> None:
    """Run ``target`` concurrently: a greenlet when the process is gevent-patched (the server), else a thread."""
    if monkey.is_module_patched("threading"):
        gevent.spawn(target, *args)
    else:
        threading.Thread(target=target, args=args, daemon=True).start()


class Outbox:
    """Frames for one socket, written in order.

    ``encode(text)`` turns a frame into the bytes on the wire (in queue order: the framing may be stateful, e.g.
    compressed). ``try_write(data)`` writes what the socket takes *without blocking* and returns how many bytes
    that was; ``write(data)`` writes everything, blocking on a slow peer (only the outbox's writer waits then). So
    while the peer keeps up, a frame is written at once by whoever queues it, with no writer at all; once the socket
    is backed up, frames queue and a writer drains them. When a frame arrives with ``limit`` frames already waiting,
    the outbox closes, drops what waits and calls ``on_overflow`` once. A failing write closes it too and calls
    ``on_error`` with the exception.
    """

    def __init__(self, encode: Callable[[str], bytes], try_write: Callable[[bytes], int],
                 write: Callable[[bytes], None], limit: int, *, on_overflow: Callable[[], None],
                 on_error: Callable[[BaseException], None]) -> None:
        if limit < 1:
            raise ValueError(f"an outbox holds at least one frame, not {limit}")
        self.limit = limit
        self._encode = encode
        self._try_write = try_write
        self._write = write
        self._on_overflow = on_overflow
        self._on_error = on_error
        self._frames: deque[bytes | memoryview] = deque()
        self._lock = threading.Lock()
        self._writing = False
        self._closed = False
        self._idle = threading.Event()
        self._idle.set()

    def put(self, text: str) -> bool:
        """Send or queue a frame; False when the outbox is closed (the frame is dropped)."""
        failure: BaseException | None = None
        overflow = start = False
        with self._lock:
            if self._closed:
                return False
            if len(self._frames) >= self.limit:
                self._closed = True
                self._frames.clear()
                overflow = True
            else:
                try:
                    data = self._encode(text)
                    if not self._writing:
                        written = self._try_write(data)
                        if written >= len(data):
                            return True
                        data = memoryview(data)[written:]  # the rest waits for the socket to drain
                        self._writing = start = True
                        self._idle.clear()
                    self._frames.append(data)
                except Exception as exc:
                    self._closed = True
                    self._frames.clear()
                    failure = exc
        if overflow:
            record_send_queue_overflow()  # /metrics
            self._on_overflow()
            return False
        if failure is not None:
            self._on_error(failure)
            return False
        if start:
            spawn(self._drain)
        return True

    def close(self) -> None:
        """Take no more frames and drop the waiting ones; the frame being written (if any) still finishes."""
        with self._lock:
            self._closed = True
            self._frames.clear()

    @property
    def closed(self) -> bool:
        return self._closed

    def pending(self) -> int:
        with self._lock:
            return len(self._frames)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no frame is being written; False if the writer is still stuck after ``timeout``."""
        return self._idle.wait(timeout)

    def _drain(self) -> None:
        while True:
            with self._lock:
                if not self._frames:
                    self._writing = False
                    self._idle.set()
                    return
                data = self._frames.popleft()
            try:
                self._write(data)
            except BaseException as exc:  # noqa: B036 - a greenlet killed mid-write must still mark the outbox idle
                with self._lock:
                    self._closed = True
                    self._frames.clear()
                    self._writing = False
                    self._idle.set()
                if isinstance(exc, Exception):
                    self._on_error(exc)
                    return
                raise
