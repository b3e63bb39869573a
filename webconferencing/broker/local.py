"""The subscribers of one process, by channel: what every broker delivers to once a message reaches this process
(at once for the in-process broker, from its listener for Redis)."""
from __future__ import annotations

import logging
import threading
import time

from webconferencing.observability.metrics import record_fanout

from . import MessageCallback, Subscription

log = logging.getLogger(__name__)


class _LocalSubscription(Subscription):
    def __init__(self, table: "LocalSubscribers", channel: str, callback: MessageCallback):
        self.table = table
        self.channel = channel
        self.callback = callback

    def cancel(self) -> None:
        self.table.remove(self)


class LocalSubscribers:
    """Thread-safe; copy-on-write tuples per channel, so delivery reads without taking the lock.

    Delivery runs on the caller's thread, in subscription order; a failing callback is logged and does not stop
    delivery to the others.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._channels: dict[str, tuple[_LocalSubscription, ...]] = {}
        self._closed = False

    def add(self, channel: str, callback: MessageCallback) -> Subscription:
        sub = _LocalSubscription(self, channel, callback)
        with self._lock:
            if self._closed:
                raise RuntimeError("broker is closed")
            self._channels[channel] = self._channels.get(channel, ()) + (sub,)
        return sub

    def remove(self, sub: _LocalSubscription) -> None:
        with self._lock:
            subs = tuple(s for s in self._channels.get(sub.channel, ()) if s is not sub)
            if subs:
                self._channels[sub.channel] = subs
            else:
                self._channels.pop(sub.channel, None)

    def has(self, channel: str) -> bool:
        return channel in self._channels

    def count(self, channel: str) -> int:
        return len(self._channels.get(channel, ()))

    def channels(self) -> frozenset[str]:
        """The channels with at least one subscriber now (what a shared broker must listen to for this process)."""
        return frozenset(self._channels)

    def deliver(self, channel: str, data: dict, sender: dict | None) -> None:
        subs = self._channels.get(channel, ())
        started = time.perf_counter()
        for sub in subs:
            try:
                sub.callback(channel, data, sender)
            except Exception:
                log.exception("Subscriber of %s failed", channel)
        record_fanout(channel, len(subs), time.perf_counter() - started)  # /metrics: delivered, fan-out latency

    def close(self) -> None:
        """Drop every subscription; later subscriptions are refused."""
        with self._lock:
            self._closed = True
            self._channels.clear()
