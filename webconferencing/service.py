"""WebConferencingService: the registry of call providers and the rules of calls.

Every operation runs in one database transaction (``Database.write``); the events it causes are published after
the commit, so a client reacting to an event reads the committed state. Each operation also writes one line to the
``webconferencing.metrics`` logger: operation, user, call, status (``ok`` or the error's wire code), duration.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import threading
from functools import cached_property

from exo_container import ComponentPlugin, ConfigurationError, InitParams, Startable, java_name

from .broker import Broker, user_channel
from .calls import history as call_history, lifecycle
from .calls.events import (EVENT_CALL_JOINED, EVENT_CALL_LEAVED, EVENT_CALL_STATE,  # noqa: F401 (hub imports)
                           CallMissed, CallStateChanged, EndReason, Event, ParticipantJoined, ParticipantLeft)
from .calls.model import Call, Participant
from .errors import (AccessDenied, CallConflict, CallFull, CallNotFound, CallStateError, IdentityNotFound,
                     InvalidCallArgument, ProviderConfigurationError, ProviderNotFound)
from .calls.guests import is_guest, new_guest_id
from .identity import IdentityDirectory
from .info import (CALL_ID_PATTERN, GROUP_CALL_PREFIX, PEER_CALL_PREFIX, CallInfo, CallState, ContextInfo,
                   OwnerInfo, OwnerType, ParticipantInfo, ParticipantState, RoomInfo, SpaceInfo, UserInfo,
                   group_call_id, peer_call_id)
from .invites import MAX_GUESTS_PER_CALL, CallInvites, GuestInfo, Invitation
from .metering import metered
from .observability.metrics import record_call_started, record_call_stopped
from .provider import CallProvider
from .storage import Database, utcnow
from .spaces import ActiveCallProvider, SpaceSettings
from .storage.calls import CallDAO, StoredCall, StoredParticipant
from .storage.history import CallHistoryDAO
from .storage.invites import StoredGuest
from .storage.settings import ProviderSettingsDAO

log = logging.getLogger(__name__)

IN_CALL = "incall"  # the presence of a user joined in a running call (never stored: read from the calls)
DECLINED = "declined"  # the update command's state for an invited participant who refuses the call

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

    def on_call_missed(self, call_id: str, provider_type: str, owner_id: str, owner_type: str,
                       caller_id: str | None) -> None:
        """The user was rung and did not answer in time."""


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
            log.info("Call provider %s: settings saved by an administrator override its configuration "
                     "(exo.properties, XML): %s", provider.get_type(), ", ".join(sorted(saved)))
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
        if self.identities.get_space(room_id) is not None:
            # a room and a space share the group-call id space (g/<id>): a room may not take a space's name
            raise InvalidCallArgument(f"room id '{room_id}' is the name of a space", field="id")
        return self.identities.save_room(room_id, room_id, title, list(members))

    def get_user_status(self, user_id: str) -> str:
        """The user's presence: their own status, or ``incall`` while they are joined in a running call (set and
        cleared by joining and leaving, never by hand)."""
        status = self.get_user_info(user_id).status
        with self.database.read():
            return IN_CALL if self.calls.users_in_calls([user_id]) else status

    def get_user_presence(self, user_id: str) -> UserInfo:
        """The user, with :meth:`get_user_status` as their status (what other users are shown)."""
        user = self.get_user_info(user_id)
        status = self.get_user_status(user_id)
        return user if status == user.status else dataclasses.replace(user, status=status)

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

    # ---- calls: queries ----

    def _call_info(self, call: StoredCall) -> CallInfo:
        return self._info(_model(call, {}), presence=True)

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

    @metered
    def get_ringing_calls(self, user_id: str) -> list[CallInfo]:
        """The calls (1:1 and group) that ring for the user now: started, the user invited and not answered. A tab
        that missed events (a restarted server, see docs/protocol.md, *Resume*) shows exactly these dialogs."""
        self.get_user_info(user_id)
        with self.database.read():
            calls = self.calls.get_many(self.calls.calls_ringing_user(user_id))
        return [self._call_info(c) for c in calls]

    def client_belongs_to_another_user(self, client_id: str, user_id: str) -> bool:
        """Whether ``client_id`` is a tab another user joined calls from: a tab id is that tab's credential for
        its calls, so nobody else may take it (say, by presenting it in a websocket handshake after a restart)."""
        with self.database.read():
            return self.calls.client_held_by_other(client_id, user_id) is not None

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
        owner = self._owner_or_none_of(call.owner_id, call.owner_type)
        return bool(owner and owner.is_member(user_id))

    # ---- calls: changes ----
    #
    # Each change is: lock the call's row, apply the lifecycle (webconferencing.calls.lifecycle, where the rules
    # live), persist what changed, publish the outcome's events once committed.

    @metered
    def add_call(self, call_id: str, owner_id: str, owner_type: str, title: str | None, provider_type: str,
                 participants: list[str] | str, *, caller: str | None = None) -> CallInfo:
        """Create a call in state started and tell every participant (an incoming call for the others); the ring
        names ``caller``, the participant placing it, when given (the web layer gives the requester).

        A group call's id belongs to its owner (``g/<owner id>``, or under it ``g/<owner id>/...`` for a provider's
        own scheme), so nobody can take the id of a space or room they are not in. A stopped group call of another
        provider under the same id is replaced: pressing WebRTC's button after a My Connector call ended starts a
        WebRTC call, not the old one again."""
        _check_call_id(call_id)
        owner_type = _owner_type(owner_type)
        provider = self.get_provider(provider_type)
        if not provider.is_active():
            raise InvalidCallArgument(f"call provider '{provider_type}' is not active", field="providerType")
        ids = _participant_ids(participants)
        owner = self._owner(owner_id, owner_type)
        if owner_type == OwnerType.SPACE:  # issue 12: a space's managers may switch its calls off
            self.space_settings.check_calls_allowed(owner_id)
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
            own_id = group_call_id(owner_id)
            if call_id != own_id and not call_id.startswith(own_id + "/"):
                raise InvalidCallArgument(f"the group call of {owner_type} '{owner_id}' has id '{own_id}' (or "
                                          f"'{own_id}/...'), not '{call_id}'", field="id")
            outsiders = [uid for uid in ids if not owner.is_member(uid)]
            if outsiders:
                raise InvalidCallArgument(f"{outsiders} are not members of {owner_type} '{owner_id}'",
                                          field="participants")
        if caller is not None and caller not in ids:
            raise InvalidCallArgument(f"the caller '{caller}' is not one of the participants {ids}",
                                      field="participants")
        outcome = lifecycle.create(call_id, provider_type, owner_id, owner_type, (title or "").strip() or owner.title,
                                   ids, utcnow(), caller=caller)
        with self.database.write():
            existing = self.calls.get(call_id, for_update=True)
            if existing is not None:
                self._replace_stopped_group_call(existing, provider_type)
            self._persist(None, outcome)
            # who is busy, read in this transaction rather than a read transaction of its own after it
            busy = self.calls.users_in_calls(list(outcome.call.participant_ids()), except_call=call_id)
        self._publish(outcome)
        return self._info(outcome.call, busy=busy)

    def _replace_stopped_group_call(self, existing: StoredCall, provider_type: str) -> None:
        if (existing.owner_type == OwnerType.USER or existing.state != CallState.STOPPED
                or existing.provider_type == provider_type):
            running = self._providers.get(existing.provider_type)
            what = running.get_title() if running is not None else existing.provider_type
            raise CallConflict(f"call '{existing.id}' already exists ({what}, {existing.state})")
        log.info("%s: stopped %s call replaced by a %s call", existing.id, existing.provider_type, provider_type)
        self.calls.delete(existing.id)

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
        with self.database.write():
            call = self._locked(call_id)
            if new_ids is not None and call.is_group:
                owner = self._owner_or_none_of(call.owner_id, call.owner_type)
                outsiders = [uid for uid in new_ids if not (owner and owner.is_member(uid))]
                if outsiders:
                    raise InvalidCallArgument(f"{outsiders} are not members of {call.owner_type} "
                                              f"'{call.owner_id}'", field="participants")
            now = utcnow()
            changed = call.replace(title=title.strip(), last_date=now) if title is not None else call
            outcome = (lifecycle.invite(changed, new_ids, now) if new_ids is not None
                       else lifecycle.Outcome(changed.replace(last_date=now)))
            self._persist(call, outcome)
        self._publish(outcome)
        return self._info(outcome.call)

    @metered
    def delete_call(self, call_id: str, user_id: str | None = None) -> CallInfo:
        """Remove a call (a 1:1 call declined or cancelled); its participants are told it stopped, with the reason
        read from who asked (``user_id``): a callee who never answered declined it, a lone caller cancelled it."""
        with self.database.write():
            call = self._locked(call_id)
            reason = lifecycle.stop_reason(call, user_id) if user_id else EndReason.ENDED
            outcome = lifecycle.stop(call, utcnow(), remove=True, reason=reason, by=user_id or "")
            self._persist(call, outcome)
        self._publish(outcome)
        return self._info(lifecycle.everyone_out(call))

    @metered
    def join_call(self, call_id: str, user_id: str, client_id: str) -> CallInfo:
        """Join from one client (browser tab); joining a stopped call starts it again (see the lifecycle)."""
        return self._enter(call_id, user_id, client_id, lifecycle.join)

    @metered
    def start_call(self, call_id: str, user_id: str, client_id: str) -> CallInfo:
        """Start a stopped call again (everyone else is rung); the starter joins it. On a running call: a join."""
        return self._enter(call_id, user_id, client_id, lifecycle.start)

    def _enter(self, call_id: str, user_id: str, client_id: str, action) -> CallInfo:
        _check_client_id(client_id)
        self._check_party(user_id)
        with self.database.write():
            call, holder = self._locked_for_tab(call_id, user_id, client_id)
            provider = self._providers.get(call.provider_type)
            outcome = action(call, user_id, client_id, utcnow(), is_member=self._is_owner_member(call, user_id),
                             max_participants=provider.get_max_participants() if provider else None)
            # only once the lifecycle let the requester in (a non-party hears the call does not exist): told first,
            # "another user's tab" would confirm any call id to whoever holds a second identity's tab id
            if holder is not None:
                raise InvalidCallArgument(f"clientId '{client_id}' belongs to another user's tab", field="clientId")
            self._persist(call, outcome)
        self._publish(outcome)
        return self._info(outcome.call)

    @metered
    def leave_call(self, call_id: str, user_id: str, client_id: str) -> CallInfo | None:
        """Leave from one client (see the lifecycle for when the call stops, or is deleted: None is returned then,
        as for an unknown call, since leaving a call that is gone is not an error)."""
        return self._leave(call_id, user_id, client_id, lifecycle.leave)

    @metered
    def expire_client(self, call_id: str, user_id: str, client_id: str) -> CallInfo | None:
        """A tab that vanished (grace period over, or its server process died) leaves the call as if it hung up."""
        return self._leave(call_id, user_id, client_id, lifecycle.expire)

    def _leave(self, call_id: str, user_id: str, client_id: str, action) -> CallInfo | None:
        self._check_party(user_id)
        with self.database.write():
            try:
                call = self._locked(call_id)
                outcome = action(call, user_id, client_id, utcnow())
            except CallNotFound:  # gone, or not theirs: both answer as "nothing to leave", so ids cannot be probed
                return None
            self._persist(call, outcome)
        self._publish(outcome)
        return None if outcome.deleted else self._info(outcome.call)

    @metered
    def decline_call(self, call_id: str, user_id: str) -> CallInfo | None:
        """An invited participant refuses: a 1:1 call ends (None: it is deleted); in a group call they stop
        ringing, on every tab."""
        self.get_user_info(user_id)
        with self.database.write():
            call = self._locked(call_id)
            outcome = lifecycle.decline(call, user_id, utcnow())
            self._persist(call, outcome)
        self._publish(outcome)
        return None if outcome.deleted else self._info(outcome.call)

    @metered
    def stop_call(self, call_id: str, remove: bool = False, user_id: str | None = None) -> CallInfo:
        """Stop a call for everyone (all clients leave); ``remove`` also deletes it (1:1 calls)."""
        with self.database.write():
            call = self._locked(call_id)
            reason = lifecycle.stop_reason(call, user_id) if user_id else EndReason.ENDED
            outcome = lifecycle.stop(call, utcnow(), remove=remove, reason=reason, by=user_id or "")
            self._persist(call, outcome)
        self._publish(outcome)
        return self._info(outcome.call if outcome.call is not None else lifecycle.everyone_out(call))

    def expire_ringing(self, timeout_seconds: float) -> list[str]:
        """Apply the ring timeout to every call that rang ``timeout_seconds`` without a change (see
        :mod:`webconferencing.ringing`); the ids of the calls changed."""
        cutoff = utcnow() - dt.timedelta(seconds=timeout_seconds)
        with self.database.read():
            candidates = self.calls.ringing_call_ids(cutoff)
        changed = []
        for call_id in candidates:
            with self.database.write():
                try:
                    call = self._locked(call_id)
                except CallNotFound:
                    continue
                if call.state != CallState.STARTED or _naive(call.last_date) >= _naive(cutoff):
                    continue  # answered, or changed, since it was listed
                outcome = lifecycle.ring_timeout(call, utcnow())
                self._persist(call, outcome)
            self._publish(outcome)
            changed.append(call_id)
        return changed

    def update_user_call_state(self, call_id: str, user_id: str, client_id: str, state: str) -> CallInfo | None:
        """The remote ``update`` command: ``joined``/``leaved``/``declined`` by this user's client,
        ``started``/``stopped`` for the call (stopping a 1:1 call removes it). Only a party may stop a call; to
        anyone else it does not exist."""
        if state == ParticipantState.JOINED:
            return self.join_call(call_id, user_id, client_id)
        if state == ParticipantState.LEAVED:
            return self.leave_call(call_id, user_id, client_id)
        if state == DECLINED:
            return self.decline_call(call_id, user_id)
        if state == CallState.STARTED:
            return self.start_call(call_id, user_id, client_id)
        if state == CallState.STOPPED:
            if not self.can_access_call(user_id, call_id):
                raise CallNotFound(f"call '{call_id}' not found")
            call = self.get_call(call_id)
            return self.stop_call(call_id, remove=call.owner_type == OwnerType.USER, user_id=user_id)
        raise InvalidCallArgument(f"unknown call state '{state}': expected joined, leaved, declined, started or "
                                  f"stopped", field="state")

    # ---- calls: persistence ----

    def _locked(self, call_id: str) -> Call:
        """The call, its row locked for this transaction, as the lifecycle's value."""
        return _model(self._locked_row(call_id), self.calls.clients_by_user(call_id))

    def _locked_row(self, call_id: str) -> StoredCall:
        stored = self.calls.get(call_id, for_update=True)
        if stored is None:
            raise CallNotFound(f"call '{call_id}' not found")
        return stored

    def _locked_for_tab(self, call_id: str, user_id: str, client_id: str) -> tuple[Call, str | None]:
        """:meth:`_locked` for a tab about to join, with the other user who already joined from ``client_id`` (a
        tab id is that tab's credential: the caller refuses it), or None; read with the call's tabs in one
        statement."""
        stored = self._locked_row(call_id)
        clients, holder = self.calls.clients_and_holder(call_id, user_id, client_id)
        return _model(stored, clients), holder

    def _persist(self, before: Call | None, outcome: lifecycle.Outcome) -> None:
        """Write what the outcome changed, and nothing else; a call that ended for someone goes into their history
        (issue 11), in the same transaction."""
        CallHistoryDAO().add(call_history.entries(before, outcome, utcnow()))
        after = outcome.call
        if after is None:
            if before is not None:
                self.calls.delete(before.id)
            return
        if before is None:
            self.calls.create(StoredCall(after.id, after.provider_type, after.owner_id, after.owner_type,
                                         after.title, after.state, after.created, after.last_date,
                                         [StoredParticipant(p.user_id, p.state, p.client_id, _joined(p))
                                          for p in after.participants]))
            for part in after.participants:
                for client_id in part.clients:
                    self.calls.add_client(after.id, part.user_id, client_id)
        else:
            if (after.state, after.title, after.last_date) != (before.state, before.title, before.last_date):
                self.calls.set_call(after.id, after.state, after.title, after.last_date)
            kept = set(after.participant_ids())
            self.calls.remove_participants(after.id, [uid for uid in before.participant_ids() if uid not in kept])
            for part in after.participants:
                old = before.participant(part.user_id)
                if old is None:
                    self.calls.add_participant(after.id, part.user_id, part.state, part.client_id, _joined(part))
                elif (old.state, old.client_id, old.joined_at) != (part.state, part.client_id, part.joined_at):
                    self.calls.set_participant(after.id, part.user_id, part.state, part.client_id, _joined(part))
                old_clients = old.clients if old is not None else frozenset()
                for client_id in part.clients - old_clients:
                    self.calls.add_client(after.id, part.user_id, client_id)
                for client_id in old_clients - part.clients:
                    self.calls.remove_client(after.id, part.user_id, client_id)
        if after.is_group and outcome.active_users:
            self.calls.touch_group_calls(after.id, list(outcome.active_users), after.last_date)

    def _info(self, call: Call, *, presence: bool = False, busy: set[str] | None = None) -> CallInfo:
        """The call as handed out. With ``presence`` (a new call, and every read of one), a participant joined in
        another running call shows as ``incall``, so a caller sees at once that the callee is busy (their ring is a
        waiting call, without ringtone); the answers to joins and leaves skip that query (they are the hot path).
        ``busy``: those participants, already read by the caller (add_call reads them in its own transaction)."""
        owner = self._owner_or_none_of(call.owner_id, call.owner_type)
        owner_info = OwnerInfo.of(owner) if owner else OwnerInfo(call.owner_id, call.owner_type, call.owner_id)
        busy = busy if busy is not None else set()
        if presence:
            with self.database.read():
                busy = self.calls.users_in_calls(list(call.participant_ids()), except_call=call.id)
        participants = []
        for part in call.participants:
            user = self._participant_user(part.user_id)
            if part.user_id in busy:
                user = dataclasses.replace(user, status=IN_CALL)
            participants.append(ParticipantInfo(user, part.state, part.client_id))
        return CallInfo(call.id, call.provider_type, owner_info, call.title, call.state, participants,
                        _utc(call.created), _utc(call.last_date))

    def _is_owner_member(self, call: Call, user_id: str) -> bool:
        if not call.is_group:
            return False
        owner = self._owner_or_none_of(call.owner_id, call.owner_type)
        return bool(owner and owner.is_member(user_id))

    def _owner_or_none_of(self, owner_id: str, owner_type: str) -> UserInfo | SpaceInfo | RoomInfo | None:
        try:
            return self._owner(owner_id, owner_type)
        except IdentityNotFound:
            return None

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

    def _publish(self, outcome: lifecycle.Outcome) -> None:
        """After the commit: each event to each recipient's user channel, and to their in-process listeners. A
        broker failure is the broker's to report; the change is committed and stays so."""
        call = outcome.call or (outcome.events[0] if outcome.events else None)
        if call is not None and (outcome.started or outcome.stopped):
            (record_call_started if outcome.started else record_call_stopped)(call.provider_type, call.owner_type)
        for event in outcome.events:
            wire = event.to_wire()
            for user_id in event.recipients:
                try:
                    self.broker.publish(user_channel(user_id), wire)
                except Exception:
                    log.exception("Cannot publish %s of call %s to %s", event.event_type, event.call_id, user_id)
                for listener in self._listeners.get(user_id, ()):
                    _notify(listener, event)


    # ---- invites and guests ----
    #
    # Issue 12. The rules of invites are webconferencing.invites', the guest transitions the lifecycle's (add guest,
    # remove guests, end guests alone); these methods lock, apply, persist and publish like the call changes above.

    @cached_property
    def invites(self) -> CallInvites:
        return CallInvites(self.identities)

    def _check_party(self, user_id: str) -> None:
        """A portal user, or a guest: not a directory user, and a party only of the call that admitted them (the
        lifecycle refuses a guest id that is not a participant, as it refuses any outsider)."""
        if not is_guest(user_id):
            self.get_user_info(user_id)

    def _participant_user(self, user_id: str) -> UserInfo:
        """How a participant shows in a call: the directory's user, a guest under their display name, or the id."""
        if is_guest(user_id):
            guest = self.invites.guest(user_id)
            if guest is not None:
                return GuestInfo(guest.guest_id, guest.call_id, guest.display_name).as_user()
        return self.identities.get_user(user_id) or UserInfo(user_id, user_id, "")

    def _party_call(self, call_id: str, user_id: str) -> Call:
        """The call locked, for one of its parties (never a guest); to anyone else it does not exist."""
        call = self._locked(call_id)
        if is_guest(user_id) or not (call.participant(user_id) is not None or self._is_owner_member(call, user_id)):
            raise CallNotFound(f"call '{call_id}' not found")
        if not call.is_group:
            raise InvalidCallArgument(f"call '{call_id}' is a 1:1 call: only group calls have invite links",
                                      field="callId")
        return call

    def _guests_supported(self, call: Call) -> bool:
        provider = self._providers.get(call.provider_type)
        return bool(provider and provider.supports_guests())

    @metered
    def get_invitation(self, call_id: str, user_id: str) -> Invitation:
        """The call's invite link, invited identities and guests, for its parties."""
        with self.database.write():  # the invitation id is made on first use
            call = self._party_call(call_id, user_id)
            return self.invites.view(call.id, utcnow(), self._guests_supported(call))

    @metered
    def update_invites(self, call_id: str, user_id: str, invites: list) -> tuple[CallInfo, Invitation]:
        """Replace the invited identities (the invitation id is kept). No longer inviting everyone ends the guests
        the link admitted, at once."""
        parsed = self.invites.parse_invites(invites)
        with self.database.write():
            call = self._party_call(call_id, user_id)
            now = utcnow()
            self.invites.invitation_id(call.id, now)
            self.invites.dao.replace_invites(call.id, parsed)
            outcome = self._drop_lapsed_guests(call, now)
            view = self.invites.view(call.id, now, self._guests_supported(call))
        self._publish(outcome)
        return self._info(outcome.call), view

    @metered
    def revoke_invitation(self, call_id: str, user_id: str) -> Invitation:
        """A new invitation id: the old link admits nobody any more, and the guests it admitted are out at once."""
        with self.database.write():
            call = self._party_call(call_id, user_id)
            now = utcnow()
            self.invites.renew_invitation_id(call.id, now)
            outcome = self._drop_lapsed_guests(call, now)
            view = self.invites.view(call.id, now, self._guests_supported(call))
        self._publish(outcome)
        log.info("%s: invite link revoked by %s", call_id, user_id)
        return view

    def _drop_lapsed_guests(self, call: Call, now) -> lifecycle.Outcome:
        lapsed = self.invites.lapsed_guests(call.id)
        outcome = lifecycle.remove_guests(call, lapsed, now)
        self._persist(call, outcome)
        self.invites.dao.remove_guests(lapsed)
        return outcome

    @metered
    def check_invite(self, call_id: str, user_id: str, invite_id: str) -> bool:
        """Whether ``user_id`` may join the call by this invitation id. False for an unknown call too (no
        probing), and for guests (they hold a session for one call and never a second invite)."""
        if not call_id or not invite_id or is_guest(user_id):
            return False
        with self.database.read():
            if self.calls.get(call_id) is None or not self.invites.matches(call_id, invite_id):
                return False
            return self.invites.invites_user(call_id, user_id)

    @metered
    def accept_invite(self, call_id: str, user_id: str, invite_id: str) -> CallInfo:
        """A signed-in user invited by the link becomes a participant (rung if the call runs); they then join like
        anyone else. A party already is one: nothing changes."""
        self.get_user_info(user_id)
        if not self.check_invite(call_id, user_id, invite_id):
            raise AccessDenied(f"the invite link does not let user '{user_id}' into call '{call_id}'")
        with self.database.write():
            call = self._locked(call_id)
            if call.participant(user_id) is not None or self._is_owner_member(call, user_id):
                outcome = lifecycle.Outcome(call)
            else:
                outcome = lifecycle.invite(call, [*call.participant_ids(), user_id], utcnow())
                self._persist(call, outcome)
        self._publish(outcome)
        return self._info(outcome.call)

    @metered
    def add_guest(self, call_id: str, invite_id: str, display_name: str) -> tuple[GuestInfo, CallInfo]:
        """An external guest with the link joins a running group call under a display name: the link must invite
        everyone and the call's connector support guests. Answers as an unknown call when the id does not match."""
        with self.database.write():
            call = self._locked(call_id)
            if not self.invites.matches(call.id, invite_id):
                raise CallNotFound(f"call '{call_id}' not found")
            if not self.invites.invites_everyone(call.id):
                raise AccessDenied(f"the invite link of call '{call_id}' does not admit guests: it invites named "
                                   f"users and spaces only")
            if not self._guests_supported(call):
                raise AccessDenied(f"the {call.provider_type} connector does not support guests")
            if call.state != CallState.STARTED:
                raise CallStateError(f"call '{call_id}' is {call.state}: guests join running calls only",
                                     state=str(call.state), action=str(lifecycle.Action.ADD_GUEST))
            if len(self.invites.dao.guests(call.id)) >= MAX_GUESTS_PER_CALL:
                raise CallFull(f"call '{call_id}' already admitted {MAX_GUESTS_PER_CALL} guests, the most one call "
                               f"takes")
            guest = GuestInfo(new_guest_id(), call.id, display_name)
            outcome = lifecycle.add_guest(call, guest.id, utcnow())
            self.invites.dao.add_guest(StoredGuest(guest.id, call.id, guest.display_name, invite_id), utcnow())
            self._persist(call, outcome)
        self._publish(outcome)
        log.info("%s: guest %s admitted by the invite link", call_id, guest.id)
        return guest, self._info(outcome.call)

    def get_guest(self, guest_id: str) -> GuestInfo | None:
        """The guest while still admitted (link not revoked, still inviting everyone, a participant of a running
        call); None once any of that ends, which ends their session."""
        if not is_guest(guest_id):
            return None
        with self.database.read():
            guest = self.invites.guest(guest_id)
            if guest is None or not self.invites.guest_admitted(guest):
                return None
            call = self.calls.get(guest.call_id)
        if call is None or call.state != CallState.STARTED or call.participant(guest_id) is None:
            return None
        return GuestInfo(guest.guest_id, guest.call_id, guest.display_name)

    def end_if_guests_alone(self, call_id: str, grace_seconds: float) -> CallInfo | None:
        """Stop a call left to its guests for ``grace_seconds``; None when the call is gone or has a member in.

        Asked at every ping of every guest's socket: a read decides first, so the usual answer ("a member is still
        in") takes no write lock and writes no metrics line."""
        with self.database.read():
            stored = self.calls.get(call_id)
        joined = [p.user_id for p in stored.participants if p.state == ParticipantState.JOINED] if stored else []
        if not joined or not all(is_guest(user_id) for user_id in joined):
            return None
        with self.database.write():
            try:
                call = self._locked(call_id)
            except CallNotFound:
                return None
            outcome = lifecycle.end_guests_alone(call, utcnow(), dt.timedelta(seconds=grace_seconds))
            self._persist(call, outcome)
        self._publish(outcome)
        return self._info(outcome.call)

    def find_org_identities(self, user_id: str, name: str, limit: int = 20) -> list[dict]:
        """Users and spaces whose name matches, for the invite dialog (the original's ``get_org_identities``):
        only spaces the asker belongs to (or every space, for an administrator)."""
        user = self.get_user_info(user_id)
        text = name.strip().lower()
        users = [{"id": u.id, "type": "user", "title": u.title} for u in self.identities.find_users(text, limit)]
        spaces = [{"id": s.id, "type": "group", "title": s.title} for s in self.identities.list_spaces()
                  if (s.is_member(user_id) or user.is_admin)
                  and (text in s.id.lower() or text in s.title.lower())]
        return (users + spaces)[:limit]

    # ---- space settings ----
    #
    # Issue 12: the rules are webconferencing.spaces' (managers and administrators change them, members are told).

    @cached_property
    def space_settings(self) -> SpaceSettings:
        return SpaceSettings(self.database, self.identities, self.broker, self.get_providers)

    @metered
    def get_active_providers_for_space(self, space_id: str, user_id: str) -> list[ActiveCallProvider]:
        self.space_settings.readable_space(user_id, space_id)
        return self.space_settings.active_providers(space_id)

    @metered
    def save_active_call_provider(self, space_id: str, user_id: str, data: dict) -> ActiveCallProvider:
        return self.space_settings.save_provider(user_id, space_id, data)

    @metered
    def remove_active_call_provider(self, space_id: str, user_id: str, connector_id: str) -> None:
        self.space_settings.remove_provider(user_id, space_id, connector_id)

    @metered
    def update_video_conference_enabled(self, space_id: str, user_id: str, enabled: bool) -> bool:
        return self.space_settings.set_enabled(user_id, space_id, enabled)

    @metered
    def is_video_conference_enabled(self, space_id: str, user_id: str) -> bool:
        self.space_settings.readable_space(user_id, space_id)
        return self.space_settings.is_enabled(space_id)


