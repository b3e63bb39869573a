"""The open websockets of each login session, so that ending a session (logout, in any tab) closes them at once.

Why: a websocket asks once per ping interval whether the session it was opened with is still alive (25 s by
default), so the user's other tabs stayed signed in that long after a logout. Now the process that ends a session
announces it on the broker (:data:`SESSION_CHANNEL`: the session's hash, never its id), and every process holding a
websocket of that session asks the store again at once; the socket closes with 1008 as at a ping (docs/protocol.md).
With the Redis broker the announcement reaches every process; with the in-process broker, this process only, which
then is the only one.

The announcement only makes a socket check sooner: the store decides, so a forged or repeated one ends nothing.
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from webconferencing.broker import Broker

from .outbox import spawn
from .sessions import token_hash

log = logging.getLogger(__name__)

SESSION_CHANNEL = "/webconferencing/hub/sessions"


class SessionSockets:
    def __init__(self, broker: Broker) -> None:
        self.broker = broker
        self._checks: dict[str, set[Callable[[], Any]]] = {}  # session hash -> each socket's session check
        self._lock = threading.Lock()
        self._subscription = broker.subscribe(SESSION_CHANNEL, self._on_ended)

    @contextmanager
    def held(self, token: str | None, check: Callable[[], Any]) -> Iterator[None]:
        """While the block runs (a websocket is served), ``check()`` runs as soon as the session of ``token`` ends
        anywhere; it asks the store and closes the socket if the session is gone."""
        if not token:
            yield
            return
        key = token_hash(token)
        with self._lock:
            self._checks.setdefault(key, set()).add(check)
        try:
            yield
        finally:
            with self._lock:
                checks = self._checks.get(key)
                if checks is not None:
                    checks.discard(check)
                    if not checks:
                        del self._checks[key]

    def ended(self, token: str | None) -> None:
        """The session (or bearer token) ``token`` was just ended in the store: tell every process."""
        if token:
            self.broker.publish(SESSION_CHANNEL, {"session": token_hash(token)})

    def _on_ended(self, _channel: str, data: Any, _sender: Any) -> None:
        key = data.get("session") if isinstance(data, dict) else None
        with self._lock:
            checks = list(self._checks.get(key, ())) if isinstance(key, str) else []
        if checks:
            log.info("Session ended: checking its %d websocket(s) here now", len(checks))
        for check in checks:
            spawn(check)  # the store is asked off the broker's thread (or the logout request's)

    def close(self) -> None:
        self._subscription.cancel()
