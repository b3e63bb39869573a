"""WebConferencingService: the registry of call providers and the rules of calls.

Every operation runs in one database transaction (``Database.write``); the events it causes are published after
the commit, so a client reacting to an event reads the committed state. Each operation also writes one line to the
``webconferencing.metrics`` logger: operation, user, call, status (``ok`` or the error's wire code), duration.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading

from typing import Any, Iterable

from exo_container import ComponentPlugin, ConfigurationError, InitParams, Startable, java_name

from .broker import Broker, user_channel
from .errors import (AccessDenied, CallNotFound, IdentityNotFound, InvalidCallArgument,
                     ProviderConfigurationError, ProviderNotFound, WebConferencingError)
from .identity import IdentityDirectory
from .metering import metered
from .info import (CALL_ID_PATTERN, GROUP_CALL_PREFIX, PEER_CALL_PREFIX, CallInfo, CallState, ContextInfo,
                   OwnerInfo, OwnerType, ParticipantInfo, ParticipantState, RoomInfo, SpaceInfo, UserInfo,
                   peer_call_id)
from .provider import CallProvider
from .storage import Database, utcnow
from .storage.calls import CallDAO, StoredCall, StoredParticipant
from .storage.settings import ProviderSettingsDAO

log = logging.getLogger(__name__)


EVENT_CALL_STATE = "call_state"
EVENT_CALL_JOINED = "call_joined"
EVENT_CALL_LEAVED = "call_leaved"

MAX_CALL_ID_LENGTH = 255


class UserCallListener:
    """Told about the calls of one user, in-process, after each change is committed.

    Override the callbacks you need (the defaults ignore the event). They run on the thread of the operation that
    caused the event, so keep them short; an exception is logged and never reaches the caller.
    """

    def __init__(self, user_id: str):
        self.user_id = user_id

    def on_call_state(self, call_id: str, provider_type: str, state: str, owner_id: str, owner_type: str) -> None:
        """A call of the user started, stopped or paused."""

    def on_participant_joined(self, call_id: str, provider_type: str, owner_id: str, owner_type: str,
                              part_id: str) -> None:
        """Someone joined a call the user takes part in."""

    def on_participant_leaved(self, call_id: str, provider_type: str, owner_id: str, owner_type: str,
                              part_id: str) -> None:
        """Someone left a call the user takes part in."""


class _Events:
    """Events of one operation, published once its transaction committed."""

    def __init__(self) -> None:
        self.items: list[tuple[tuple[str, ...], dict]] = []

    def call_state(self, call: StoredCall, state: str, to: Iterable[str] | None = None) -> None:
        recipients = tuple(to) if to is not None else tuple(p.user_id for p in call.participants)
        self.items.append((recipients, {
            "eventType": EVENT_CALL_STATE, "callId": call.id, "providerType": call.provider_type,
            "callState": state, "owner": {"id": call.owner_id, "type": call.owner_type}}))

    def participant(self, call: StoredCall, event_type: str, part_id: str) -> None:
        self.items.append((tuple(p.user_id for p in call.participants), {
            "eventType": event_type, "callId": call.id, "providerType": call.provider_type,
            "part": {"id": part_id}, "owner": {"id": call.owner_id, "type": call.owner_type}}))


@java_name("org.exoplatform.webconferencing.WebConferencingService")
class WebConferencingService(Startable):
    """The core component. Providers arrive as plugins (``addPlugin``) or through :meth:`add_provider`."""

    def __init__(self, database: Database, identities: IdentityDirectory, broker: Broker,
                 params: InitParams | None = None):
        self.database = database
        self.identities = identities
        self.broker = broker
        self.calls = CallDAO()
        self.provider_settings = ProviderSettingsDAO()
        self._providers: dict[str, CallProvider] = {}  # every supported type -> its provider
        self._providers_lock = threading.Lock()
        self._listeners: dict[str, tuple[UserCallListener, ...]] = {}
        self._listeners_lock = threading.Lock()
        self._started = False

    # ---- lifecycle ----

    def start(self) -> None:
        """Restore the admin-saved settings of the providers registered so far (they win over the XML defaults)."""
        self._started = True
        for provider in self.get_providers():
            self._restore_provider(provider)

    def stop(self) -> None:
        self._started = False

    # ---- providers ----

    def add_plugin(self, plugin: ComponentPlugin) -> None:
        """The XML set-method (``addPlugin``): only call providers are accepted."""
        if not isinstance(plugin, CallProvider):
            raise ConfigurationError(f"plugin {plugin.get_name()} ({type(plugin).__name__}) is not a CallProvider")
        self.add_provider(plugin)

    def add_provider(self, provider: CallProvider) -> None:
        provider.validate_registration()
        types = list(dict.fromkeys([provider.get_type(), *provider.get_supported_types()]))
        with self._providers_lock:
            taken = {t: self._providers[t] for t in types if t in self._providers}
            if taken:
                raise ProviderConfigurationError(
                    f"{type(provider).__name__}: provider type(s) {sorted(taken)} already registered by "
                    f"{', '.join(sorted({type(p).__name__ for p in taken.values()}))}", key="type")
            for call_type in types:
                self._providers[call_type] = provider
        provider.attach(self)
        if self._started:
            self._restore_provider(provider)
        log.info("Call provider registered: %s (%s)", provider.get_type(), provider.get_title())

    def _restore_provider(self, provider: CallProvider) -> None:
        saved = self.load_provider_settings(provider.get_type())
        if saved:
            provider.restore_configuration(saved)

    def get_provider(self, provider_type: str) -> CallProvider:
        provider = self._providers.get(provider_type)
        if provider is None:
            raise ProviderNotFound(f"call provider '{provider_type}' not found")
        return provider

    def get_providers(self) -> list[CallProvider]:
        """Each provider once, in registration order."""
        return list({id(p): p for p in self._providers.values()}.values())

    def load_provider_settings(self, provider_type: str) -> dict[str, str]:
        with self.database.read():
            return self.provider_settings.load(provider_type)

    def save_provider_settings(self, provider_type: str, settings: dict[str, str]) -> None:
        with self.database.write():
            self.provider_settings.save(provider_type, settings)

    # ---- identities ----

    def get_user_info(self, user_id: str) -> UserInfo:
        user = self.identities.get_user(user_id) if user_id else None
        if user is None:
            raise IdentityNotFound(f"user '{user_id}' not found")
        return user

    def get_space_info(self, pretty_name: str) -> SpaceInfo:
        space = self.identities.get_space(pretty_name) if pretty_name else None
        if space is None:
            raise IdentityNotFound(f"space '{pretty_name}' not found")
        return space

    def get_room_info(self, room_id: str, title: str | None = None, members: list[str] | None = None) -> RoomInfo:
        """A chat room; an unknown one is created when the chat side gives its title and members."""
        room = self.identities.get_room(room_id) if room_id else None
        if room is not None:
            return room
        if not title or not members:
            raise IdentityNotFound(f"chat room '{room_id}' not found")
        if not CALL_ID_PATTERN.fullmatch(room_id) or "/" in room_id:
            raise InvalidCallArgument(f"room id '{room_id}' has characters not allowed in a channel name",
                                      field="id")
        return self.identities.save_room(room_id, room_id, title, list(members))

    def get_user_status(self, user_id: str) -> str:
        return self.get_user_info(user_id).status

    def is_admin(self, user_id: str) -> bool:
        user = self.identities.get_user(user_id)
        return bool(user and user.is_admin)

    def get_context(self, user_id: str, space_id: str | None = None, room_id: str | None = None) -> ContextInfo:
        user = self.get_user_info(user_id)
        room_title = None
        if space_id:
            self.get_space_info(space_id)
        if room_id:
            room_title = self.get_room_info(room_id).title
        providers = [p.get_settings() for p in self.get_providers() if p.is_active()]
        return ContextInfo(user, space_id, room_id, room_title, user.is_admin, providers)

    def _owner(self, owner_id: str, owner_type: str) -> UserInfo | SpaceInfo | RoomInfo:
        if owner_type == OwnerType.USER:
            return self.get_user_info(owner_id)
        if owner_type == OwnerType.SPACE:
            return self.get_space_info(owner_id)
        return self.get_room_info(owner_id)

    def _owner_or_none(self, call: StoredCall) -> UserInfo | SpaceInfo | RoomInfo | None:
        try:
            return self._owner(call.owner_id, call.owner_type)
        except IdentityNotFound:
            return None

    # ---- calls: queries ----

    def _call_info(self, call: StoredCall) -> CallInfo:
        owner = self._owner_or_none(call)
        owner_info = OwnerInfo.of(owner) if owner else OwnerInfo(call.owner_id, call.owner_type, call.owner_id)
        participants = []
        for part in call.participants:
            user = self.identities.get_user(part.user_id) or UserInfo(part.user_id, part.user_id, "")
            participants.append(ParticipantInfo(user, part.state, part.client_id))
        return CallInfo(call.id, call.provider_type, owner_info, call.title, call.state, participants,
                        _utc(call.created), _utc(call.last_date))

    @metered
    def get_call(self, call_id: str) -> CallInfo:
        with self.database.read():
            call = self.calls.get(call_id)
        if call is None:
            raise CallNotFound(f"call '{call_id}' not found")
        return self._call_info(call)

    @metered
    def get_user_group_calls(self, user_id: str) -> list[CallInfo]:
        """The group calls the user took part in, newest first, started or stopped (what a reloaded page shows)."""
        self.get_user_info(user_id)
        with self.database.read():
            calls = self.calls.get_many(self.calls.group_call_ids(user_id))
        return [self._call_info(c) for c in calls]

    @metered
    def get_user_calls(self, user_id: str) -> list[CallInfo]:
        """Every call (1:1 and group) the user is a participant of, most recently used first."""
        self.get_user_info(user_id)
        with self.database.read():
            calls = self.calls.get_many(self.calls.call_ids_of_user(user_id))
        return [self._call_info(c) for c in calls]

    def can_access_call(self, user_id: str, call_id: str) -> bool:
        """May this user use the call's channel: a participant, or a member of the owning space or room."""
        with self.database.read():
            call = self.calls.get(call_id)
        if call is None or not user_id:
            return False
        if call.participant(user_id) is not None:
            return True
        if call.owner_type == OwnerType.USER:
            return False
        owner = self._owner_or_none(call)
        return bool(owner and owner.is_member(user_id))

    # ---- calls: changes ----

    @metered
    def add_call(self, call_id: str, owner_id: str, owner_type: str, title: str | None, provider_type: str,
                 participants: list[str] | str) -> CallInfo:
        """Create a call in state started and tell every participant (an incoming call for the others)."""
        _check_call_id(call_id)
        owner_type = _owner_type(owner_type)
        provider = self.get_provider(provider_type)
        if not provider.is_active():
            raise InvalidCallArgument(f"call provider '{provider_type}' is not active", field="providerType")
        ids = _participant_ids(participants)
        owner = self._owner(owner_id, owner_type)
        for uid in ids:
            self.get_user_info(uid)
        if owner_type == OwnerType.USER:
            if len(ids) != 2 or owner_id not in ids:
                raise InvalidCallArgument(
                    f"a 1:1 call has two participants, its owner '{owner_id}' one of them; got {ids}",
                    field="participants")
            expected = peer_call_id(*ids)
            if call_id != expected:
                raise InvalidCallArgument(f"the 1:1 call of {ids[0]} and {ids[1]} has id '{expected}', "
                                          f"not '{call_id}'", field="id")
        else:
            if not call_id.startswith(GROUP_CALL_PREFIX):
                raise InvalidCallArgument(f"a group call id starts with '{GROUP_CALL_PREFIX}', not '{call_id}'",
                                          field="id")
            outsiders = [uid for uid in ids if not owner.is_member(uid)]
            if outsiders:
                raise InvalidCallArgument(f"{outsiders} are not members of {owner_type} '{owner_id}'",
                                          field="participants")
        now = utcnow()
        call = StoredCall(call_id, provider_type, owner_id, owner_type, (title or "").strip() or owner.title,
                          CallState.STARTED, now, now, [StoredParticipant(uid) for uid in ids])
        events = _Events()
        with self.database.write():
            self.calls.create(call)  # CallConflict when the id is taken
            if owner_type != OwnerType.USER:
                self.calls.touch_group_calls(call_id, ids, now)
            events.call_state(call, CallState.STARTED)
        self._publish(events)
        return self._call_info(call)

    @metered
    def update_call(self, call_id: str, *, title: str | None = None,
                    participants: list[str] | str | None = None) -> CallInfo:
        """Change a call's title or its invitees; newcomers to a started call are told it started, and everyone
        (the removed included) that a removed participant left it (channel hubs then end access that is gone)."""
        new_ids = _participant_ids(participants) if participants is not None else None
        if title is not None and not title.strip():
            raise InvalidCallArgument("a call title must not be empty", field="title")
        for uid in new_ids or ():
            self.get_user_info(uid)
        events = _Events()
        with self.database.write():
            call = self._locked_call(call_id)
            if title is not None:
                call.title = title.strip()
            if new_ids is not None:
                current = [p.user_id for p in call.participants]
                if call.owner_type == OwnerType.USER:
                    if sorted(new_ids) != sorted(current):
                        raise InvalidCallArgument("the participants of a 1:1 call cannot change",
                                                  field="participants")
                else:
                    owner = self._owner_or_none(call)
                    outsiders = [uid for uid in new_ids if not (owner and owner.is_member(uid))]
                    if outsiders:
                        raise InvalidCallArgument(f"{outsiders} are not members of {call.owner_type} "
                                                  f"'{call.owner_id}'", field="participants")
                    removed = [uid for uid in current if uid not in new_ids]
                    added = [uid for uid in new_ids if uid not in current]
                    for uid in removed:  # told while still listed, so the removed user hears it too
                        events.participant(call, EVENT_CALL_LEAVED, uid)
                    self.calls.remove_participants(call_id, removed)
                    for uid in added:
                        self.calls.add_participant(call_id, uid)
                    call.participants = [p for p in call.participants if p.user_id not in removed]
                    call.participants += [StoredParticipant(uid) for uid in added]
                    if added and call.state == CallState.STARTED:
                        events.call_state(call, CallState.STARTED, to=added)
            call.last_date = utcnow()
            self.calls.update(call_id, title=call.title, last_date=call.last_date)
        self._publish(events)
        return self._call_info(call)

    @metered
    def delete_call(self, call_id: str) -> CallInfo:
        """Remove a call (a 1:1 call declined by either side); its participants are told it stopped."""
        events = _Events()
        with self.database.write():
            call = self._locked_call(call_id)
            self.calls.delete(call_id)
            if call.state != CallState.STOPPED:
                call.state = CallState.STOPPED
                events.call_state(call, CallState.STOPPED)
        self._publish(events)
        return self._call_info(call)

    @metered
    def join_call(self, call_id: str, user_id: str, client_id: str) -> CallInfo:
        """Join from one client (browser tab); joining a stopped call starts it again."""
        return self._enter(call_id, user_id, client_id)

    @metered
    def start_call(self, call_id: str, user_id: str, client_id: str) -> CallInfo:
        """Start a stopped call again (everyone not in it gets an incoming call); the starter joins it."""
        return self._enter(call_id, user_id, client_id)

    def _enter(self, call_id: str, user_id: str, client_id: str) -> CallInfo:
        _check_client_id(client_id)
        self.get_user_info(user_id)
        events = _Events()
        with self.database.write():
            call = self._locked_call(call_id)
            part = call.participant(user_id)
            if part is None:
                owner = self._owner_or_none(call) if call.owner_type != OwnerType.USER else None
                if owner is None or not owner.is_member(user_id):
                    raise AccessDenied(f"user '{user_id}' is not a participant of call '{call_id}'")
                self.calls.add_participant(call_id, user_id)
                part = StoredParticipant(user_id)
                call.participants.append(part)
            now = utcnow()
            if call.state != CallState.STARTED:
                call.state = CallState.STARTED
                events.call_state(call, CallState.STARTED)
            was_joined = part.state == ParticipantState.JOINED
            self.calls.add_client(call_id, user_id, client_id)
            part.state, part.client_id = ParticipantState.JOINED, client_id
            self.calls.set_participant(call_id, user_id, part.state, client_id)
            call.last_date = now
            self.calls.set_state(call_id, call.state, now)
            if call.owner_type != OwnerType.USER:
                self.calls.touch_group_calls(call_id, [user_id], now)
            if not was_joined:
                events.participant(call, EVENT_CALL_JOINED, user_id)
        self._publish(events)
        return self._call_info(call)

    @metered
    def leave_call(self, call_id: str, user_id: str, client_id: str) -> CallInfo | None:
        """Leave from one client. The user leaves when their last client does; then a group call with nobody in it
        stops, and a 1:1 call with at most one person still in it stops and is deleted (None is returned then, as
        for an unknown call: leaving a call that is gone is not an error)."""
        self.get_user_info(user_id)
        events = _Events()
        deleted = False
        with self.database.write():
            call = self.calls.get(call_id, for_update=True)
            if call is None:
                return None
            part = call.participant(user_id)
            if part is None or call.state != CallState.STARTED:
                return self._call_info(call)
            self.calls.remove_client(call_id, user_id, client_id)
            remaining = self.calls.clients(call_id, user_id)
            now = utcnow()
            if remaining:
                if part.client_id == client_id:  # still in through another tab
                    part.client_id = remaining[0]
                    self.calls.set_participant(call_id, user_id, part.state, part.client_id)
                return self._call_info(call)
            was_joined = part.state == ParticipantState.JOINED
            part.state, part.client_id = ParticipantState.LEAVED, None
            self.calls.set_participant(call_id, user_id, part.state, None)
            if was_joined:
                events.participant(call, EVENT_CALL_LEAVED, user_id)
            call.last_date = now
            joined = sum(p.state == ParticipantState.JOINED for p in call.participants)
            # A 1:1 call makes no sense with one person left in it (the original stops and deletes it then, so the
            # other side sees "stopped" at once); a group call goes on until the last participant leaves.
            if joined == 0 or (call.owner_type == OwnerType.USER and joined <= 1):
                call.state = CallState.STOPPED
                events.call_state(call, CallState.STOPPED)
                if call.owner_type == OwnerType.USER:
                    self.calls.delete(call_id)
                    deleted = True
                else:
                    self.calls.set_state(call_id, call.state, now)
            else:
                self.calls.touch(call_id, now)
        self._publish(events)
        return None if deleted else self._call_info(call)

    @metered
    def stop_call(self, call_id: str, remove: bool = False) -> CallInfo:
        """Stop a call for everyone (all clients leave); ``remove`` also deletes it (1:1 calls)."""
        events = _Events()
        with self.database.write():
            call = self._locked_call(call_id)
            was_started = call.state != CallState.STOPPED
            for part in call.participants:
                if part.state == ParticipantState.JOINED:
                    part.state, part.client_id = ParticipantState.LEAVED, None
            call.state, call.last_date = CallState.STOPPED, utcnow()
            if remove:
                self.calls.delete(call_id)
            else:
                self.calls.leave_all(call_id, ParticipantState.LEAVED)
                self.calls.set_state(call_id, call.state, call.last_date)
            if was_started:
                events.call_state(call, CallState.STOPPED)
        self._publish(events)
        return self._call_info(call)

    def update_user_call_state(self, call_id: str, user_id: str, client_id: str, state: str) -> CallInfo | None:
        """The remote ``update`` command: ``joined``/``leaved`` by this user's client, ``started``/``stopped`` for
        the call (stopping a 1:1 call removes it)."""
        if state == ParticipantState.JOINED:
            return self.join_call(call_id, user_id, client_id)
        if state == ParticipantState.LEAVED:
            return self.leave_call(call_id, user_id, client_id)
        if state == CallState.STARTED:
            return self.start_call(call_id, user_id, client_id)
        if state == CallState.STOPPED:
            if not self.can_access_call(user_id, call_id):
                self.get_call(call_id)  # not found beats access denied
                raise AccessDenied(f"user '{user_id}' may not stop call '{call_id}'")
            call = self.get_call(call_id)
            return self.stop_call(call_id, remove=call.owner_type == OwnerType.USER)
        raise InvalidCallArgument(f"unknown call state '{state}': expected joined, leaved, started or stopped",
                                  field="state")

    def _locked_call(self, call_id: str) -> StoredCall:
        call = self.calls.get(call_id, for_update=True)
        if call is None:
            raise CallNotFound(f"call '{call_id}' not found")
        return call

    # ---- listeners and events ----

    def add_user_call_listener(self, listener: UserCallListener) -> None:
        with self._listeners_lock:
            self._listeners[listener.user_id] = self._listeners.get(listener.user_id, ()) + (listener,)

    def remove_user_call_listener(self, listener: UserCallListener) -> None:
        with self._listeners_lock:
            rest = tuple(l for l in self._listeners.get(listener.user_id, ()) if l is not listener)
            if rest:
                self._listeners[listener.user_id] = rest
            else:
                self._listeners.pop(listener.user_id, None)

    def _publish(self, events: _Events) -> None:
        for recipients, data in events.items:
            for user_id in recipients:
                try:
                    self.broker.publish(user_channel(user_id), data)
                except Exception:
                    log.exception("Cannot publish %s of call %s to %s", data["eventType"], data["callId"], user_id)
                for listener in self._listeners.get(user_id, ()):
                    _notify(listener, data)


