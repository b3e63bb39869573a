"""Active calls and joined participants, counted in the database when ``/metrics`` is scraped.

Why not gauges moved up and down by the service: calls are shared by every process of a deployment and outlive
any of them (a process that dies with a call in progress could never move its gauge back down). The database
holds the truth for all processes at once, so every process reports the same deployment-wide numbers: aggregate
them with ``max``, never ``sum``. Two grouped counts on indexed columns, once per scrape.
"""
from __future__ import annotations

import logging
from typing import Iterator

from peewee import fn
from prometheus_client.core import GaugeMetricFamily

from webconferencing.info import CallState, ParticipantState
from webconferencing.storage import Database
from webconferencing.storage.models import CallRecord, ParticipantRecord

from .metrics import PREFIX

log = logging.getLogger(__name__)

CENSUS_UP = f"{PREFIX}_census_up"
ACTIVE_CALLS = f"{PREFIX}_active_calls"
JOINED_PARTICIPANTS = f"{PREFIX}_joined_participants"
LABELS = ["provider", "owner_type"]


class CallCensus:
    """A prometheus_client collector: ``collect()`` queries the database (one read transaction)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    def counts(self) -> tuple[dict[tuple[str, str], int], dict[tuple[str, str], int]]:
        """(started calls, joined participants of started calls), by (provider type, owner type)."""
        with self.database.read():
            calls = (CallRecord
                     .select(CallRecord.provider_type, CallRecord.owner_type, fn.COUNT(CallRecord.id))
                     .where(CallRecord.state == CallState.STARTED)
                     .group_by(CallRecord.provider_type, CallRecord.owner_type)
                     .tuples())
            parts = (ParticipantRecord
                     .select(CallRecord.provider_type, CallRecord.owner_type, fn.COUNT(ParticipantRecord.user_id))
                     .join(CallRecord)
                     .where((CallRecord.state == CallState.STARTED)
                            & (ParticipantRecord.state == ParticipantState.JOINED))
                     .group_by(CallRecord.provider_type, CallRecord.owner_type)
                     .tuples())
            active = {(provider, owner): count for provider, owner, count in calls}
            joined = {(provider, owner): count for provider, owner, count in parts}
        return active, joined

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The two families, and ``webconferencing_census_up`` (0 when the database did not answer: the scrape
        still serves every other metric, and the census is missing rather than wrong)."""
        up = GaugeMetricFamily(CENSUS_UP, "1 when the call census could be read from the database, else 0")
        try:
            active, joined = self.counts()
        except Exception as exc:  # noqa: BLE001 - any database failure: report it as a value, log why
            log.warning("Call census failed: %s", exc)
            up.add_metric([], 0)
            yield up
            return
        finally:
            self.database.release()
        up.add_metric([], 1)
        yield up
        yield _family(ACTIVE_CALLS, "Calls in state started, in the whole deployment (shared database)", active)
        yield _family(JOINED_PARTICIPANTS, "Participants joined to a started call, in the whole deployment",
                      joined)


def _family(name: str, documentation: str, counts: dict[tuple[str, str], int]) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=LABELS)
    for (provider, owner_type), count in sorted(counts.items()):
        family.add_metric([provider, owner_type], count)
    return family
