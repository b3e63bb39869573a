"""Stopped group calls are kept for history (a space's page shows its past calls), but not forever: they expire after
the retention period (``webconferencing.calls.retention.days``). 1:1 calls are deleted when they stop already."""
from __future__ import annotations

import datetime as dt

from .calls import CallDAO
from .models import CallRecord

STOPPED = "stopped"
USER_OWNER = "user"


def expire_stopped_group_calls(before: dt.datetime, limit: int) -> list[str]:
    """Delete up to ``limit`` group calls stopped (last used) before ``before``; their ids. Runs in the caller's
    write transaction; a call restarted meanwhile is no longer stopped and is kept."""
    ids = [cid for (cid,) in CallRecord.select(CallRecord.id)
           .where((CallRecord.state == STOPPED) & (CallRecord.owner_type != USER_OWNER)
                  & (CallRecord.last_date < before))
           .order_by(CallRecord.last_date).limit(limit).tuples()]
    calls = CallDAO()
    for call_id in ids:
        calls.delete(call_id)
    return ids