def _notify(listener: UserCallListener, data: dict) -> None:
    owner = data["owner"]
    try:
        if data["eventType"] == EVENT_CALL_STATE:
            listener.on_call_state(data["callId"], data["providerType"], data["callState"], owner["id"],
                                   owner["type"])
        elif data["eventType"] == EVENT_CALL_JOINED:
            listener.on_participant_joined(data["callId"], data["providerType"], owner["id"], owner["type"],
                                           data["part"]["id"])
        else:
            listener.on_participant_leaved(data["callId"], data["providerType"], owner["id"], owner["type"],
                                           data["part"]["id"])
    except Exception:
        log.exception("User call listener %r failed on %s", listener, data["eventType"])


def _utc(value: dt.datetime | str | None) -> dt.datetime | None:
    if value is None:
        return None
    if isinstance(value, str):  # SQLite may hand back text when the column was written by another tool
        value = dt.datetime.fromisoformat(value)
    return value.replace(tzinfo=dt.timezone.utc) if value.tzinfo is None else value


def _check_call_id(call_id: str) -> None:
    if not call_id or not isinstance(call_id, str):
        raise InvalidCallArgument("a call needs an id", field="id")
    if len(call_id) > MAX_CALL_ID_LENGTH or not CALL_ID_PATTERN.fullmatch(call_id):
        raise InvalidCallArgument(
            f"call id '{call_id}' may only use letters, digits and _ . @ : ~ - in '/'-separated segments "
            f"(at most {MAX_CALL_ID_LENGTH} characters)", field="id")
    if not call_id.startswith((PEER_CALL_PREFIX, GROUP_CALL_PREFIX)):
        raise InvalidCallArgument(f"call id '{call_id}' must start with '{PEER_CALL_PREFIX}' (1:1) or "
                                  f"'{GROUP_CALL_PREFIX}' (group)", field="id")


def _check_client_id(client_id: str) -> None:
    if not client_id or not isinstance(client_id, str) or len(client_id) > 255:
        raise InvalidCallArgument("a client id (the browser tab's id) is required", field="clientId")


def _owner_type(owner_type: str) -> str:
    try:
        return OwnerType(owner_type).value
    except ValueError:
        raise InvalidCallArgument(f"owner type '{owner_type}' is not one of user, space, chat_room",
                                  field="ownerType") from None


def _participant_ids(participants: list[str] | str) -> list[str]:
    if isinstance(participants, str):
        participants = participants.split(";")
    ids = list(dict.fromkeys(p.strip() for p in participants if p and p.strip()))
    if not ids:
        raise InvalidCallArgument("a call needs participants", field="participants")
    return ids
