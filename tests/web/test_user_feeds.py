"""A user's feed numbers their user-channel events and keeps the recent ones for tabs that reconnect (the rules of
docs/protocol.md, "Resume"), with an injected clock instead of waiting."""
from __future__ import annotations

import pytest

from webconferencing.web.feeds import ResumeSettings, UserFeed
from exo_container import ConfigurationError


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_events_get_increasing_sequence_ids():
    feed = UserFeed("mary", 10, 60)

    first, second = feed.append({"n": 1}), feed.append({"n": 2})

    assert first.seq < second.seq
    assert feed.last_seq == second.seq


def test_the_events_after_a_seq_come_oldest_first():
    feed = UserFeed("mary", 10, 60)
    seen = feed.append({"n": 1}).seq
    feed.append({"n": 2})
    feed.append({"n": 3})

    assert [event.data for event in feed.since(seen)] == [{"n": 2}, {"n": 3}]


def test_nothing_is_missed_after_the_last_event():
    feed = UserFeed("mary", 10, 60)
    feed.append({"n": 1})

    assert feed.since(feed.last_seq) == []


def test_a_gap_beyond_the_kept_number_of_events_is_reported_as_unknown():
    feed = UserFeed("mary", 2, 60)
    seen = feed.append({"n": 1}).seq
    for n in (2, 3, 4):
        feed.append({"n": n})

    assert feed.since(seen) is None


def test_events_older_than_the_kept_age_are_forgotten():
    clock = Clock()
    feed = UserFeed("mary", 10, 30, clock=clock)
    seen = feed.append({"n": 1}).seq
    feed.append({"n": 2})
    clock.now += 31

    assert feed.since(seen) is None


def test_a_feed_made_after_an_event_cannot_vouch_for_it():
    older = UserFeed("mary", 10, 60)
    seen = older.append({"n": 1}).seq
    newer = UserFeed("mary", 10, 60)  # the user's tabs all left, then one came back

    assert newer.since(seen) is None


def test_sequence_ids_never_repeat_across_feeds():
    one, other = UserFeed("mary", 10, 60), UserFeed("john", 10, 60)

    assert len({one.append({}).seq, other.append({}).seq, one.append({}).seq}) == 3


def test_resume_settings_come_from_the_properties():
    settings = ResumeSettings.from_properties({"webconferencing.ws.resume.events": "5",
                                               "webconferencing.ws.resume.seconds": "7.5"})

    assert (settings.events, settings.seconds) == (5, 7.5)


def test_a_resume_property_that_is_not_positive_is_a_configuration_error_naming_it():
    with pytest.raises(ConfigurationError, match="webconferencing.ws.resume.events"):
        ResumeSettings.from_properties({"webconferencing.ws.resume.events": "0"})
