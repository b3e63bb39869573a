"""Per-user quotas against abuse by a signed-in user: how many calls and chat rooms one user may create in a window,
and how many websockets one user may hold open at once. One user created 799 rooms and 799 ringing calls in ten
seconds and opened 3,000 websockets; nothing stopped them.

Why shared: with several workers (or processes) behind one address, a per-process count lets a user have N times
the quota. With ``webconferencing.broker=redis://...`` every count lives in that Redis, otherwise in this process
(which is then the only one: several workers require Redis).

Why the ``limits`` library and not Flask-Limiter's decorators: ``limits`` is the rate-limiting core (window
strategies, memory and Redis storages) that Flask-Limiter is built on, by the same maintainers. Flask-Limiter only
wraps Flask routes, but a call is created over the websocket as often as over REST, and a room quota must count
creations, not every ``GET room/<id>``; so :class:`~.commands.CallCommands` and the room resource ask the quota
themselves, through the same moving-window limiter on the same storage.

Open websockets are not a rate but a level (opened minus closed), which ``limits`` does not keep: :class:`SocketCount`
is a small counter of its own, in Redis a sorted set of leases per user whose scores are expiry times, refreshed while
the socket lives, so the leases of a worker that died without closing its sockets run out by themselves instead of
locking the user out.
"""
from __future__ import annotations

import logging
import math
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Protocol

import limits
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from redis.exceptions import RedisError

from .throttle import TooManyRequests

log = logging.getLogger(__name__)

NAMESPACE = "webconferencing"
# a lost or paused Redis must not hold a request: each quota command gives up after this (issue 15), and the quota
# then lets the request through (fail open: a request is never refused, nor delayed, because Redis is away)
REDIS_TIMEOUT = 0.5
LEASE_SECONDS = 60.0  # a Redis lease not refreshed for this long belongs to a dead worker and no longer counts
UNCOUNTED = ""  # the lease of a socket opened while the shared count was unreachable: nothing to release
SOCKET_RETRY_SECONDS = 30  # open sockets are a level, not a window: a hint for a tab over the quota to retry later


def parse_rate(text: str) -> limits.RateLimitItem:
    """``30/minute``, ``30 per hour``: the ``limits`` notation. A ``ValueError`` names the text."""
    return limits.parse(text)


class SocketCount(Protocol):
    def acquire(self, user_id: str, maximum: int) -> str | None:
        """A lease id for one more open socket of ``user_id``, or ``None`` when ``maximum`` are open."""

    def release(self, user_id: str, lease: str) -> None: ...


class LocalSocketCount:
    """Open sockets per user in this process (the in-process broker: one process serves everyone)."""

    def __init__(self) -> None:
        self._open: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def acquire(self, user_id: str, maximum: int) -> str | None:
        with self._lock:
            leases = self._open.setdefault(user_id, set())
            if len(leases) >= maximum:
                return None
            lease = secrets.token_hex(8)
            leases.add(lease)
            return lease

    def release(self, user_id: str, lease: str) -> None:
        with self._lock:
            leases = self._open.get(user_id)
            if leases is not None:
                leases.discard(lease)
                if not leases:
                    del self._open[user_id]  # no memory kept for users without sockets


# One atomic step: forget expired leases, refuse at the maximum, else add the lease (score: its expiry time).
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[3], ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""


