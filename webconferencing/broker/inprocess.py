"""The default broker: fan-out inside one process."""
from __future__ import annotations

from webconferencing.observability.metrics import record_published

from . import Broker, MessageCallback, Subscription
from .local import LocalSubscribers


class InProcessBroker(Broker):
    """Delivers synchronously on the publisher's thread, in subscription order.

    Callbacks must be quick (enqueue and return): the publisher (a service operation) waits for them.
    """

    def __init__(self, url: str = "inprocess"):
        self.url = url
        self._subscribers = LocalSubscribers()

    def publish(self, channel: str, data: dict, sender: dict | None = None) -> None:
        record_published(channel)
        self._subscribers.deliver(channel, data, sender)

    def subscribe(self, channel: str, callback: MessageCallback) -> Subscription:
        return self._subscribers.add(channel, callback)

    def subscriber_count(self, channel: str) -> int:
        return self._subscribers.count(channel)

    def close(self) -> None:
        self._subscribers.close()
