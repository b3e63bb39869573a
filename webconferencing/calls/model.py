"""The call as the lifecycle sees it: immutable values, no database, no broker.

Why a separate model from the storage rows: the lifecycle functions must be pure (a call in, a new call and events
out) so every rule can be tested without I/O, and so the service can persist exactly what changed by comparing the
call before and after.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field

from ..info import CallState, OwnerType, ParticipantState


@dataclass(frozen=True)
class Participant:
    """A party of a call. ``state`` None means invited (ringing, not answered yet). ``clients`` are the browser
    tabs the user joined from; ``client_id`` is the one shown in the call (the latest that joined). ``joined_at``
    remembers when they first joined this run of the call, after they left too: whether and when a call was answered
    (its history, issue 11)."""

    user_id: str
    state: ParticipantState | None = None
    client_id: str | None = None
    clients: frozenset[str] = frozenset()
    joined_at: dt.datetime | None = None

    @property
    def joined(self) -> bool:
        return self.state == ParticipantState.JOINED

    def replace(self, **changes) -> "Participant":
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class Call:
    id: str
    provider_type: str
    owner_id: str
    owner_type: str
    title: str
    state: CallState
    created: dt.datetime
    last_date: dt.datetime
    participants: tuple[Participant, ...] = field(default_factory=tuple)

    @property
    def is_group(self) -> bool:
        return self.owner_type != OwnerType.USER

    def participant(self, user_id: str) -> Participant | None:
        for part in self.participants:
            if part.user_id == user_id:
                return part
        return None

    def participant_ids(self) -> tuple[str, ...]:
        return tuple(p.user_id for p in self.participants)

    def joined_count(self) -> int:
        return sum(p.joined for p in self.participants)

    def with_participant(self, part: Participant) -> "Call":
        """The call with ``part`` replacing the participant of the same user, or appended when new."""
        parts = list(self.participants)
        for index, existing in enumerate(parts):
            if existing.user_id == part.user_id:
                parts[index] = part
                break
        else:
            parts.append(part)
        return dataclasses.replace(self, participants=tuple(parts))

    def replace(self, **changes) -> "Call":
        return dataclasses.replace(self, **changes)