class RedisSocketCount:
    """Open sockets per user shared by every worker: a sorted set ``webconferencing:sockets:<user>`` of leases."""

    def __init__(self, url: str, lease_seconds: float = LEASE_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        import redis

        self._redis = redis.Redis.from_url(url, socket_timeout=REDIS_TIMEOUT, socket_connect_timeout=REDIS_TIMEOUT)
        self._acquire = self._redis.register_script(_ACQUIRE)
        self.lease_seconds = lease_seconds
        self._clock = clock
        self._mine: dict[str, str] = {}  # lease -> user: what this process refreshes
        self._lock = threading.Lock()
        self._refresher: threading.Thread | None = None

    @staticmethod
    def _key(user_id: str) -> str:
        return f"{NAMESPACE}:sockets:{user_id}"

    def acquire(self, user_id: str, maximum: int) -> str | None:
        lease = secrets.token_hex(8)
        now = self._clock()
        granted = self._acquire(keys=[self._key(user_id)],
                                args=[now, maximum, now + self.lease_seconds, lease, math.ceil(self.lease_seconds)])
        if not granted:
            return None
        with self._lock:
            self._mine[lease] = user_id
            if self._refresher is None:
                self._refresher = threading.Thread(target=self._refresh_forever, name="socket-leases", daemon=True)
                self._refresher.start()
        return lease

    def release(self, user_id: str, lease: str) -> None:
        with self._lock:
            self._mine.pop(lease, None)
        try:
            self._redis.zrem(self._key(user_id), lease)
        except (ConnectionError, TimeoutError, OSError, RedisError):
            pass  # no longer refreshed (dropped from _mine above): the lease runs out by itself

    def refresh(self) -> None:
        """Push the expiry of this process's leases forward (they belong to sockets still open)."""
        with self._lock:
            mine = list(self._mine.items())
        if not mine:
            return
        expires = self._clock() + self.lease_seconds
        pipe = self._redis.pipeline(transaction=False)
        for lease, user_id in mine:
            pipe.zadd(self._key(user_id), {lease: expires}, xx=True)
            pipe.expire(self._key(user_id), math.ceil(self.lease_seconds))
        pipe.execute()

    def _refresh_forever(self) -> None:
        while True:
            time.sleep(self.lease_seconds / 3)
            try:
                self.refresh()
            except Exception:  # Redis briefly away: the next round refreshes; leases outlive one missed round
                continue


@dataclass
class Quotas:
    """The quotas of one server process; ``storage_uri`` is ``memory://`` or the broker's ``redis://`` URL."""

    calls: limits.RateLimitItem
    rooms: limits.RateLimitItem
    max_websockets: int
    storage_uri: str = "memory://"
    sockets: SocketCount = field(default_factory=LocalSocketCount)
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        options = ({"socket_timeout": REDIS_TIMEOUT, "socket_connect_timeout": REDIS_TIMEOUT}
                   if self.storage_uri.startswith(("redis://", "rediss://")) else {})
        self._limiter = MovingWindowRateLimiter(storage_from_string(self.storage_uri, **options))
        self._outage = False

    @classmethod
    def from_settings(cls, settings) -> "Quotas":
        calls, rooms = parse_rate(settings.quota_calls), parse_rate(settings.quota_rooms)
        if settings.uses_redis:
            return cls(calls, rooms, settings.quota_websockets, settings.broker_url,
                       RedisSocketCount(settings.broker_url))
        return cls(calls, rooms, settings.quota_websockets)

    def _shared(self, count: Callable[[], object], fallback: object) -> object:
        """Ask the shared count; when its Redis is away, warn once per outage and let the request through."""
        try:
            answer = count()
        except (ConnectionError, TimeoutError, OSError, RedisError) as exc:
            if not self._outage:
                self._outage = True
                log.warning("Quotas: Redis unreachable (%s); quotas are not enforced until it is back", exc)
            return fallback
        if self._outage:
            self._outage = False
            log.warning("Quotas: Redis reachable again; quotas enforced")
        return answer

    def _hit(self, item: limits.RateLimitItem, what: str, user_id: str) -> None:
        if self._shared(lambda: self._limiter.hit(item, NAMESPACE, what, user_id), True):
            return
        self._refuse(item, what, user_id)

    def _refuse(self, item: limits.RateLimitItem, what: str, user_id: str) -> None:
        reset = self._limiter.get_window_stats(item, NAMESPACE, what, user_id).reset_time
        raise TooManyRequests(f"Too many {what} created: at most {item}, try again later",
                              max(1, math.ceil(reset - self.clock())))

    def check_call_creation(self, user_id: str) -> None:
        """Refuse (:class:`TooManyRequests`, with ``retry_after``) a call creation past the quota, counting nothing.

        A call button creates first and reads only on a conflict (``findOrAddCall``), so most "creations" of a
        running space call are joins: only a call that was really created may count (:meth:`call_created`), or
        members who join a long meeting a few times would be locked out of it.
        """
        if not self._shared(lambda: self._limiter.test(self.calls, NAMESPACE, "calls", user_id), True):
            self._refuse(self.calls, "calls", user_id)

    def call_created(self, user_id: str) -> None:
        """Count a call ``user_id`` created (never refuses: :meth:`check_call_creation` did, before the work)."""
        self._shared(lambda: self._limiter.hit(self.calls, NAMESPACE, "calls", user_id), True)

    def room_created(self, user_id: str) -> None:
        self._hit(self.rooms, "rooms", user_id)

    def open_websocket(self, user_id: str) -> "SocketLease":
        lease = self._shared(lambda: self.sockets.acquire(user_id, self.max_websockets), UNCOUNTED)
        if lease is None:
            raise TooManyRequests(f"Too many open websockets: at most {self.max_websockets} per user; close a tab",
                                  SOCKET_RETRY_SECONDS)
        return SocketLease(self.sockets, user_id, lease)


@dataclass
class SocketLease:
    """One open websocket counted against its user until :meth:`release` (idempotent)."""

    sockets: SocketCount
    user_id: str
    lease: str
    _released: bool = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            if self.lease != UNCOUNTED:
                self.sockets.release(self.user_id, self.lease)
