"""A user's feed in one process: their user-channel events, numbered, and the recent ones kept for replay.

Why: a tab that drops and reconnects within the grace period (same ``clientId``) used to lose whatever was published
on its user channel in between, such as the incoming call it was waiting for. Each event that reaches this process
for a user with tabs here gets a sequence id (``seq``: increasing, unique in the process); the feed keeps the last
``max_events`` of them, none older than ``max_age`` seconds. A reconnecting tab gets the events after the last one it
was handed (or after the ``lastSeq`` it names), in order and once; if some of those were already dropped from the
buffer, it is told to refresh its state instead (see docs/protocol.md, "Resume").

Anchors: Nextcloud signaling's ``resumeid``, CometD's acknowledge extension.
"""
from __future__ import annotations

import itertools
import time
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from exo_container.errors import InvalidProperty

RESUME_EVENTS = "webconferencing.ws.resume.events"
RESUME_SECONDS = "webconferencing.ws.resume.seconds"


@dataclass(frozen=True)
class ResumeSettings:
    """How much of each user's feed a process keeps for tabs that reconnect: at most ``events``, none older than
    ``seconds`` (keep it above the grace period, or a tab returning late in its grace is told to refresh)."""

    events: int = 100
    seconds: float = 120.0

    @classmethod
    def from_properties(cls, props: Mapping[str, str]) -> "ResumeSettings":
        return cls(events=int(_positive(props, RESUME_EVENTS, cls.events, int)),
                   seconds=float(_positive(props, RESUME_SECONDS, cls.seconds, float)))


def _positive(props: Mapping[str, str], name: str, default: float, kind: type) -> float:
    raw = (props.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise InvalidProperty(name, f"'{raw}' is not a {kind.__name__}") from None
    if value <= 0:
        raise InvalidProperty(name, f"{value} must be positive")
    return value


#: process-wide, so a seq never repeats even when a user's feed is dropped and made again
_sequence = itertools.count(1)


@dataclass(frozen=True)
class FeedEvent:
    seq: int
    at: float  # monotonic
    data: Any


class UserFeed:
    """Not thread-safe: the hub calls it under its lock."""

    def __init__(self, user_id: str, max_events: int, max_age: float,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if max_events < 1 or max_age <= 0:
            raise ValueError("a feed keeps at least one event for some time")
        self.user_id = user_id
        self.max_events = max_events
        self.max_age = max_age
        self._clock = clock
        self._events: deque[FeedEvent] = deque()
        # every event with a seq up to this one may have been dropped from the buffer (or came before the feed)
        self._forgotten_up_to = next(_sequence)

    @property
    def last_seq(self) -> int:
        return self._events[-1].seq if self._events else self._forgotten_up_to

    def append(self, data: Any) -> FeedEvent:
        event = FeedEvent(next(_sequence), self._clock(), data)
        self._events.append(event)
        self._trim()
        return event

    def since(self, seq: int) -> list[FeedEvent] | None:
        """The events after ``seq``, oldest first; None when some of them are no longer kept (a gap)."""
        self._trim()
        if seq < self._forgotten_up_to:
            return None
        return [event for event in self._events if event.seq > seq]

    def _trim(self) -> None:
        oldest = self._clock() - self.max_age
        while self._events and (len(self._events) > self.max_events or self._events[0].at < oldest):
            self._forgotten_up_to = self._events.popleft().seq
