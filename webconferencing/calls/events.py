"""What a call's parties are told: typed events, turned into the original's wire form only at the edge.

Why typed: in-process listeners read the fields directly (no camelCase dict built and parsed back), the broker gets
``to_wire()``, and a test compares values instead of dict shapes.
"""
from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

EVENT_CALL_STATE = "call_state"
EVENT_CALL_JOINED = "call_joined"
EVENT_CALL_LEAVED = "call_leaved"
EVENT_CALL_MISSED = "call_missed"


class EndReason(StrEnum):
    """Why a call stopped, or stopped ringing for someone (``reason`` of a ``call_state`` event)."""

    DECLINED = "declined"      # the callee refused the call
    NO_ANSWER = "no_answer"    # nobody answered in time
    HUNG_UP = "hung_up"        # a party left a running 1:1 call
    BUSY = "busy"              # the callee is in another call
    CANCELLED = "cancelled"    # the caller gave up before an answer
    ENDED = "ended"            # stopped for everyone, or the last participant left


@dataclass(frozen=True)
class CallEvent:
    """Common fields: which call, of which provider and owner, and who must hear of it."""

    call_id: str
    provider_type: str
    owner_id: str
    owner_type: str
    recipients: tuple[str, ...]

    event_type = ""

    def _wire(self) -> dict:
        return {"eventType": self.event_type, "callId": self.call_id, "providerType": self.provider_type}

    def _owner(self) -> dict:
        return {"owner": {"id": self.owner_id, "type": self.owner_type}}


@dataclass(frozen=True)
class CallStateChanged(CallEvent):
    """``caller_id``: on ``started``, who rings the recipients (the user who placed, restarted or invited them into
    the call), so a group call's incoming-call dialog can say who is calling, as a 1:1 call's says its owner."""

    state: str
    reason: EndReason | None = None
    caller_id: str | None = None

    event_type = EVENT_CALL_STATE

    def to_wire(self) -> dict:
        wire = {**self._wire(), "callState": self.state, **self._owner()}
        if self.reason is not None:
            wire["reason"] = str(self.reason)
        if self.caller_id is not None:
            wire["caller"] = {"id": self.caller_id}
        return wire


@dataclass(frozen=True)
class ParticipantJoined(CallEvent):
    part_id: str

    event_type = EVENT_CALL_JOINED

    def to_wire(self) -> dict:
        return {**self._wire(), "part": {"id": self.part_id}, **self._owner()}


@dataclass(frozen=True)
class ParticipantLeft(CallEvent):
    part_id: str
    reason: EndReason | None = None

    event_type = EVENT_CALL_LEAVED

    def to_wire(self) -> dict:
        wire = {**self._wire(), "part": {"id": self.part_id}, **self._owner()}
        if self.reason is not None:
            wire["reason"] = str(self.reason)
        return wire


@dataclass(frozen=True)
class CallMissed(CallEvent):
    """Told to a callee whose ringing ended unanswered (``call_missed``), so every tab can show the missed call."""

    caller_id: str | None = None

    event_type = EVENT_CALL_MISSED

    def to_wire(self) -> dict:
        return {**self._wire(), "caller": {"id": self.caller_id}, **self._owner()}


Event = CallStateChanged | ParticipantJoined | ParticipantLeft | CallMissed
