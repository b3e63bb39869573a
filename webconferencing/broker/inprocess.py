"""The default broker: fan-out inside one process."""
from __future__ import annotations

import logging
import threading

from . import Broker, MessageCallback, Subscription

log = logging.getLogger(__name__)


class _InProcessSubscription(Subscription):
    def __init__(self, broker: "InProcessBroker", channel: str, callback: MessageCallback):
        self.broker = broker
        self.channel = channel
        self.callback = callback

    def cancel(self) -> None:
        self.broker._remove(self)


class InProcessBroker(Broker):
    """Thread-safe; delivers synchronously on the publisher's thread, in subscription order.

    A failing callback is logged and does not stop delivery to the others. Callbacks must be quick (enqueue and
    return): the publisher (a service operation) waits for them.
    """

    def __init__(self, url: str = "inprocess"):
        self.url = url
        self._lock = threading.Lock()
        self._channels: dict[str, tuple[_InProcessSubscription, ...]] = {}
        self._closed = False

    def publish(self, channel: str, data: dict, sender: dict | None = None) -> None:
        # copy-on-write tuples: publishing reads without taking the lock
        for sub in self._channels.get(channel, ()):
            try:
                sub.callback(channel, data, sender)
            except Exception:
                log.exception("Subscriber of %s failed", channel)

    def subscribe(self, channel: str, callback: MessageCallback) -> Subscription:
        sub = _InProcessSubscription(self, channel, callback)
        with self._lock:
            if self._closed:
                raise RuntimeError("broker is closed")
            self._channels[channel] = self._channels.get(channel, ()) + (sub,)
        return sub

    def _remove(self, sub: _InProcessSubscription) -> None:
        with self._lock:
            subs = tuple(s for s in self._channels.get(sub.channel, ()) if s is not sub)
            if subs:
                self._channels[sub.channel] = subs
            else:
                self._channels.pop(sub.channel, None)

    def subscriber_count(self, channel: str) -> int:
        return len(self._channels.get(channel, ()))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._channels.clear()
