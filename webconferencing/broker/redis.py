"""Redis broker: channels shared by every server process connected to the same Redis.

Selected by ``webconferencing.broker=redis://host:port/db`` (``rediss://`` for TLS). Three rules shape it:

- **Local first.** A message is delivered to this process's own subscribers at once, on the publisher's thread, and
  only then queued for Redis. Clients connected to the same process therefore keep getting their events when Redis is
  lost or paused, and a call operation never waits for Redis (nor fails because of it).
- **One background publisher** (:class:`~.publisher.BackgroundPublisher`) sends the queue to Redis in pipelined
  batches, retrying while Redis is away and logging one warning per outage.
- **What must be replayed is a stream.** User channels (incoming calls, call state: what a reconnecting tab must not
  miss) go to one Redis Stream per user (``XADD ... MAXLEN ~``, expiring when idle); each process reads the streams of
  the users it has subscribers for (``XREAD`` from the last id it saw), so when Redis comes back after an outage it
  catches up with what other processes published meanwhile. Call channels (peer-to-peer signalling: stale quickly)
  and the hub's control channel use pub/sub.

Each process subscribes in Redis only to the channels that have local subscribers (per channel, not one pattern), so
adding processes adds capacity instead of making every process read all traffic. A first subscriber to a pub/sub
channel waits (briefly, bounded) until Redis confirmed the subscription, so a message published right after
``subscribe`` returns is not missed. Messages carry the publishing process's id, so a process skips its own (already
delivered locally).

Messages are JSON ``{"d": data, "s": sender, "n": node}``.
"""
from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from typing import Sequence

import redis

from exo_container import ConfigurationError
from webconferencing.observability.metrics import record_broker_error, record_broker_reconnect, record_published

from . import USER_CHANNEL_PREFIX, Broker, MessageCallback, Subscription
from .local import LocalSubscribers
from .publisher import BackgroundPublisher, Outgoing

log = logging.getLogger(__name__)

CHANNEL_PREFIX = "/webconferencing/"
STREAM_PREFIX = "wc:stream:"
CONNECT_TIMEOUT = 5.0
IO_TIMEOUT = 5.0
SUBSCRIBE_WAIT = 1.0  # how long a first subscriber waits for Redis to confirm; a paused Redis must not hold it
POLL = 0.05  # the pub/sub listener's wait between looking for subscription changes
STREAM_BLOCK_MS = 500
STREAM_MAXLEN = 1000  # events kept per user stream (approximate trim)
STREAM_IDLE_MS = 10 * 60 * 1000  # a user stream nobody writes to expires after this
RETRY_MAX = 5.0


def stream_key(channel: str) -> str:
    return STREAM_PREFIX + channel


def is_streamed(channel: str) -> bool:
    return channel.startswith(USER_CHANNEL_PREFIX)


