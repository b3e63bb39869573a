"""The channels hub: which browser tab (client) is connected, what it subscribed to, which calls it joined, and the
grace timers that make a vanished tab leave its calls.

Transport-free on purpose: a connection is anything with ``send(text)`` and ``close()``; the Flask websocket route
(:mod:`.ws`) adapts a flask-sock socket to it. Channel traffic goes through the :class:`~webconferencing.broker.Broker`
(in-process or Redis), never directly from one connection to another, so clients on different server processes see
each other.

Why per-client tracking with a grace period: in the original, calls stayed "joined" forever when a page died without
saying goodbye (or the server stopped a call when its channel briefly lost all clients). Here a dropped tab keeps its
call membership for ``grace_seconds``; a reconnect with the same ``clientId`` keeps it, otherwise the hub leaves every
call that client joined, through the service, so all parties are told.

Why access is re-checked after subscribing: a call can be deleted, or a user removed from it, while their tab stays
subscribed. The hub follows the user-channel events that can end access (a call stopping, the user leaving or being
removed) and ends the subscriptions that lost it; every publish is checked as well.

Which process owns a client: the one holding its websocket. A REST join naming a client that lives in another process,
or a tab reconnecting to another process, is announced on an internal broker channel (:data:`CONTROL_CHANNEL`) so the
owner (or former owner) hears of it.
"""
from __future__ import annotations

import json
import logging
import re
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol

from webconferencing.broker import call_channel, user_channel
from webconferencing.errors import CallNotFound
from webconferencing.service import EVENT_CALL_LEAVED, EVENT_CALL_STATE

from .errors import ACCESS_ERROR, ChannelAccessDenied, ClientError

log = logging.getLogger("webconferencing.web.hub")

USER_PREFIX = "/webconferencing/user/"
CALL_PREFIX = "/webconferencing/call/"
CONTROL_CHANNEL = "/webconferencing/hub/clients"
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_.@:+=~-]+(/[A-Za-z0-9_.@:+=~-]+)*$")


class Connection(Protocol):
    def send(self, text: str) -> None:
        """Queue a frame for the client; must never block (broker callbacks fan out through it)."""

    def close(self) -> None: ...


@dataclass(frozen=True)
class Channel:
    """A client-visible channel name, parsed: ``kind`` is ``user`` or ``call``, ``key`` the user or call id."""

    name: str
    kind: str
    key: str

    @property
    def broker_channel(self) -> str:
        return user_channel(self.key) if self.kind == "user" else call_channel(self.key)


def parse_channel(name: Any) -> Channel:
    if not isinstance(name, str):
        raise ClientError("Field 'channel' is required")
    for prefix, kind in ((USER_PREFIX, "user"), (CALL_PREFIX, "call")):
        if name.startswith(prefix):
            key = name[len(prefix):]
            if key and len(key) <= 255 and _SEGMENT.match(key):
                return Channel(name, kind, key)
    raise ClientError(f"Unknown channel: {name}")


@dataclass(eq=False)
class HubClient:
    """One browser tab. Survives its websocket for the grace period."""

    client_id: str
    user_id: str
    connection: Connection | None = None
    subscriptions: dict[str, Any] = field(default_factory=dict)  # channel name -> broker Subscription
    joined: set[str] = field(default_factory=set)  # call ids this tab joined
    grace: threading.Timer | None = None

    @property
    def sender(self) -> dict[str, str]:
        return {"userId": self.user_id, "clientId": self.client_id}

    def deliver(self, frame: dict) -> None:
        """Hand a frame to the tab's connection if it is connected. The connection only queues it (a slow tab must
        not hold up the publisher); a failing one is closed (its reader then detaches it)."""
        connection = self.connection
        if connection is None:
            return
        text = json.dumps(frame, separators=(",", ":"))
        try:
            connection.send(text)
        except Exception as exc:  # a dead peer: log quietly, the receive loop sees the close and detaches
            log.debug("Cannot deliver to client %s: %s", self.client_id, exc)
            try:
                connection.close()
            except Exception:
                pass


