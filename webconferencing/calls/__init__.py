"""The call lifecycle: states, transition tables, pure actions and the typed events they raise.

Read :mod:`.lifecycle` to learn what happens when someone joins, leaves, declines or stops a call.
"""
from .events import (EVENT_CALL_JOINED, EVENT_CALL_LEAVED, EVENT_CALL_STATE, CallEvent, CallStateChanged,
                     EndReason, Event, ParticipantJoined, ParticipantLeft)
from .lifecycle import CALL_TRANSITIONS, PARTICIPANT_TRANSITIONS, Action, Outcome
from .model import Call, Participant

__all__ = ["Action", "CALL_TRANSITIONS", "Call", "CallEvent", "CallStateChanged", "EVENT_CALL_JOINED",
           "EVENT_CALL_LEAVED", "EVENT_CALL_STATE", "EndReason", "Event", "Outcome", "PARTICIPANT_TRANSITIONS",
           "Participant", "ParticipantJoined", "ParticipantLeft"]