class _Outage:
    """Logs a lost connection once, and its return once, for one reader: at INFO, since the publisher already warns
    once per outage (one warning per outage, not one per connection)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.since: float | None = None

    def failed(self, exc: Exception) -> None:
        if self.since is None:
            self.since = time.monotonic()
            log.info("%s: connection lost (%s); retrying", self.what, exc)
            record_broker_error("connection")

    def recovered(self) -> None:
        if self.since is not None:
            log.info("%s: connection back after %.1fs", self.what, time.monotonic() - self.since)
            self.since = None
            record_broker_reconnect()


class RedisBroker(Broker):
    def __init__(self, url: str):
        self.url = url
        self.node = secrets.token_hex(8)
        try:
            self._redis = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT,
                                               socket_timeout=IO_TIMEOUT, health_check_interval=30)
            self._redis.ping()
        except (redis.RedisError, ValueError) as exc:
            raise ConfigurationError(f"broker {url} (webconferencing.broker): cannot reach Redis: {exc}") from None
        self._subscribers = LocalSubscribers()
        self._closed = threading.Event()
        self._lock = threading.Lock()
        self._confirmed: set[str] = set()  # pub/sub channels Redis confirmed
        self._confirmation = threading.Condition(self._lock)
        self._stream_ids: dict[str, str] = {}  # streamed channel -> last id read (or where reading starts)
        self._publisher = BackgroundPublisher(f"Redis broker {url}", self._send)
        self._pubsub_thread = threading.Thread(target=self._listen, name="redis-broker-pubsub", daemon=True)
        self._stream_thread = threading.Thread(target=self._read_streams, name="redis-broker-streams", daemon=True)
        self._pubsub_thread.start()
        self._stream_thread.start()

    # --- Broker -----------------------------------------------------------------------

    def publish(self, channel: str, data: dict, sender: dict | None = None) -> None:
        """Deliver here now, send to the other processes in the background: never blocks, never raises for Redis."""
        record_published(channel)
        self._subscribers.deliver(channel, data, sender)
        payload = json.dumps({"d": data, "s": sender, "n": self.node}, separators=(",", ":"))
        self._publisher.put(Outgoing(channel, payload))

    def subscribe(self, channel: str, callback: MessageCallback) -> Subscription:
        if not channel.startswith(CHANNEL_PREFIX):
            raise ValueError(f"channel {channel} is outside {CHANNEL_PREFIX}*")
        if is_streamed(channel):
            with self._lock:  # with the reader's look at the wanted streams: it cannot drop this one meanwhile
                subscription = self._subscribers.add(channel, callback)
                # read from now on (Redis stream ids are milliseconds): what was published before is not ours
                self._stream_ids.setdefault(channel, f"{int(time.time() * 1000)}-0")
            return subscription
        subscription = self._subscribers.add(channel, callback)
        deadline = time.monotonic() + SUBSCRIBE_WAIT
        with self._confirmation:
            while channel not in self._confirmed and not self._closed.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break  # Redis is slow or away: deliver locally now, remotely once the listener gets through
                self._confirmation.wait(left)
        return subscription

    def close(self) -> None:
        if self._closed.is_set():
            return
        self._closed.set()
        self._publisher.close()
        self._subscribers.close()
        with self._confirmation:
            self._confirmation.notify_all()
        for thread in (self._pubsub_thread, self._stream_thread):
            if thread is not threading.current_thread():
                thread.join(timeout=CONNECT_TIMEOUT)
        self._redis.close()

    def subscriber_count(self, channel: str) -> int:
        return self._subscribers.count(channel)

    @property
    def publisher(self) -> BackgroundPublisher:
        return self._publisher

    # --- sending ----------------------------------------------------------------------

    def _send(self, batch: Sequence[Outgoing]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        for message in batch:
            if is_streamed(message.channel):
                key = stream_key(message.channel)
                pipe.xadd(key, {"p": message.payload}, maxlen=STREAM_MAXLEN, approximate=True)
                pipe.pexpire(key, STREAM_IDLE_MS)
            else:
                pipe.publish(message.channel, message.payload)
        pipe.execute()

    # --- receiving --------------------------------------------------------------------

    def _listen(self) -> None:
        """Pub/sub channels: the connection is only ever touched here (redis-py's PubSub is not thread-safe), so
        subscription changes are applied by this loop when it sees the set of local channels change."""
        outage = _Outage(f"Redis broker {self.url} (pub/sub)")
        backoff = 0.1
        while not self._closed.is_set():
            pubsub = self._redis.pubsub(ignore_subscribe_messages=False)
            subscribed: set[str] = set()
            try:
                while not self._closed.is_set():
                    wanted = {c for c in self._subscribers.channels() if not is_streamed(c)}
                    if wanted - subscribed:
                        pubsub.subscribe(*(wanted - subscribed))
                        subscribed |= wanted
                    if subscribed - wanted:
                        pubsub.unsubscribe(*(subscribed - wanted))
                        subscribed &= wanted
                        with self._lock:
                            self._confirmed &= wanted
                    if not subscribed:
                        time.sleep(POLL)  # redis-py refuses to read a pub/sub connection with no subscription
                        continue
                    message = pubsub.get_message(timeout=POLL)
                    outage.recovered()
                    backoff = 0.1
                    while message is not None:
                        self._on_pubsub(message)
                        message = pubsub.get_message(timeout=0)
            except Exception as exc:  # noqa: BLE001 - any failure of the connection: reconnect and resubscribe
                if self._closed.is_set():
                    break
                outage.failed(exc)
                with self._lock:
                    self._confirmed.clear()
                time.sleep(backoff)
                backoff = min(backoff * 2, RETRY_MAX)
            finally:
                try:
                    pubsub.close()
                except (redis.RedisError, OSError) as exc:
                    log.debug("Closing the Redis pub/sub connection: %s", exc)

    def _on_pubsub(self, message: dict) -> None:
        kind = message["type"]
        channel = _text(message["channel"])
        if kind == "subscribe":
            with self._confirmation:
                self._confirmed.add(channel)
                self._confirmation.notify_all()
        elif kind == "message":
            self._dispatch(channel, message["data"])

    def _read_streams(self) -> None:
        """User channels: one XREAD over the streams of every user with subscribers here, from the last id read, so
        nothing published by another process is missed across a Redis outage (within the stream's length)."""
        outage = _Outage(f"Redis broker {self.url} (streams)")
        backoff = 0.1
        while not self._closed.is_set():
            with self._lock:
                wanted = {c for c in self._subscribers.channels() if is_streamed(c)}
                for channel in list(self._stream_ids):
                    if channel not in wanted:
                        del self._stream_ids[channel]
                now = f"{int(time.time() * 1000)}-0"
                for channel in wanted:
                    self._stream_ids.setdefault(channel, now)
                streams = {stream_key(c): i for c, i in self._stream_ids.items()}
            if not streams:
                time.sleep(POLL)
                continue
            try:
                answer = self._redis.xread(streams, block=STREAM_BLOCK_MS, count=500)
            except Exception as exc:  # noqa: BLE001 - lost or paused Redis: keep the ids, retry
                if self._closed.is_set():
                    break
                outage.failed(exc)
                time.sleep(backoff)
                backoff = min(backoff * 2, RETRY_MAX)
                continue
            outage.recovered()
            backoff = 0.1
            for raw_key, entries in answer or ():
                channel = _text(raw_key)[len(STREAM_PREFIX):]
                for entry_id, fields in entries:
                    with self._lock:
                        if channel in self._stream_ids:
                            self._stream_ids[channel] = _text(entry_id)
                    payload = fields.get(b"p", fields.get("p"))
                    if payload is not None:
                        self._dispatch(channel, payload)

    def _dispatch(self, channel: str, raw_payload: bytes | str) -> None:
        if not self._subscribers.has(channel):
            return
        try:
            payload = json.loads(raw_payload)
            data, sender, node = payload["d"], payload.get("s"), payload.get("n")
        except (ValueError, KeyError, TypeError):
            log.warning("Redis broker %s: malformed message on %s dropped", self.url, channel)
            return
        if node == self.node:
            return  # ours: delivered locally when it was published
        self._subscribers.deliver(channel, data, sender)


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