class ChannelHub:
    def __init__(self, service, broker, *, grace_seconds: float = 10.0,
                 on_expired: Callable[[HubClient, list[str]], None] | None = None) -> None:
        self.service = service
        self.broker = broker
        self.grace_seconds = grace_seconds
        self.node = secrets.token_hex(8)  # tells this process's control messages from the others'
        self._clients: dict[str, HubClient] = {}
        self._lock = threading.RLock()
        # users with call-channel subscriptions here -> their user channel, watched for events that may end access
        self._watches: dict[str, Any] = {}
        self._on_expired = on_expired
        self._closed = False
        self._control = broker.subscribe(CONTROL_CHANNEL, self._on_control)

    # --- connections ------------------------------------------------------------------

    def connect(self, user_id: str, connection: Connection, requested_client_id: Any = None) -> HubClient:
        """Handshake: a new tab gets a fresh client id; a tab that reconnects with its id gets its calls back."""
        replaced: Connection | None = None
        adopted = False
        with self._lock:
            client = None
            if isinstance(requested_client_id, str) and CLIENT_ID.match(requested_client_id):
                known = self._clients.get(requested_client_id)
                if known is None:
                    client = HubClient(requested_client_id, user_id)
                    adopted = True
                elif known.user_id == user_id:
                    client = known
            if client is None:
                client = HubClient(secrets.token_urlsafe(16), user_id)
            if client.grace is not None:
                client.grace.cancel()
                client.grace = None
            if client.connection is not None and client.connection is not connection:
                replaced = client.connection  # the same tab came back before we noticed it had gone
                self._cancel_subscriptions(client)
            client.connection = connection
            self._clients[client.client_id] = client
        if replaced is not None:
            try:
                replaced.close()
            except Exception:
                pass
        if adopted:
            self._recover_memberships(client)
            self._announce({"event": "reattached", "clientId": client.client_id, "userId": user_id})
        return client

    def _recover_memberships(self, client: HubClient) -> None:
        """A tab this process does not know (it reconnected after a restart, or to another worker): the calls it
        still holds according to the database become its memberships here, so its grace period covers them."""
        try:
            calls = self.service.get_user_calls(client.user_id)
        except Exception:
            log.exception("Cannot read the calls of %s to recover client %s", client.user_id, client.client_id)
            return
        with self._lock:
            for call in calls:
                part = call.get_participant(client.user_id)
                if part is not None and part.state == "joined" and part.client_id == client.client_id:
                    client.joined.add(call.id)

    def disconnect(self, client: HubClient, connection: Connection) -> None:
        """The websocket is gone: drop its subscriptions, and leave its calls unless it comes back in time."""
        with self._lock:
            if client.connection is not connection:
                return  # already replaced by a newer socket of the same tab
            client.connection = None
            self._cancel_subscriptions(client)
            self._unwatch_if_idle(client.user_id)
            if self._closed:
                return  # closed by our shutdown: the tab reconnects to the next process with its id
            if not client.joined:
                self._clients.pop(client.client_id, None)
                return
            if self.grace_seconds > 0:
                client.grace = threading.Timer(self.grace_seconds, self._expire, args=(client,))
                client.grace.daemon = True
                client.grace.start()
                return
        self._expire(client)

    def _expire(self, client: HubClient) -> None:
        with self._lock:
            if client.connection is not None or self._clients.get(client.client_id) is not client:
                return  # it came back (here or in another process)
            self._clients.pop(client.client_id, None)
            client.grace = None
            calls = sorted(client.joined)
            client.joined.clear()
        for call_id in calls:
            try:
                self.service.leave_call(call_id, client.user_id, client.client_id)
            except CallNotFound:
                pass
            except Exception:
                log.exception("Cannot leave call %s for the vanished client %s of %s", call_id,
                              client.client_id, client.user_id)
        log.info("Client %s of %s did not come back within %ss: left %s", client.client_id, client.user_id,
                 self.grace_seconds, calls or "no calls")
        if self._on_expired is not None:
            self._on_expired(client, calls)

    def client(self, client_id: str) -> HubClient | None:
        with self._lock:
            return self._clients.get(client_id)

    def connected_count(self) -> int:
        with self._lock:
            return sum(1 for c in self._clients.values() if c.connection is not None)

    # --- call membership --------------------------------------------------------------

    def note_joined(self, client_id: str, user_id: str, call_id: str) -> None:
        """A client joined a call (over the websocket, or over REST naming its ``clientId``)."""
        if not self._track(client_id, user_id, call_id, True):
            self._announce({"event": "joined", "clientId": client_id, "userId": user_id, "callId": call_id})

    def note_left(self, client_id: str, user_id: str, call_id: str) -> None:
        if not self._track(client_id, user_id, call_id, False):
            self._announce({"event": "left", "clientId": client_id, "userId": user_id, "callId": call_id})

    def _track(self, client_id: str, user_id: str, call_id: str, joined: bool) -> bool:
        with self._lock:
            client = self._clients.get(client_id)
            if client is None or client.user_id != user_id:
                return False
            if joined:
                client.joined.add(call_id)
            else:
                client.joined.discard(call_id)
            return True

    # --- channels ---------------------------------------------------------------------

    def check_access(self, client: HubClient, channel: Channel) -> None:
        if channel.kind == "user":
            if channel.key != client.user_id:
                raise ChannelAccessDenied(f"User {client.user_id} cannot use the channel of user {channel.key}")
        elif not self.service.can_access_call(client.user_id, channel.key):
            raise ChannelAccessDenied(f"User {client.user_id} is not a party of call {channel.key}")

    def subscribe(self, client: HubClient, channel: Channel) -> None:
        self.check_access(client, channel)
        with self._lock:
            if channel.name in client.subscriptions:
                return
            # reserve the slot first so a concurrent subscribe of the same tab does not double-subscribe
            client.subscriptions[channel.name] = None
        if channel.kind == "call":
            self._watch(client.user_id)
        subscription = self.broker.subscribe(channel.broker_channel, self._relay(client, channel.name))
        with self._lock:
            if client.subscriptions.get(channel.name, 0) is None and client.connection is not None:
                client.subscriptions[channel.name] = subscription
                return
        subscription.cancel()  # the tab went away or unsubscribed meanwhile
        self._unwatch_if_idle(client.user_id)

    def unsubscribe(self, client: HubClient, channel: Channel) -> None:
        with self._lock:
            subscription = client.subscriptions.pop(channel.name, None)
        if subscription is not None:
            subscription.cancel()
        self._unwatch_if_idle(client.user_id)

    def publish(self, client: HubClient, channel: Channel, data: Any) -> None:
        """Relay call data to the other subscribers (not back to the sending tab). Access is checked on every
        publish, not only when subscribing: the call may have been deleted, or the user removed from it, since."""
        if channel.kind != "call":
            raise ChannelAccessDenied("User channels carry server events only: publish to a call channel")
        try:
            self.check_access(client, channel)
        except ChannelAccessDenied as denied:
            self._revoke(client, channel.name, str(denied))
            raise
        self.broker.publish(channel.broker_channel, data, client.sender)

    # --- revocation -------------------------------------------------------------------

    def _watch(self, user_id: str) -> None:
        """Listen to the user's own channel while they hold call-channel subscriptions here: the service tells them
        there when a call stops (a deleted call stops first) or when they leave or are removed from a call, which
        is when their access may have ended. Through the broker, so a change made in another process counts."""
        with self._lock:
            if user_id in self._watches:
                return
            self._watches[user_id] = None  # reserved: one broker subscription per user
        subscription = self.broker.subscribe(user_channel(user_id), self._access_events(user_id))
        with self._lock:
            if user_id in self._watches and self._watches[user_id] is None:
                self._watches[user_id] = subscription
                return
        subscription.cancel()

    def _unwatch_if_idle(self, user_id: str) -> None:
        with self._lock:
            if user_id not in self._watches:
                return
            if any(c.user_id == user_id and any(n.startswith(CALL_PREFIX) for n in c.subscriptions)
                   for c in self._clients.values()):
                return
            subscription = self._watches.pop(user_id, None)
        if subscription is not None:
            subscription.cancel()

    def _access_events(self, user_id: str) -> Callable[[str, Any, Any], None]:
        def on_event(_channel: str, data: Any, _sender: Any) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("callId"), str):
                return
            event = data.get("eventType")
            if event == EVENT_CALL_STATE and data.get("callState") == "stopped":
                self.revalidate(user_id, data["callId"])
            elif event == EVENT_CALL_LEAVED and (data.get("part") or {}).get("id") == user_id:
                self.revalidate(user_id, data["callId"])
        return on_event

    def revalidate(self, user_id: str, call_id: str) -> None:
        """End this user's subscriptions to the call's channel here if they may no longer use it."""
        name = CALL_PREFIX + call_id
        with self._lock:
            holders = [c for c in self._clients.values() if c.user_id == user_id and name in c.subscriptions]
        if not holders:
            return
        try:
            allowed = self.service.can_access_call(user_id, call_id)
        except Exception:
            log.exception("Cannot check the access of %s to call %s", user_id, call_id)
            return
        if not allowed:
            for client in holders:
                self._revoke(client, name, f"User {user_id} is no longer a party of call {call_id}")

    def _revoke(self, client: HubClient, name: str, message: str) -> None:
        with self._lock:
            subscribed = name in client.subscriptions
            subscription = client.subscriptions.pop(name, None)
        if subscription is not None:
            subscription.cancel()
        if subscribed:
            client.deliver({"type": "unsubscribed", "channel": name, "code": ACCESS_ERROR, "message": message})
            self._unwatch_if_idle(client.user_id)

    def _relay(self, client: HubClient, name: str) -> Callable[[str, Any, Any], None]:
        def relay(_channel: str, data: Any, sender: Any) -> None:
            if isinstance(sender, dict):
                if sender.get("clientId") == client.client_id:
                    return
                client.deliver({"type": "message", "channel": name, "data": data, "sender": sender})
            else:
                client.deliver({"type": "message", "channel": name, "data": data})
        return relay

    def _cancel_subscriptions(self, client: HubClient) -> None:
        subscriptions = [s for s in client.subscriptions.values() if s is not None]
        client.subscriptions.clear()
        for subscription in subscriptions:
            subscription.cancel()

    # --- other processes --------------------------------------------------------------

    def _announce(self, event: dict) -> None:
        self.broker.publish(CONTROL_CHANNEL, {**event, "node": self.node})

    def _on_control(self, _channel: str, data: Any, _sender: Any) -> None:
        if not isinstance(data, dict) or data.get("node") == self.node:
            return
        client_id, user_id = data.get("clientId"), data.get("userId")
        event = data.get("event")
        if event in ("joined", "left"):
            self._track(client_id, user_id, data.get("callId"), event == "joined")
        elif event == "reattached":
            with self._lock:
                client = self._clients.get(client_id)
                if client is None or client.user_id != user_id or client.connection is not None:
                    return
                if client.grace is not None:
                    client.grace.cancel()
                self._clients.pop(client_id, None)
                calls = sorted(client.joined)
            for call_id in calls:  # hand the tab's memberships over to its new process
                self._announce({"event": "joined", "clientId": client_id, "userId": user_id, "callId": call_id})

    # --- shutdown ---------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self, *, going_away: Callable[[Connection], None] | None = None) -> None:
        """Stop serving: close every websocket (clients reconnect elsewhere or after the restart with their ids).
        Tabs already waiting out their grace period leave their calls now: nobody would do it after we are gone."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            clients = list(self._clients.values())
        waiting = [c for c in clients if c.connection is None and c.grace is not None]
        for client in clients:
            connection = client.connection
            if connection is not None:
                try:
                    (going_away or (lambda c: c.close()))(connection)
                except Exception:
                    pass
        for client in waiting:
            if client.grace is not None:
                client.grace.cancel()
            self._expire(client)
        with self._lock:
            watches = [w for w in self._watches.values() if w is not None]
            self._watches.clear()
        for watch in watches:
            watch.cancel()
        self._control.cancel()
