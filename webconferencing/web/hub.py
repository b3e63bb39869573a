"""The channels hub: which browser tabs (clients) this process serves, what they subscribed to, which calls they
joined, and the grace period that makes a vanished tab leave its calls.

Transport-free on purpose: a connection is anything with ``send(text)`` and ``close()``; the Flask websocket route
(:mod:`.ws`) adapts a flask-sock socket to it. Channel traffic goes through the :class:`~webconferencing.broker.Broker`
(in-process or Redis), never directly from one connection to another, so clients on different server processes see
each other.

A tab's life here is the explicit state of :mod:`.clients` (connected, in grace, gone, handed over, released), each
transition logged once. Why a grace period: in the original, calls stayed "joined" forever when a page died without
saying goodbye. Here a dropped tab keeps its calls for ``grace_seconds``; a reconnect with the same ``clientId``
keeps them (and gets what it missed, see :mod:`.feeds`), otherwise the hub leaves every call that tab joined, through
the service, so all parties are told. Which calls a tab joined is the database's word
(:class:`~webconferencing.presence.ProcessPresence`), so a join made over REST or through another process counts.

Why access is re-checked after subscribing: a call can be deleted, or a user removed from it, while their tab stays
subscribed. The hub follows the user-channel events that can end access (a call stopping, the user leaving or being
removed) and ends the subscriptions that lost it; every publish is checked as well.

Which process holds a client: the one holding its websocket, recorded in the database. A tab reconnecting to another
process is announced on an internal broker channel (:data:`CONTROL_CHANNEL`) so its former process hands it over at
once; without the broker, that process still checks the database before leaving calls for a tab in grace.
"""
from __future__ import annotations

import logging
import re
import secrets
import threading
from dataclasses import dataclass
from typing import Any, Callable

from webconferencing.broker import Subscription, call_channel, user_channel
from webconferencing.errors import CallNotFound
from webconferencing.presence import PresenceSettings, ProcessPresence
from webconferencing.storage import Database
from webconferencing.service import EVENT_CALL_LEAVED, EVENT_CALL_STATE

from .clients import ClientState, Connection, HubClient, close_quietly
from .errors import ACCESS_ERROR, ChannelAccessDenied, ClientError
from .feeds import ResumeSettings, UserFeed

log = logging.getLogger("webconferencing.web.hub")

USER_PREFIX = "/webconferencing/user/"
CALL_PREFIX = "/webconferencing/call/"
CONTROL_CHANNEL = "/webconferencing/hub/clients"
CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_.@:+=~-]+(/[A-Za-z0-9_.@:+=~-]+)*$")

JOINING_STATES = ("joined", "started")  # starting a stopped call joins the starter
LEAVING_STATES = ("leaved",)

# what a handshake tells the tab about the events it may have missed
RESUME_NEW = "new"  # a new tab: nothing to resume
RESUME_REPLAYED = "replayed"  # the events it missed follow the handshake answer, in order
RESUME_REFRESH = "refresh"  # some are no longer known here: reload the state (get_calls_state)

__all__ = ["CALL_PREFIX", "CLIENT_ID", "CONTROL_CHANNEL", "USER_PREFIX", "Channel", "ChannelHub", "Connection",
           "HubClient", "Resume", "create_hub", "parse_channel"]


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


@dataclass(frozen=True)
class Resume:
    """What a handshake resumed: ``outcome`` is one of the RESUME_* values, ``missed`` how many events follow."""

    outcome: str
    missed: int
    last_seq: int


