"""Login brute-force protection: too many failed logins for one user name, or from one address, within a window get
``429 TOO_MANY_REQUESTS`` with ``Retry-After`` until the oldest of those failures leaves the window.

Why both keys: per name stops guessing one account's password from many addresses; per address stops one client
trying many names (its limit is higher, since one address may be a whole office behind a proxy). A throttled attempt
is refused before the password is checked, so a lucky guess during the lock-out tells nothing.

Counts live in the memory of one worker process: with N workers a client may get up to N times the limit (document,
not a shared store: a restart or another worker forgetting the count only weakens, never breaks, the protection).

Why the memory stays bounded: a key is at most a short digest long whatever name is tried (a megabyte user name
must not become a megabyte key), a name or address whose failures all left the window is forgotten at the next
failure or check, and at most :data:`MAX_KEYS` are kept (the least recently failed go first).
"""
from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import OrderedDict, deque
from typing import Callable

from webconferencing.errors import WebConferencingError
from webconferencing.limits import MAX_ID_LENGTH

MAX_KEYS = 50_000  # remembered names and addresses; the least recently failed are forgotten first


class TooManyRequests(WebConferencingError):
    code = "TOO_MANY_REQUESTS"
    status = 429

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class LoginThrottle:
    def __init__(self, max_failures: int, max_address_failures: int, window_seconds: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures = max_failures
        self.max_address_failures = max_address_failures
        self.window = window_seconds
        self._clock = clock
        self._failures: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _keys(username: str, address: str | None) -> list[str]:
        keys = [f"user:{_bounded(username.strip().lower())}"]
        if address:
            keys.append(f"addr:{_bounded(address)}")
        return keys

    def remembered(self) -> int:
        """How many names and addresses have failures in memory now."""
        return len(self._failures)

    def _forget_expired(self, now: float) -> None:
        """Drop the keys whose newest failure left the window: they are first in the order, the least recently
        failed (call with the lock held)."""
        while self._failures:
            key, failures = next(iter(self._failures.items()))
            if failures and failures[-1] > now - self.window:
                return
            del self._failures[key]

    def _limit(self, key: str) -> int:
        return self.max_failures if key.startswith("user:") else self.max_address_failures

    def check(self, username: str, address: str | None) -> None:
        """Refuse the attempt if the name or the address used up its failures in the window."""
        now = self._clock()
        wait = 0.0
        with self._lock:
            self._forget_expired(now)
            for key in self._keys(username, address):
                failures = self._failures.get(key)
                limit = self._limit(key)
                if failures is None or len(failures) < limit:
                    continue
                oldest_counted = failures[-limit]
                if oldest_counted > now - self.window:
                    wait = max(wait, oldest_counted + self.window - now)
        if wait > 0:
            raise TooManyRequests("Too many failed logins: try again later", max(1, math.ceil(wait)))

    def failed(self, username: str, address: str | None) -> None:
        now = self._clock()
        with self._lock:
            self._forget_expired(now)
            for key in self._keys(username, address):
                failures = self._failures.pop(key, None)
                if failures is None:
                    failures = deque(maxlen=self._limit(key))
                failures.append(now)
                self._failures[key] = failures  # most recently failed last
            while len(self._failures) > MAX_KEYS:
                self._failures.popitem(last=False)

    def succeeded(self, username: str) -> None:
        """A right password clears the name's failures (not the address's: logging into one's own account must not
        reset the count of guesses at others')."""
        with self._lock:
            self._failures.pop(self._keys(username, None)[0], None)


def _bounded(text: str) -> str:
    """``text`` itself when it could be a real name or address, else its digest: same name, same key, bounded size."""
    if len(text) <= MAX_ID_LENGTH:
        return text
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
