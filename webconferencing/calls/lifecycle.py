"""The rules of calls, in one place: what each action does to a call and its participants, and who is told.

Every function here is pure: it takes a :class:`~.model.Call` (as locked and read by the service) and an action's
arguments, and returns an :class:`Outcome` (the new call, or ``None`` when the call is gone, plus the events to
publish), or raises an error naming the current state. The service only locks, applies, persists and publishes.

The rules, as a newcomer asks them:

* **create**: a call starts ``started`` with every participant invited (ringing); all are told ``call_state:
  started``.
* **join** (a tab answers): the participant becomes ``joined``; everyone hears ``call_joined`` (not for a second tab
  of someone already in). Their first join of this run is remembered (``joined_at``, kept after they leave): the
  call history tells answered calls by it. A member of the owning space or room who was not invited is added.
  Anyone else is told the call does not exist. Joining a ``stopped`` call starts it again: the others are invited afresh and rung.
  A provider's participant limit counts joined participants.
* **start**: the same as joining, asked as "start this call"; on a running call it simply joins.
* **leave** (a tab hangs up) and **expire** (a tab vanished and did not come back within the grace period, or its
  server died): the user leaves when their last tab does; everyone hears ``call_leaved``. A group call with nobody
  joined stops (``ended``), and the members it still rang get ``call_missed``. A 1:1 call with at most one person
  still in stops **and is deleted**: ``hung_up`` when it was answered, ``cancelled`` when the caller gives up before
  an answer, ``declined`` when the callee refuses.
  Leaving a stopped call changes nothing.
* **decline** (an invited participant refuses): a 1:1 call stops and is deleted (``declined``); in a group call only
  the decliner stops ringing (on every tab): they are told ``call_state: stopped`` with reason ``declined``.
* **stop**: everyone leaves, the call is ``stopped`` (``ended`` unless told another reason); ``remove`` deletes it.
  Members a group call still rang get ``call_missed``.
* **who calls**: ``call_state: started`` names the ``caller`` when known: who placed the call, restarted it, or
  (for newcomers invited into it) who joined it first.
* **invite**: a group call's invitees change; newcomers to a running call are rung, the removed are told they left.
* **add guest** (issue 12): someone without an account, admitted by the call's invite link, becomes a participant of a
  running group call (invited, not rung: they are the one asking); they join like anyone else.
* **remove guests**: the link was revoked (or the call no longer invites everyone with it): the guests are out at
  once, everyone hears ``call_leaved`` for each (the guests too, so their pages stop); a call nobody is joined to
  any more stops.
* **end guests alone**: a running call whose joined participants are all guests, unchanged for the grace period,
  stops (``ended``): the original's connector stopped such calls from the browser, here the server does.

The transition tables below are the contract; each function checks its result against them, so a rule change that
forgets the table fails loudly.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from enum import StrEnum
from typing import Iterable

from ..errors import CallFull, CallNotFound, CallStateError, InvalidCallArgument
from ..info import CallState, ParticipantState
from .events import CallMissed, CallStateChanged, EndReason, Event, ParticipantJoined, ParticipantLeft
from .guests import is_guest
from .model import Call, Participant

log = logging.getLogger("webconferencing.calls")


class Action(StrEnum):
    CREATE = "create"
    JOIN = "join"
    START = "start"
    LEAVE = "leave"
    EXPIRE = "expire"
    DECLINE = "decline"
    STOP = "stop"
    INVITE = "invite"
    RING_TIMEOUT = "ring timeout"
    ADD_GUEST = "add guest"
    REMOVE_GUESTS = "remove guests"
    END_GUESTS_ALONE = "end guests alone"


# The call's side of the lifecycle. NEW is "no such call yet", DELETED "the call is gone".
NEW = "new"
DELETED = "deleted"
STARTED = CallState.STARTED.value
STOPPED = CallState.STOPPED.value

CALL_TRANSITIONS: dict[tuple[str, Action], frozenset[str]] = {
    (NEW, Action.CREATE): frozenset({STARTED}),
    (STARTED, Action.JOIN): frozenset({STARTED}),
    (STOPPED, Action.JOIN): frozenset({STARTED}),
    (STARTED, Action.START): frozenset({STARTED}),
    (STOPPED, Action.START): frozenset({STARTED}),
    (STARTED, Action.LEAVE): frozenset({STARTED, STOPPED, DELETED}),
    (STOPPED, Action.LEAVE): frozenset({STOPPED}),
    (STARTED, Action.EXPIRE): frozenset({STARTED, STOPPED, DELETED}),
    (STOPPED, Action.EXPIRE): frozenset({STOPPED}),
    (STARTED, Action.DECLINE): frozenset({STARTED, DELETED}),
    (STARTED, Action.STOP): frozenset({STOPPED, DELETED}),
    (STOPPED, Action.STOP): frozenset({STOPPED, DELETED}),
    (STARTED, Action.INVITE): frozenset({STARTED}),
    (STOPPED, Action.INVITE): frozenset({STOPPED}),
    (STARTED, Action.RING_TIMEOUT): frozenset({STARTED, DELETED}),
    (STARTED, Action.ADD_GUEST): frozenset({STARTED}),
    (STARTED, Action.REMOVE_GUESTS): frozenset({STARTED, STOPPED}),
    (STOPPED, Action.REMOVE_GUESTS): frozenset({STOPPED}),
    (STARTED, Action.END_GUESTS_ALONE): frozenset({STARTED, STOPPED}),
    (STOPPED, Action.END_GUESTS_ALONE): frozenset({STOPPED}),
}

# The participant's side. INVITED is the original's "no state" (null on the wire): rung, not answered.
INVITED = "invited"
JOINED = ParticipantState.JOINED.value
LEAVED = ParticipantState.LEAVED.value

PARTICIPANT_TRANSITIONS: dict[tuple[str, Action], frozenset[str]] = {
    (INVITED, Action.JOIN): frozenset({JOINED}),
    (LEAVED, Action.JOIN): frozenset({JOINED}),
    (JOINED, Action.JOIN): frozenset({JOINED}),           # another tab of someone already in
    (INVITED, Action.LEAVE): frozenset({LEAVED}),         # the callee will not come
    (LEAVED, Action.LEAVE): frozenset({LEAVED}),
    (JOINED, Action.LEAVE): frozenset({JOINED, LEAVED}),  # still in through another tab, or out
    (INVITED, Action.EXPIRE): frozenset({INVITED}),       # no tab of theirs is in it: a vanished tab is another call's
    (LEAVED, Action.EXPIRE): frozenset({LEAVED}),
    (JOINED, Action.EXPIRE): frozenset({JOINED, LEAVED}),
    (INVITED, Action.DECLINE): frozenset({LEAVED}),
    (LEAVED, Action.DECLINE): frozenset({LEAVED}),        # declined on another tab already
    (INVITED, Action.RING_TIMEOUT): frozenset({LEAVED}),  # nobody answered: a missed call
}


@dataclass(frozen=True)
class Outcome:
    """The result of one action: the call after it (``None`` once deleted) and what its parties must be told.
    ``active_users`` used the call just now (a group call moves to the top of their history)."""

    call: Call | None
    events: tuple[Event, ...] = ()
    active_users: tuple[str, ...] = ()
    #: the call's state before and after (``new`` ... ``deleted``), equal when the call itself did not change state
    change: tuple[str, str] = ("", "")

    @property
    def deleted(self) -> bool:
        return self.call is None

    @property
    def started(self) -> bool:
        """The call went running (created, or started again)."""
        return self.change[0] != STARTED and self.change[1] == STARTED

    @property
    def stopped(self) -> bool:
        """A running call stopped (or was deleted while running)."""
        return self.change[0] == STARTED and self.change[1] in (STOPPED, DELETED)


def call_state(call: Call | None) -> str:
    return DELETED if call is None else str(call.state)


def participant_state(part: Participant | None) -> str:
    return INVITED if part is None or part.state is None else str(part.state)


def _allowed(call: Call | None, action: Action) -> frozenset[str]:
    state = NEW if call is None else str(call.state)
    targets = CALL_TRANSITIONS.get((state, action))
    if targets is None:
        call_id = call.id if call is not None else "?"
        raise CallStateError(f"cannot {action} call '{call_id}': it is {state}", state=state, action=str(action))
    return targets


def _participant_allowed(call: Call, part: Participant, action: Action) -> frozenset[str]:
    state = participant_state(part)
    targets = PARTICIPANT_TRANSITIONS.get((state, action))
    if targets is None:
        raise CallStateError(f"{part.user_id} cannot {action} call '{call.id}': they are {state}",
                             state=state, action=str(action))
    return targets


def _finish(before: Call | None, after: Call | None, action: Action, detail: str, targets: frozenset[str],
            events: Iterable[Event] = (), active_users: Iterable[str] = ()) -> Outcome:
    """Check the result against the table and log each transition: ``g/x: stopped -> started (join mary/tab1)``."""
    old, new = (NEW if before is None else str(before.state)), call_state(after)
    if new not in targets:  # a rule that disagrees with the table is a bug, never a silent state
        raise AssertionError(f"{action} took call {(before or after).id} from {old} to {new}, "
                             f"the table allows {sorted(targets)}")
    call_id = (after or before).id
    if old != new:
        log.info("%s: %s -> %s (%s %s)", call_id, old, new, action, detail)
    if before is not None and log.isEnabledFor(logging.INFO):  # the comparison only feeds these lines
        parts_after = {p.user_id: p for p in after.participants} if after is not None else {}
        for part in before.participants:
            moved = parts_after.get(part.user_id)
            if moved is not None and participant_state(moved) != participant_state(part):
                log.info("%s %s: %s -> %s (%s %s)", call_id, part.user_id, participant_state(part),
                         participant_state(moved), action, detail)
    return Outcome(after, tuple(events), tuple(dict.fromkeys(active_users)), (old, new))


def _event_base(call: Call, recipients: Iterable[str]) -> dict:
    return {"call_id": call.id, "provider_type": call.provider_type, "owner_id": call.owner_id,
            "owner_type": call.owner_type, "recipients": tuple(recipients)}


def _state_event(call: Call, state: str, reason: EndReason | None = None,
                 to: Iterable[str] | None = None, caller: str | None = None) -> CallStateChanged:
    return CallStateChanged(**_event_base(call, call.participant_ids() if to is None else to), state=state,
                            reason=reason, caller_id=caller)


def _first_joined(call: Call) -> str | None:
    """Who called: the participant who joined this run of the call first (the history's caller too)."""
    joined = [p for p in call.participants if p.joined_at is not None]
    return min(joined, key=lambda p: _naive_utc(p.joined_at)).user_id if joined else None


def _abandoned(before: Call, stopped: Call) -> list[Event]:
    """A group call that stops while members are still rung leaves them a missed call (``call_missed``, told at
    once, as the history counts it); a 1:1 call's callee learns it from the ``cancelled`` reason instead."""
    if not before.is_group or before.state != CallState.STARTED:
        return []
    caller = _first_joined(before)
    return [_missed_event(stopped, uid, caller) for uid in ringing(before) if not is_guest(uid)]


def _joined_event(call: Call, user_id: str) -> ParticipantJoined:
    return ParticipantJoined(**_event_base(call, call.participant_ids()), part_id=user_id)


def _left_event(call: Call, user_id: str, reason: EndReason | None = None) -> ParticipantLeft:
    return ParticipantLeft(**_event_base(call, call.participant_ids()), part_id=user_id, reason=reason)


def _hidden(call_id: str) -> CallNotFound:
    """What a non-party hears: exactly what an unknown call answers, so ids cannot be probed."""
    return CallNotFound(f"call '{call_id}' not found")


# ---- actions --------------------------------------------------------------------------------------------------


def create(call_id: str, provider_type: str, owner_id: str, owner_type: str, title: str,
           participants: Iterable[str], now: dt.datetime, *, caller: str | None = None) -> Outcome:
    """A new call, started, everyone invited and rung; ``caller`` (who placed it) is named in the ring."""
    targets = _allowed(None, Action.CREATE)
    ids = tuple(dict.fromkeys(participants))
    call = Call(call_id, provider_type, owner_id, owner_type, title, CallState.STARTED, now, now,
                tuple(Participant(uid) for uid in ids))
    active = ids if call.is_group else ()
    return _finish(None, call, Action.CREATE, "by " + (caller or (ids[0] if ids else "?")), targets,
                   [_state_event(call, STARTED, caller=caller)], active)


def join(call: Call, user_id: str, client_id: str, now: dt.datetime, *, is_member: bool = False,
         max_participants: int | None = None, action: Action = Action.JOIN) -> Outcome:
    """A tab of ``user_id`` enters the call (``is_member``: the user belongs to the owning space or room)."""
    targets = _allowed(call, action)
    part = call.participant(user_id)
    if part is None:
        if not (call.is_group and is_member):
            raise _hidden(call.id)
        part = Participant(user_id)
    _participant_allowed(call, part, Action.JOIN)
    if not part.joined and max_participants is not None and call.joined_count() >= max_participants:
        raise CallFull(f"call '{call.id}' already has {call.joined_count()} participants, the most its provider "
                       f"allows ({max_participants})")
    events: list[Event] = []
    after = call
    if call.state != CallState.STARTED:  # starting again: everyone else is invited afresh and rung
        after = after.replace(state=CallState.STARTED, participants=tuple(
            p.replace(state=None, client_id=None, clients=frozenset(), joined_at=None) for p in after.participants))
        part = after.participant(user_id) or part.replace(joined_at=None)
    after = after.with_participant(part.replace(state=ParticipantState.JOINED, client_id=client_id,
                                                clients=part.clients | {client_id},
                                                joined_at=part.joined_at or now))
    after = after.replace(last_date=now)
    if call.state != CallState.STARTED:
        events.append(_state_event(after, STARTED, caller=user_id))
    if not part.joined:
        events.append(_joined_event(after, user_id))
    return _finish(call, after, action, f"{user_id}/{client_id}", targets, events,
                   [user_id] if call.is_group else ())


def start(call: Call, user_id: str, client_id: str, now: dt.datetime, *, is_member: bool = False,
          max_participants: int | None = None) -> Outcome:
    """Start a stopped call again, the starter joining it; on a running call this is a join."""
    return join(call, user_id, client_id, now, is_member=is_member, max_participants=max_participants,
                action=Action.START)


def leave(call: Call, user_id: str, client_id: str, now: dt.datetime, *, action: Action = Action.LEAVE) -> Outcome:
    """A tab of ``user_id`` leaves; see the module's rules for when the call stops or is deleted."""
    targets = _allowed(call, action)
    part = call.participant(user_id)
    if part is None:
        raise _hidden(call.id)
    part_targets = _participant_allowed(call, part, action)
    if call.state != CallState.STARTED:
        return _finish(call, call, action, f"{user_id}/{client_id}", targets)
    if action is Action.EXPIRE and client_id not in part.clients:
        # not (or no longer) a tab of this call: call ids are reused (p/<a>-<b>, g/<space>), so a tab that vanished
        # from an ended call must not take its user out of the new call of the same id
        return _finish(call, call, action, f"{user_id}/{client_id}", targets)
    remaining = part.clients - {client_id}
    if part.joined and remaining:  # still in through another tab
        shown = part.client_id if part.client_id in remaining else sorted(remaining)[0]
        after = call.with_participant(part.replace(client_id=shown, clients=remaining))
        return _finish(call, after, action, f"{user_id}/{client_id}", targets)
    if LEAVED not in part_targets:
        raise AssertionError(f"{action} cannot take {user_id} out of call {call.id}")
    after = call.with_participant(part.replace(state=ParticipantState.LEAVED, client_id=None,
                                               clients=frozenset())).replace(last_date=now)
    events: list[Event] = []
    if part.joined:
        events.append(_left_event(after, user_id))
    still_in = [p for p in after.participants if p.joined]
    if not call.is_group and len(still_in) <= 1:
        reason = _peer_end_reason(call, part)
        stopped = everyone_out(after)
        events.append(_state_event(stopped, STOPPED, reason))
        return _finish(call, None, action, f"{user_id}/{client_id}", targets, events)
    if call.is_group and not still_in:
        stopped = everyone_out(after)
        events.append(_state_event(stopped, STOPPED, EndReason.ENDED))
        events += _abandoned(after, stopped)
        return _finish(call, stopped, action, f"{user_id}/{client_id}", targets, events)
    return _finish(call, after, action, f"{user_id}/{client_id}", targets, events)


def expire(call: Call, user_id: str, client_id: str, now: dt.datetime) -> Outcome:
    """A tab vanished (its grace period ran out, or the process holding it died): it leaves as if it hung up, when
    it is one of the tabs its user is in the call through."""
    return leave(call, user_id, client_id, now, action=Action.EXPIRE)


def decline(call: Call, user_id: str, now: dt.datetime) -> Outcome:
    """An invited participant refuses the call."""
    targets = _allowed(call, Action.DECLINE)
    part = call.participant(user_id)
    if part is None:
        raise _hidden(call.id)
    _participant_allowed(call, part, Action.DECLINE)
    if part.state == ParticipantState.LEAVED:
        return _finish(call, call, Action.DECLINE, user_id, targets)
    after = call.with_participant(part.replace(state=ParticipantState.LEAVED, client_id=None,
                                               clients=frozenset())).replace(last_date=now)
    if not call.is_group:
        stopped = everyone_out(after)
        return _finish(call, None, Action.DECLINE, user_id, targets,
                       [_state_event(stopped, STOPPED, EndReason.DECLINED)])
    return _finish(call, after, Action.DECLINE, user_id, targets,
                   [_state_event(after, STOPPED, EndReason.DECLINED, to=[user_id])])


def stop(call: Call, now: dt.datetime, *, remove: bool = False, reason: EndReason = EndReason.ENDED,
         by: str = "") -> Outcome:
    """Stop the call for everyone; ``remove`` also deletes it (1:1 calls)."""
    targets = _allowed(call, Action.STOP)
    after = everyone_out(call).replace(last_date=now)
    events = [_state_event(after, STOPPED, reason)] if call.state != CallState.STOPPED else []
    events += _abandoned(call, after)
    return _finish(call, None if remove else after, Action.STOP, by or str(reason), targets, events)


def stop_reason(call: Call, user_id: str) -> EndReason:
    """Why a call ends when ``user_id`` asks to stop (or delete) it: a callee who never answered declines it, a
    caller alone in an unanswered call cancels it; otherwise it ended."""
    part = call.participant(user_id)
    if part is None or call.state != CallState.STARTED:
        return EndReason.ENDED
    others_joined = any(p.joined for p in call.participants if p.user_id != user_id)
    if not part.joined and others_joined and not call.is_group:
        return EndReason.DECLINED
    if part.joined and not others_joined:
        return EndReason.CANCELLED
    return EndReason.ENDED


def invite(call: Call, participants: Iterable[str], now: dt.datetime) -> Outcome:
    """Replace the invitees of a group call; newcomers to a running call are rung, the removed told they left."""
    targets = _allowed(call, Action.INVITE)
    new_ids = tuple(dict.fromkeys(participants))
    if not call.is_group:
        if sorted(new_ids) != sorted(call.participant_ids()):
            raise InvalidCallArgument("the participants of a 1:1 call cannot change", field="participants")
        return _finish(call, call.replace(last_date=now), Action.INVITE, "same", targets)
    removed = [p.user_id for p in call.participants if p.user_id not in new_ids]
    added = [uid for uid in new_ids if call.participant(uid) is None]
    events: list[Event] = [_left_event(call, uid) for uid in removed]  # told while listed: the removed hear it
    kept = tuple(p for p in call.participants if p.user_id not in removed)
    after = call.replace(participants=kept + tuple(Participant(uid) for uid in added), last_date=now)
    if added and call.state == CallState.STARTED:
        events.append(_state_event(after, STARTED, to=added, caller=_first_joined(call)))
    return _finish(call, after, Action.INVITE, f"+{added} -{removed}", targets, events)


# ---- guests (issue 12) ------------------------------------------------------------------------------------------


def add_guest(call: Call, guest_id: str, now: dt.datetime) -> Outcome:
    """A guest admitted by the invite link becomes a participant of a running group call."""
    targets = _allowed(call, Action.ADD_GUEST)
    if not call.is_group:
        raise InvalidCallArgument(f"call '{call.id}' is a 1:1 call: only group calls take guests", field="callId")
    if not is_guest(guest_id):
        raise InvalidCallArgument(f"'{guest_id}' is not a guest id", field="guestId")
    if call.participant(guest_id) is not None:
        return _finish(call, call, Action.ADD_GUEST, guest_id, targets)
    after = call.with_participant(Participant(guest_id)).replace(last_date=now)
    return _finish(call, after, Action.ADD_GUEST, guest_id, targets)


def remove_guests(call: Call, guest_ids: Iterable[str], now: dt.datetime) -> Outcome:
    """The guests named leave the call's participants at once; a call nobody is joined to any more stops."""
    targets = _allowed(call, Action.REMOVE_GUESTS)
    gone = [p for p in call.participants if p.user_id in set(guest_ids) and is_guest(p.user_id)]
    if not gone:
        return _finish(call, call, Action.REMOVE_GUESTS, "none", targets)
    events: list[Event] = [_left_event(call, p.user_id, EndReason.ENDED) for p in gone]  # told while listed
    after = call.replace(participants=tuple(p for p in call.participants if p not in gone), last_date=now)
    still_in = any(p.joined for p in after.participants)
    if call.state == CallState.STARTED and any(p.joined for p in gone) and not still_in:
        stopped = everyone_out(after)
        events.append(_state_event(stopped, STOPPED, EndReason.ENDED))
        events += _abandoned(after, stopped)
        after = stopped
    return _finish(call, after, Action.REMOVE_GUESTS, f"-{[p.user_id for p in gone]}", targets, events)


def guests_alone(call: Call) -> bool:
    """A running call where everyone still joined is a guest."""
    joined = [p for p in call.participants if p.joined]
    return call.state == CallState.STARTED and bool(joined) and all(is_guest(p.user_id) for p in joined)


def end_guests_alone(call: Call, now: dt.datetime, grace: dt.timedelta) -> Outcome:
    """Stop a call left to its guests for longer than ``grace`` (since its last change); otherwise nothing."""
    targets = _allowed(call, Action.END_GUESTS_ALONE)
    if not guests_alone(call) or _naive_utc(now) - _naive_utc(call.last_date) < grace:
        return _finish(call, call, Action.END_GUESTS_ALONE, "members still in or within grace", targets)
    after = everyone_out(call).replace(last_date=now)
    return _finish(call, after, Action.END_GUESTS_ALONE, "only guests left", targets,
                   [_state_event(after, STOPPED, EndReason.ENDED), *_abandoned(call, after)])


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    """Stored dates are naive UTC, read ones may be aware: compare them alike."""
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


def ringing(call: Call) -> tuple[str, ...]:
    """Who is still being rung: the invited participants of a running call."""
    if call.state != CallState.STARTED:
        return ()
    return tuple(p.user_id for p in call.participants if p.state is None)


def ring_timeout(call: Call, now: dt.datetime) -> Outcome:
    """Nobody answered in time (the service decides when): see the module's rules."""
    targets = _allowed(call, Action.RING_TIMEOUT)
    unanswered = ringing(call)
    if not unanswered:
        return _finish(call, call, Action.RING_TIMEOUT, "nobody ringing", targets)
    caller = next((p.user_id for p in call.participants if p.joined), None)
    if not call.is_group:
        ended = everyone_out(call).replace(last_date=now)
        events: list[Event] = [_state_event(ended, STOPPED, EndReason.NO_ANSWER)]
        events += [_missed_event(ended, uid, caller) for uid in unanswered]
        return _finish(call, None, Action.RING_TIMEOUT, f"{list(unanswered)} did not answer", targets, events)
    after = call
    for uid in unanswered:
        part = after.participant(uid)
        _participant_allowed(after, part, Action.RING_TIMEOUT)
        after = after.with_participant(part.replace(state=ParticipantState.LEAVED))
    after = after.replace(last_date=now)
    events = [_state_event(after, STOPPED, EndReason.NO_ANSWER, to=unanswered)]
    events += [_missed_event(after, uid, caller) for uid in unanswered]
    return _finish(call, after, Action.RING_TIMEOUT, f"{list(unanswered)} did not answer", targets, events)


def _missed_event(call: Call, user_id: str, caller: str | None) -> CallMissed:
    return CallMissed(**_event_base(call, (user_id,)), caller_id=caller)


# ---- helpers --------------------------------------------------------------------------------------------------


def everyone_out(call: Call) -> Call:
    """The call stopped with nobody in it (joined participants have left, no tab is attached): also how a deleted
    call is shown one last time."""
    return call.replace(state=CallState.STOPPED, participants=tuple(
        p.replace(state=ParticipantState.LEAVED, client_id=None, clients=frozenset()) if p.joined else
        p.replace(client_id=None, clients=frozenset()) for p in call.participants))


def _peer_end_reason(call: Call, leaving: Participant) -> EndReason:
    """A 1:1 call ends as soon as one side leaves: why, from the leaver's state before leaving."""
    other = next((p for p in call.participants if p.user_id != leaving.user_id), None)
    if not leaving.joined:
        return EndReason.DECLINED          # the callee would not come
    if other is not None and other.joined:
        return EndReason.HUNG_UP           # an answered call, hung up
    return EndReason.CANCELLED             # the caller gave up before an answer