class ChannelHub:
    def __init__(self, service, broker, presence: ProcessPresence, *, grace_seconds: float = 10.0,
                 resume_events: int = 100, resume_seconds: float = 120.0,
                 on_expired: Callable[[HubClient, list[str]], None] | None = None) -> None:
        self.service = service
        self.broker = broker
        self.presence = presence
        self.grace_seconds = grace_seconds
        self.resume_events = resume_events
        self.resume_seconds = resume_seconds
        self.node = presence.process_id  # tells this process's control messages from the others'
        self._clients: dict[str, HubClient] = {}
        self._arriving: set[str] = set()  # client ids whose handshake is recording them in the database
        self._by_user: dict[str, set[HubClient]] = {}
        self._feeds: dict[str, UserFeed] = {}
        self._feed_subscriptions: dict[str, Subscription] = {}
        self._lock = threading.RLock()
        self._on_expired = on_expired
        self._closed = False
        self._control = broker.subscribe(CONTROL_CHANNEL, self._on_control)
        presence.holds_here = self.holds

    # --- connections ------------------------------------------------------------------

    def connect(self, user_id: str, connection: Connection, requested_client_id: Any = None,
                last_seq: Any = None, greeting: Callable[[HubClient, Resume], dict] | None = None) -> HubClient:
        """Handshake. A new tab gets a fresh client id; a tab that reconnects with its id keeps its calls and gets
        the user-channel events it missed, right after the ``greeting`` frame (so nothing overtakes them)."""
        client_id = self._client_id_for(user_id, requested_client_id)
        with self._lock:
            self._arriving.add(client_id)  # ours from now on, for the presence sweep (see holds)
        try:
            joined = self.presence.hold(client_id, user_id)  # before anything is sent: a held tab is never swept
        except BaseException:
            with self._lock:
                self._arriving.discard(client_id)
            raise
        replaced: Connection | None = None
        dropped: list[Subscription] = []
        with self._lock:
            client = self._clients.get(client_id)
            if client is not None and client.user_id != user_id:
                client = None  # taken meanwhile by another user's tab: cannot happen with random ids
            adopted = client is None
            if client is None:
                client = HubClient(client_id, user_id)
                self._clients[client_id] = client
                self._by_user.setdefault(user_id, set()).add(client)
            client.joined.update(joined)
            if client.grace is not None:
                client.grace.cancel()
                client.grace = None
            if client.connected and client.connection is not connection:
                replaced = client.connection  # the same tab came back before we noticed it had gone
                dropped = self._take_subscriptions(client)
            feed = self._feed(user_id)
            if client.state is None:
                outcome = RESUME_REFRESH if client_id == requested_client_id else RESUME_NEW
                client.last_seq = feed.last_seq
                missed: list = []
                client.move("connect", "new tab" if outcome == RESUME_NEW else "adopted with its calls " + str(joined))
            else:
                missed, outcome = self._missed(client, feed, last_seq)
                client.move("reconnect", f"{len(missed)} missed events" if outcome == RESUME_REPLAYED
                            else "missed events no longer kept")
            client.connection = connection
            resume = Resume(outcome, len(missed), feed.last_seq)
            if greeting is not None:
                client.deliver(greeting(client, resume))
            for event in missed:
                client.deliver(self._user_frame(user_id, event.data, event.seq))
            client.last_seq = feed.last_seq
            self._arriving.discard(client_id)
        for subscription in dropped:
            subscription.cancel()
        if replaced is not None:
            close_quietly(replaced, f"client {client_id}")
        if adopted and requested_client_id is not None:
            self._announce({"event": "reattached", "clientId": client_id, "userId": user_id})
        return client

    def _client_id_for(self, user_id: str, requested: Any) -> str:
        if isinstance(requested, str) and CLIENT_ID.match(requested):
            with self._lock:
                known = self._clients.get(requested)
            if known is not None and known.user_id == user_id:
                return requested
            if known is None and not self.service.client_belongs_to_another_user(requested, user_id):
                return requested  # a tab back after a restart, or from another process
        return secrets.token_urlsafe(16)  # new, or another user's tab id: this tab gets an id of its own

    def _missed(self, client: HubClient, feed: UserFeed, last_seq: Any) -> tuple[list, str]:
        """The events a returning tab missed: after the last one handed to it, or after the ``lastSeq`` it names if
        that is earlier (a frame handed to a socket that was already dead never arrived)."""
        seen = client.last_seq
        if isinstance(last_seq, int) and not isinstance(last_seq, bool) and 0 <= last_seq < seen:
            seen = last_seq
        missed = feed.since(seen)
        if missed is None:
            return [], RESUME_REFRESH
        return (missed if client.follows_user_channel else []), RESUME_REPLAYED

    def disconnect(self, client: HubClient, connection: Connection) -> None:
        """The websocket is gone: drop its subscriptions, and leave its calls unless it comes back in time."""
        with self._lock:
            if client.connection is not connection or not client.connected:
                return  # already replaced by a newer socket of the same tab
            client.connection = None
            dropped = self._take_subscriptions(client)
            if self._closed:
                return  # closed by our shutdown: close() lets it go
            client.move("drop", f"calls {sorted(client.joined)}" if client.joined else "no calls")
            if self.grace_seconds > 0:
                client.grace = threading.Timer(self.grace_seconds, self._expire, args=(client,))
                client.grace.daemon = True
                client.grace.start()
        for subscription in dropped:
            subscription.cancel()
        if self.grace_seconds <= 0:
            self._expire(client)

    def _expire(self, client: HubClient) -> None:
        """The grace period is over: unless the tab came back, here or in another process, it leaves its calls."""
        with self._lock:
            if client.state is not ClientState.IN_GRACE:
                return
        try:
            holder = self.presence.holder(client.client_id)
            memberships = self.presence.memberships(client.client_id)
        except Exception as exc:  # noqa: BLE001 - the database is away: try again after another grace period
            log.warning("Cannot check client %s of %s after its grace period (%s): trying again in %ss",
                        client.client_id, client.user_id, exc, self.grace_seconds)
            with self._lock:
                if client.state is ClientState.IN_GRACE and not self._closed:
                    client.grace = threading.Timer(max(self.grace_seconds, 1.0), self._expire, args=(client,))
                    client.grace.daemon = True
                    client.grace.start()
            return
        with self._lock:
            if client.state is not ClientState.IN_GRACE:
                return
            if holder is not None and holder != self.node:
                self._end(client, "hand over", f"held by process {holder}")
                return
            calls = sorted({m.call_id for m in memberships} | client.joined)
            self._end(client, "expire", f"leaving {calls}" if calls else "no calls")
        failed = False
        for call_id in calls:
            try:
                self.service.expire_client(call_id, client.user_id, client.client_id)
            except CallNotFound:
                pass  # the call went away meanwhile: nothing to leave
            except Exception as exc:  # noqa: BLE001 - retried by the presence sweep, see below
                log.warning("Cannot leave call %s for the vanished client %s of %s (%s): the presence sweep "
                            "retries", call_id, client.client_id, client.user_id, exc)
                failed = True
        self._release(client.client_id, keep_for_sweep=failed)
        if self._on_expired is not None:
            self._on_expired(client, calls)

    def _release(self, client_id: str, *, keep_for_sweep: bool) -> None:
        with self._lock:
            if client_id in self._clients:
                return  # the tab came back meanwhile and is held again
        try:
            if keep_for_sweep:
                self.presence.let_go(client_id)
            else:
                self.presence.forget(client_id)
        except Exception as exc:  # noqa: BLE001 - the database is away: its row goes unheld when our lease ends
            log.warning("Cannot record that client %s is gone (%s)", client_id, exc)

    def _end(self, client: HubClient, action: str, detail: str) -> None:
        """A terminal transition: the client is no longer this process's. Caller holds the lock."""
        client.move(action, detail)
        if client.grace is not None:
            client.grace.cancel()
            client.grace = None
        if self._clients.get(client.client_id) is client:
            del self._clients[client.client_id]
        users = self._by_user.get(client.user_id)
        if users is not None:
            users.discard(client)
            if not users:
                del self._by_user[client.user_id]
                self._drop_feed(client.user_id)

    def holds(self, client_id: str) -> bool:
        """Whether this process serves the tab now (connected or in its grace period)."""
        with self._lock:
            return client_id in self._clients or client_id in self._arriving

    def client(self, client_id: str) -> HubClient | None:
        with self._lock:
            return self._clients.get(client_id)

    def connected_count(self) -> int:
        with self._lock:
            return sum(1 for c in self._clients.values() if c.connected)

    # --- call membership --------------------------------------------------------------

    def note_membership(self, client_id: str, user_id: str, call_id: str, state: Any) -> None:
        """A client joined or left a call (over the websocket, or over REST naming its ``clientId``). Only a
        convenience for this process's log and bookkeeping: the database records memberships, and a tab that
        vanishes leaves what the database says it joined."""
        if state not in JOINING_STATES and state not in LEAVING_STATES:
            return
        with self._lock:
            client = self._clients.get(client_id)
            if client is None or client.user_id != user_id:
                return
            if state in JOINING_STATES:
                client.joined.add(call_id)
            else:
                client.joined.discard(call_id)

    # --- channels ---------------------------------------------------------------------

    def check_access(self, client: HubClient, channel: Channel) -> None:
        if channel.kind == "user":
            if channel.key != client.user_id:
                raise ChannelAccessDenied(f"User {client.user_id} cannot use the channel of user {channel.key}")
        elif not self.service.can_access_call(client.user_id, channel.key):
            raise ChannelAccessDenied(f"User {client.user_id} is not a party of call {channel.key}")

    def subscribe(self, client: HubClient, channel: Channel) -> None:
        self.check_access(client, channel)
        if channel.kind == "user":
            with self._lock:
                client.follows_user_channel = True  # the user's feed is subscribed while the tab is here
            return
        with self._lock:
            if channel.name in client.subscriptions or channel.name in client.subscribing:
                return
            client.subscribing.add(channel.name)
            connection = client.connection
        subscription = self.broker.subscribe(channel.broker_channel, self._relay(client, channel.name))
        with self._lock:
            client.subscribing.discard(channel.name)
            if client.connected and client.connection is connection:
                client.subscriptions[channel.name] = subscription
                return
        subscription.cancel()  # the tab went away meanwhile

    def unsubscribe(self, client: HubClient, channel: Channel) -> None:
        with self._lock:
            if channel.kind == "user":
                client.follows_user_channel = False
                return
            subscription = client.subscriptions.pop(channel.name, None)
        if subscription is not None:
            subscription.cancel()

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

    # --- user feeds -------------------------------------------------------------------

    def _feed(self, user_id: str) -> UserFeed:
        """The user's feed, subscribed to their user channel while they have a tab here. Caller holds the lock
        (user channels subscribe without waiting on any broker)."""
        feed = self._feeds.get(user_id)
        if feed is None:
            feed = UserFeed(user_id, self.resume_events, self.resume_seconds)
            self._feeds[user_id] = feed
            self._feed_subscriptions[user_id] = self.broker.subscribe(user_channel(user_id),
                                                                      self._user_events(user_id))
        return feed

    def _drop_feed(self, user_id: str) -> None:
        self._feeds.pop(user_id, None)
        subscription = self._feed_subscriptions.pop(user_id, None)
        if subscription is not None:
            subscription.cancel()

    def _user_events(self, user_id: str) -> Callable[[str, Any, Any], None]:
        def on_event(_channel: str, data: Any, _sender: Any) -> None:
            with self._lock:
                feed = self._feeds.get(user_id)
                if feed is None:
                    return
                event = feed.append(data)
                for client in self._by_user.get(user_id, ()):
                    if not client.connected:
                        continue  # in grace: the feed keeps the event for its return
                    if client.follows_user_channel:
                        client.deliver(self._user_frame(user_id, data, event.seq))
                    client.last_seq = event.seq
            self._revalidate_on(user_id, data)
        return on_event

    @staticmethod
    def _user_frame(user_id: str, data: Any, seq: int) -> dict:
        return {"type": "message", "channel": USER_PREFIX + user_id, "data": data, "seq": seq}

    # --- revocation -------------------------------------------------------------------

    def _revalidate_on(self, user_id: str, data: Any) -> None:
        """The service tells a user on their own channel when a call stops (a deleted call stops first) or when
        they leave or are removed from a call: that is when their access to its channel may have ended."""
        if not isinstance(data, dict) or not isinstance(data.get("callId"), str):
            return
        event = data.get("eventType")
        if event == EVENT_CALL_STATE and data.get("callState") == "stopped":
            self._forget_joined(user_id, data["callId"])
            self.revalidate(user_id, data["callId"])
        elif event == EVENT_CALL_LEAVED and (data.get("part") or {}).get("id") == user_id:
            self.revalidate(user_id, data["callId"])

    def _forget_joined(self, user_id: str, call_id: str) -> None:
        """A stopped call is no longer one this user's tabs are in: a tab dropped later must not count it among the
        calls it leaves (the id may be a new call's by then; the lifecycle ignores such a leave anyway)."""
        with self._lock:
            for client in self._by_user.get(user_id, ()):
                client.joined.discard(call_id)

    def revalidate(self, user_id: str, call_id: str) -> None:
        """End this user's subscriptions to the call's channel here if they may no longer use it."""
        name = CALL_PREFIX + call_id
        with self._lock:
            holders = [c for c in self._by_user.get(user_id, ()) if name in c.subscriptions]
        if not holders:
            return
        try:
            allowed = self.service.can_access_call(user_id, call_id)
        except Exception as exc:  # noqa: BLE001 - every later publish is checked again anyway
            log.warning("Cannot check the access of %s to call %s (%s): checked again at the next publish",
                        user_id, call_id, exc)
            return
        if not allowed:
            for client in holders:
                self._revoke(client, name, f"User {user_id} is no longer a party of call {call_id}")

    def _revoke(self, client: HubClient, name: str, message: str) -> None:
        with self._lock:
            subscription = client.subscriptions.pop(name, None)
        if subscription is not None:
            subscription.cancel()
            client.deliver({"type": "unsubscribed", "channel": name, "code": ACCESS_ERROR, "message": message})

    def _relay(self, client: HubClient, name: str) -> Callable[[str, Any, Any], None]:
        def relay(_channel: str, data: Any, sender: Any) -> None:
            if isinstance(sender, dict):
                if sender.get("clientId") == client.client_id:
                    return
                client.deliver({"type": "message", "channel": name, "data": data, "sender": sender})
            else:
                client.deliver({"type": "message", "channel": name, "data": data})
        return relay

    @staticmethod
    def _take_subscriptions(client: HubClient) -> list[Subscription]:
        """The tab's call-channel subscriptions, removed from it (the caller cancels them outside the lock)."""
        subscriptions = list(client.subscriptions.values())
        client.subscriptions.clear()
        return subscriptions

    # --- other processes --------------------------------------------------------------

    def _announce(self, event: dict) -> None:
        self.broker.publish(CONTROL_CHANNEL, {**event, "node": self.node})

    def _on_control(self, _channel: str, data: Any, _sender: Any) -> None:
        if not isinstance(data, dict) or data.get("node") == self.node or data.get("event") != "reattached":
            return
        with self._lock:
            client = self._clients.get(data.get("clientId"))
            if client is None or client.user_id != data.get("userId") or client.connected:
                return
            self._end(client, "hand over", f"reconnected to process {data.get('node')}")

    # --- shutdown ---------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self, *, going_away: Callable[[Connection], None] | None = None) -> None:
        """Stop serving: close every websocket (tabs reconnect elsewhere, or here after the restart, with their ids)
        and let every tab go. Whoever serves a tab next adopts it with its calls; one that never comes back leaves
        them after the grace period, through the presence sweep of whichever process runs next."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            clients = list(self._clients.values())
            connections = []
            dropped: list[Subscription] = []
            for client in clients:
                if client.connected and client.connection is not None:
                    connections.append(client.connection)
                client.connection = None
                dropped += self._take_subscriptions(client)
                self._end(client, "let go", "server stopping")
        for subscription in dropped:
            subscription.cancel()
        for connection in connections:
            try:
                (going_away or (lambda c: c.close()))(connection)
            except Exception as exc:  # noqa: BLE001 - a socket that is already broken is closed either way
                log.debug("Closing a websocket at shutdown: %s", exc)
        self.presence.close()
        self._control.cancel()


def create_hub(container, service, broker, grace_seconds: float) -> ChannelHub:
    """The hub of one server process, with its presence (lease, held clients, sweeps) started: the container's
    properties say how long a lease lasts, how much of each user's feed is kept and how long stopped calls stay."""
    props = container.properties.as_dict()
    database = container.get_component_instance_of_type(Database)
    presence = ProcessPresence(service, database, PresenceSettings.from_properties(props, grace_seconds),
                               secrets.token_hex(8))
    resume = ResumeSettings.from_properties(props)
    hub = ChannelHub(service, broker, presence, grace_seconds=grace_seconds, resume_events=resume.events,
                     resume_seconds=resume.seconds)
    presence.start()
    return hub
