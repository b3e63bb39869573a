"""Reading the call history (issue 11) of a user with many calls: a page, a deep page, the missed-calls count.

Boots the root configuration.xml on a fresh SQLite file (or ``--db-url``), writes ``--calls`` history entries for
mary (and as many for others around her, so the index has to pick her rows out), then times reading pages through
:class:`webconferencing.callhistory.CallHistory` (what ``GET history`` and the Calls page run) and prints the numbers.

    python bench/history_page.py [--calls 100000] [--db-url postgresql://...]
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path

from exo_container import boot
from webconferencing.callhistory import CallHistory
from webconferencing.calls.history import Direction, HistoryEntry, HistoryOutcome
from webconferencing.service import WebConferencingService
from webconferencing.storage.history import CallHistoryDAO

ROOT = Path(__file__).resolve().parents[1]
T0 = dt.datetime(2020, 1, 1)
BATCH = 2000


def entry(user_id: str, number: int) -> HistoryEntry:
    ended = T0 + dt.timedelta(minutes=number)
    outcome = (HistoryOutcome.ANSWERED, HistoryOutcome.MISSED, HistoryOutcome.DECLINED)[number % 3]
    return HistoryEntry(user_id, f"p/john-{user_id}-{number}", "webrtc", f"Call {number}", "john", "user",
                        Direction.INCOMING, outcome, ended - dt.timedelta(minutes=1), ended,
                        60 if outcome == HistoryOutcome.ANSWERED else 0, ("john",))


def timed(label: str, runs: int, action) -> None:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        samples.append((time.perf_counter() - start) * 1000)
    print(f"{label:<40} median {statistics.median(samples):7.2f} ms   max {max(samples):7.2f} ms   ({runs} runs)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--db-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db_url or f"sqlite:///{tmp}/bench.db"
        container = boot(ROOT / "configuration.xml", extensions_dirs=[],
                         system_properties={"webconferencing.db.url": url})
        try:
            service = container.get_component_instance_of_type(WebConferencingService)
            dao = CallHistoryDAO()
            start = time.perf_counter()
            for user_id in ("mary", "james"):
                for first in range(0, args.calls, BATCH):
                    with service.database.write():
                        dao.add([entry(user_id, n) for n in range(first, min(first + BATCH, args.calls))])
            print(f"wrote {2 * args.calls} entries in {time.perf_counter() - start:.1f} s")
            history = CallHistory(service)
            timed("first page (20)", 50, lambda: history.page("mary"))
            cursor = history.page("mary", limit=100).next_before
            for _ in range(args.calls // 200):  # halfway down, by cursors
                cursor = history.page("mary", limit=100, before=cursor).next_before
            timed(f"a page {args.calls // 2} entries down (20)", 50, lambda: history.page("mary", before=cursor))
            timed("missed calls since last seen", 50, lambda: history.missed_count("mary"))
        finally:
            container.dispose()


if __name__ == "__main__":
    main()