def _notify(listener: UserCallListener, event: Event) -> None:
    try:
        if isinstance(event, CallStateChanged):
            listener.on_call_state(event.call_id, event.provider_type, event.state, event.owner_id, event.owner_type)
        elif isinstance(event, ParticipantJoined):
            listener.on_participant_joined(event.call_id, event.provider_type, event.owner_id, event.owner_type,
                                           event.part_id)
        elif isinstance(event, ParticipantLeft):
            listener.on_participant_leaved(event.call_id, event.provider_type, event.owner_id, event.owner_type,
                                           event.part_id)
        elif isinstance(event, CallMissed):
            listener.on_call_missed(event.call_id, event.provider_type, event.owner_id, event.owner_type,
                                    event.caller_id)
    except Exception:
        log.exception("User call listener %r failed on %s", listener, event.event_type)


def _model(stored: StoredCall, clients: dict[str, set[str]]) -> Call:
    """A stored call as the lifecycle's value (``clients``: the joined tabs per user, when read)."""
    return Call(stored.id, stored.provider_type, stored.owner_id, stored.owner_type, stored.title,
                CallState(stored.state), _utc(stored.created), _utc(stored.last_date),
                tuple(Participant(p.user_id, ParticipantState(p.state) if p.state else None, p.client_id,
                                  frozenset(clients.get(p.user_id, ())), _utc(p.joined_at))
                      for p in stored.participants))


def _joined(part: Participant) -> dt.datetime | None:
    return _naive(part.joined_at) if part.joined_at is not None else None


def _naive(value: dt.datetime) -> dt.datetime:
    """Naive UTC, as stored: read dates may be aware."""
    return value.astimezone(dt.timezone.utc).replace(tzinfo=None) if value.tzinfo else value


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
