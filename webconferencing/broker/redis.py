"""Redis pub/sub broker: channels shared by every server process connected to the same Redis.

Selected by ``webconferencing.broker=redis://host:port/db`` (``rediss://`` for TLS). Each process keeps one pub/sub
connection with a single pattern subscription on ``/webconferencing/*`` and a listener thread (a greenlet under the
gevent server) that hands each message to this process's local subscribers; publishing uses the ordinary connection
pool. Why one pattern instead of one Redis subscription per channel: subscribing then costs nothing (no round trip
that a subscriber must wait for before it can be sure to see the next message), and the pub/sub connection is only
ever touched by its listener, so no cross-thread use of redis-py's non thread-safe ``PubSub``. The price is that every
process sees every channel's traffic and drops what no local client listens to, which is cheap for the few processes
a deployment runs.

Messages are JSON ``{"d": data, "s": sender}``. A lost Redis connection is retried with backoff; messages published
while it is down are lost (Redis pub/sub has no history), which clients survive as with any dropped real-time message.
"""
from __future__ import annotations

import json
import logging
import threading
import time

import redis

from exo_container import ConfigurationError

from . import Broker, MessageCallback, Subscription
from .local import LocalSubscribers

log = logging.getLogger(__name__)

PATTERN = "/webconferencing/*"
CONNECT_TIMEOUT = 5.0


class RedisBroker(Broker):
    def __init__(self, url: str):
        self.url = url
        try:
            self._redis = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT, health_check_interval=30)
            self._redis.ping()
        except (redis.RedisError, ValueError) as exc:
            raise ConfigurationError(f"broker {url} (webconferencing.broker): cannot reach Redis: {exc}") from None
        self._subscribers = LocalSubscribers()
        self._closed = threading.Event()
        self._listening = threading.Event()
        self._pubsub: redis.client.PubSub | None = None
        self._listener = threading.Thread(target=self._listen, name="redis-broker-listener", daemon=True)
        self._listener.start()
        if not self._listening.wait(CONNECT_TIMEOUT):
            self.close()
            raise ConfigurationError(f"broker {url} (webconferencing.broker): Redis pattern subscription timed out")

    # --- Broker -----------------------------------------------------------------------

    def publish(self, channel: str, data: dict, sender: dict | None = None) -> None:
        payload = json.dumps({"d": data, "s": sender}, separators=(",", ":"))
        self._redis.publish(channel, payload)

    def subscribe(self, channel: str, callback: MessageCallback) -> Subscription:
        if not channel.startswith(PATTERN[:-1]):
            raise ValueError(f"channel {channel} is outside {PATTERN}")
        return self._subscribers.add(channel, callback)

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        self._subscribers.close()
        pubsub = self._pubsub
        if pubsub is not None:
            try:
                pubsub.close()  # wakes the listener up
            except Exception:
                pass
        if self._listener is not threading.current_thread():
            self._listener.join(timeout=CONNECT_TIMEOUT)
        self._redis.close()

    def subscriber_count(self, channel: str) -> int:
        return self._subscribers.count(channel)

    # --- internals --------------------------------------------------------------------

    def _listen(self) -> None:
        backoff = 0.1
        while not self._closed.is_set():
            try:
                self._pubsub = self._redis.pubsub()
                self._pubsub.psubscribe(PATTERN)
                while not self._closed.is_set():
                    message = self._pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    if message["type"] == "psubscribe":
                        self._listening.set()
                        backoff = 0.1
                    elif message["type"] == "pmessage":
                        self._dispatch(message["channel"], message["data"])
            except Exception as exc:  # noqa: BLE001 - any failure of the connection: reconnect
                if self._closed.is_set():
                    break
                log.warning("Redis broker %s: connection lost (%s); retrying in %.1fs", self.url, exc, backoff)
                time.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
            finally:
                try:
                    if self._pubsub is not None:
                        self._pubsub.close()
                except Exception:
                    pass

    def _dispatch(self, raw_channel: bytes | str, raw_payload: bytes | str) -> None:
        channel = raw_channel.decode() if isinstance(raw_channel, bytes) else raw_channel
        if not self._subscribers.has(channel):
            return
        try:
            payload = json.loads(raw_payload)
            data, sender = payload["d"], payload.get("s")
        except (ValueError, KeyError, TypeError):
            log.warning("Redis broker %s: malformed message on %s dropped", self.url, channel)
            return
        self._subscribers.deliver(channel, data, sender)
