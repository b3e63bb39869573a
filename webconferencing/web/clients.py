"""A browser tab's life in one server process, as an explicit state with a transition table.

::

    (new) --connect--> connected --drop--> in grace --expire--> gone
                          ^  |                |  ^
                          |  +--reconnect-----+  |        (reconnect: the same clientId handshakes again)
                          +----reconnect---------+
    connected / in grace --hand over--> handed over      (its clientId handshook with another process)
    connected / in grace --let go--> released            (this process stops; whoever serves the tab next adopts it)
    connected --drop (no calls)--> gone

Why explicit: the grace period, the hand-over to another process and shutdown used to be implied by ``connection is
None``, a timer attribute and dict membership, so a rule such as "a tab handed to another process must not leave its
calls here" had no single place. Every transition is checked against :data:`TRANSITIONS` and logged once.
"""
from __future__ import annotations

import enum
import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from webconferencing.broker import Subscription
from webconferencing.observability.metrics import record_websocket_disconnect

log = logging.getLogger("webconferencing.web.clients")


class Connection(Protocol):
    def send(self, text: str) -> None:
        """Queue a frame for the client; must never block (broker callbacks fan out through it)."""

    def close(self) -> None: ...


class ClientState(enum.Enum):
    CONNECTED = "connected"
    IN_GRACE = "in grace"
    GONE = "gone"
    HANDED_OVER = "handed over"
    RELEASED = "released"


class InvalidClientTransition(RuntimeError):
    """A transition the table does not allow: a bug in the hub, never a client's doing."""


_C, _G, _X, _H, _R = (ClientState.CONNECTED, ClientState.IN_GRACE, ClientState.GONE, ClientState.HANDED_OVER,
                      ClientState.RELEASED)

#: (from, action) -> to
TRANSITIONS: dict[tuple[ClientState | None, str], ClientState] = {
    (None, "connect"): _C,
    (_C, "reconnect"): _C,  # the same tab came back before its old socket was noticed gone
    (_C, "drop"): _G,
    (_C, "drop without calls"): _X,
    (_C, "hand over"): _H,
    (_C, "let go"): _R,
    (_G, "reconnect"): _C,
    (_G, "expire"): _X,
    (_G, "hand over"): _H,
    (_G, "let go"): _R,
}

TERMINAL = frozenset({_X, _H, _R})


@dataclass(eq=False)
class HubClient:
    """One browser tab. Survives its websocket for the grace period.

    ``last_seq`` is the sequence id of the last user-channel event handed to a live connection of this tab: what it
    is assumed to have received, so a reconnect replays what came after (see :mod:`.feeds`)."""

    client_id: str
    user_id: str
    state: ClientState | None = None
    connection: Connection | None = None
    subscriptions: dict[str, Subscription] = field(default_factory=dict)  # call channel name -> broker subscription
    subscribing: set[str] = field(default_factory=set)  # call channel names whose broker subscription is under way
    follows_user_channel: bool = False
    joined: set[str] = field(default_factory=set)  # call ids this tab joined, as far as this process heard
    grace: threading.Timer | None = None
    last_seq: int = 0

    @property
    def sender(self) -> dict[str, str]:
        return {"userId": self.user_id, "clientId": self.client_id}

    @property
    def connected(self) -> bool:
        return self.state is ClientState.CONNECTED

    def move(self, action: str, detail: str = "") -> ClientState:
        """Apply ``action``; the new state. The caller holds the hub's lock."""
        target = TRANSITIONS.get((self.state, action))
        if target is None:
            current = self.state.value if self.state else "new"
            raise InvalidClientTransition(f"client {self.client_id} of {self.user_id}: cannot {action} when {current}")
        previous = self.state.value if self.state else "new"
        log.info("client %s of %s: %s -> %s (%s%s)", self.client_id, self.user_id, previous, target.value, action,
                 f": {detail}" if detail else "")
        if self.state is ClientState.CONNECTED and target is not ClientState.CONNECTED:
            record_websocket_disconnect(action)  # /metrics: why tabs' websockets end
        self.state = target
        return target

    def deliver(self, frame: dict[str, Any]) -> None:
        """Hand a frame to the tab's connection if it is connected. The connection only queues it (a slow tab must
        not hold up the publisher); a failing one is closed (its reader then reports the drop)."""
        connection = self.connection
        if connection is None or not self.connected:
            return
        try:
            connection.send(json.dumps(frame, separators=(",", ":")))
        except Exception as exc:  # noqa: BLE001 - whatever a dead peer raises, the receive loop sees the close
            log.debug("Cannot deliver to client %s: %s; closing its socket", self.client_id, exc)
            close_quietly(connection, f"client {self.client_id}")


def close_quietly(connection: Connection, who: str) -> None:
    """Close a socket that may already be dead; a failure is only worth a debug line (it is closed either way)."""
    try:
        connection.close()
    except Exception as exc:  # noqa: BLE001 - closing a broken socket can raise anything its transport raises
        log.debug("Closing the socket of %s: %s", who, exc)
