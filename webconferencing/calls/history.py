"""Call history (issue 11): which entries a lifecycle outcome leaves in its parties' histories.

Pure, like the lifecycle: the call before an action, the action's :class:`~.lifecycle.Outcome` and the time in,
the entries out. The service writes them in the same transaction as the call change, so the history cannot miss an
end nor record one that was rolled back.

A call *ends for a user* when they were active in a running call (rung, or joined) and no longer are after the
action: the call stopped or was deleted, they left, their ringing stopped (declined, no answer) or they were
removed from the invitees. A group call that goes on without them still ends for them.

* **answered**: the user joined at some point of this run of the call, and someone else did too (a 1:1 call was
  answered by its callee; a group starter alone never was). The lifecycle remembers ``Participant.joined_at``.
* **incoming / outgoing**: the caller is the participant who joined first in this run (the one who placed or
  restarted the call; the owner of a 1:1 call when nobody joined).
* not answered, outgoing: ``declined`` when the callee declined, ``missed`` when nobody answered in time, else
  ``cancelled`` (the caller gave up).
* not answered, incoming: ``declined`` when this user declined, else ``missed`` (no answer, or the caller gave up:
  Nextcloud Talk and Rocket.Chat both show that as a missed call).

``durationSeconds`` counts from the answer (the later of the user's join and the first join of someone else) to the
end; it is 0 for a call that was not answered.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from ..info import CallState
from .events import CallStateChanged, EndReason
from .lifecycle import Outcome
from .model import Call, Participant

MAX_PARTIES = 50  # other parties kept per entry: a space call may invite hundreds, the history shows a few


class Direction(StrEnum):
    INCOMING = "incoming"
    OUTGOING = "outgoing"


class HistoryOutcome(StrEnum):
    ANSWERED = "answered"
    MISSED = "missed"
    DECLINED = "declined"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class HistoryEntry:
    """One call as one user lived it. Times are naive UTC (as stored)."""

    user_id: str
    call_id: str
    provider_type: str
    title: str
    owner_id: str
    owner_type: str
    direction: Direction
    outcome: HistoryOutcome
    started_at: dt.datetime
    ended_at: dt.datetime
    duration_seconds: int
    parties: tuple[str, ...]


def entries(before: Call | None, outcome: Outcome, now: dt.datetime) -> list[HistoryEntry]:
    """The entries for every user the action ended the call for (none for a call that was not running)."""
    if before is None or before.state != CallState.STARTED:
        return []
    after = outcome.call
    ended_for = [part for part in before.participants
                 if _active(part) and not _still_active(after, part.user_id)]
    if not ended_for:  # most actions (every join) end the call for nobody: nothing more to work out
        return []
    joined_at = _joined_times(before, after)
    caller = _caller(before, joined_at)
    reasons = _reasons(outcome)
    run_start = min(joined_at.values(), default=None) or before.created
    ended = _naive_utc(now)
    result = []
    for part in ended_for:
        answered_at = _answered_at(part.user_id, joined_at)
        direction = Direction.OUTGOING if part.user_id == caller else Direction.INCOMING
        result.append(HistoryEntry(
            user_id=part.user_id, call_id=before.id, provider_type=before.provider_type, title=before.title,
            owner_id=before.owner_id, owner_type=before.owner_type, direction=direction,
            outcome=_outcome(answered_at is not None, direction, reasons.get(part.user_id)),
            started_at=_naive_utc(run_start), ended_at=ended,
            duration_seconds=max(0, int((ended - answered_at).total_seconds())) if answered_at else 0,
            parties=tuple(uid for uid in before.participant_ids() if uid != part.user_id)[:MAX_PARTIES]))
    return result


def _active(part: Participant) -> bool:
    return part.state is None or part.joined


def _still_active(after: Call | None, user_id: str) -> bool:
    if after is None or after.state != CallState.STARTED:
        return False
    part = after.participant(user_id)
    return part is not None and _active(part)


def _joined_times(before: Call, after: Call | None) -> dict[str, dt.datetime]:
    """Who joined this run of the call, and when: the action itself may be the join that ends nothing, so the
    later view wins where there is one."""
    times = {p.user_id: _naive_utc(p.joined_at) for p in before.participants if p.joined_at is not None}
    if after is not None and after.state == CallState.STARTED:
        times.update({p.user_id: _naive_utc(p.joined_at) for p in after.participants if p.joined_at is not None})
    return times


def _caller(call: Call, joined_at: dict[str, dt.datetime]) -> str | None:
    if joined_at:
        return min(joined_at, key=lambda uid: joined_at[uid])
    if not call.is_group:
        return call.owner_id
    return call.participants[0].user_id if call.participants else None


def _answered_at(user_id: str, joined_at: dict[str, dt.datetime]) -> dt.datetime | None:
    own = joined_at.get(user_id)
    others = [when for uid, when in joined_at.items() if uid != user_id]
    if own is None or not others:
        return None
    return max(own, min(others))


def _reasons(outcome: Outcome) -> dict[str, EndReason]:
    """Why ringing or the call stopped, per user told so."""
    reasons: dict[str, EndReason] = {}
    for event in outcome.events:
        if isinstance(event, CallStateChanged) and event.state == CallState.STOPPED and event.reason is not None:
            for uid in event.recipients:
                reasons.setdefault(uid, event.reason)
    return reasons


def _outcome(answered: bool, direction: Direction, reason: EndReason | None) -> HistoryOutcome:
    if answered:
        return HistoryOutcome.ANSWERED
    if reason == EndReason.DECLINED:
        return HistoryOutcome.DECLINED
    if direction == Direction.OUTGOING:
        return HistoryOutcome.MISSED if reason == EndReason.NO_ANSWER else HistoryOutcome.CANCELLED
    return HistoryOutcome.MISSED


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
