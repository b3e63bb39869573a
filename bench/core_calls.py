"""Throughput of the call core on SQLite or PostgreSQL: calls created, joined and left per second.

Boots the root configuration.xml (a fresh SQLite file in a temporary directory, or with ``--postgresql`` a
throw-away PostgreSQL cluster of Debian's packages, pooled as in production; the demo org, the in-process broker),
registers a provider in code, then runs for each 1:1 call: add_call, both peers join, both leave (the call is
deleted), and for group calls: every member joins from one tab then leaves (the call stops). Prints the throughput
of whole calls and of single operations, by the wall clock and by this process's CPU time (on a shared, loaded
machine the wall clock also counts other processes' turns; the CPU time is what one operation costs here). On
PostgreSQL it also prints the raw commit rate of psycopg on the same
server (one single-row UPDATE per transaction), the ceiling every operation, a transaction of its own, is under.

    python bench/core_calls.py [--calls 2000] [--postgresql] [--profile]
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import sys
import tempfile
import time
from pathlib import Path

from exo_container import boot
from webconferencing.broker import Broker, user_channel
from webconferencing.info import group_call_id, peer_call_id
from webconferencing.provider import CallProvider
from webconferencing.service import WebConferencingService

ROOT = Path(__file__).resolve().parents[1]
PAIRS = [("john", "mary"), ("james", "jack"), ("peter", "alice"), ("bob", "dave")]
SPACE, SPACE_MEMBERS = "product_team", ["john", "mary", "james", "jack", "peter", "alice"]


class BenchProvider(CallProvider):
    def get_type(self) -> str:
        return "bench"

    def get_supported_types(self) -> list[str]:
        return ["bench"]

    def get_title(self) -> str:
        return "Bench"

    def get_version(self) -> str:
        return "1"


def peer_calls(service: WebConferencingService, count: int) -> int:
    for i in range(count):
        a, b = PAIRS[i % len(PAIRS)]
        call_id = peer_call_id(a, b)
        service.add_call(call_id, a, "user", None, "bench", [a, b])
        service.join_call(call_id, a, f"{a}-{i}")
        service.join_call(call_id, b, f"{b}-{i}")
        service.leave_call(call_id, b, f"{b}-{i}")
        service.leave_call(call_id, a, f"{a}-{i}")
    return count * 5


def group_calls(service: WebConferencingService, count: int) -> int:
    call_id = group_call_id(SPACE)
    service.add_call(call_id, SPACE, "space", None, "bench", SPACE_MEMBERS)
    for i in range(count):
        for user in SPACE_MEMBERS:
            service.join_call(call_id, user, f"{user}-{i}")
        for user in SPACE_MEMBERS:
            service.leave_call(call_id, user, f"{user}-{i}")
    return count * len(SPACE_MEMBERS) * 2


def raw_commit_rate(url: str, seconds: float = 3.0) -> float:
    """Transactions per second of plain psycopg: one single-row UPDATE, then COMMIT, over and over."""
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS bench_raw (id int PRIMARY KEY, n bigint)")
        conn.execute("INSERT INTO bench_raw VALUES (1, 0) ON CONFLICT DO NOTHING")
        conn.commit()
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            conn.execute("UPDATE bench_raw SET n = n + 1 WHERE id = 1")
            conn.commit()
            count += 1
        return count / (time.perf_counter() - started)


def database_url(args, tmp: str, stack: contextlib.ExitStack) -> str:
    if not args.postgresql:
        return f"sqlite:///{tmp}/bench.db"
    sys.path.insert(0, str(ROOT))
    from tests.postgres_server import PostgresServer, find_bindir, unavailable_reason

    reason = unavailable_reason()
    if reason:
        raise SystemExit(f"--postgresql: {reason}")
    server = PostgresServer(find_bindir()).start()
    stack.callback(server.stop)
    url = server.create_database()
    print(f"raw psycopg on this server: {raw_commit_rate(url):,.0f} commits/s (one UPDATE each)")
    return url.replace("postgresql://", "postgresql+pool://", 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--postgresql", action="store_true", help="on a throw-away PostgreSQL cluster")
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest functions (cProfile)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, contextlib.ExitStack() as stack:
        container = boot(ROOT / "configuration.xml", extensions_dirs=[],
                         system_properties={"webconferencing.db.url": database_url(args, tmp, stack),
                                            "exo.data.dir": tmp,
                                            "webconferencing.identity.password.hash": "pbkdf2:sha256:1000"})
        try:
            service = container.get_component_instance_of_type(WebConferencingService)
            service.add_provider(BenchProvider(None))
            broker = container.get_component_instance_of_type(Broker)
            delivered = [0]
            for user in {u for pair in PAIRS for u in pair} | set(SPACE_MEMBERS):  # someone listens
                broker.subscribe(user_channel(user), lambda *m: delivered.__setitem__(0, delivered[0] + 1))
            peer_calls(service, 50)  # warm up
            profiler = cProfile.Profile() if args.profile else None
            for name, run, count in (("1:1 calls (add, 2 joins, 2 leaves)", peer_calls, args.calls),
                                     ("group calls (6 joins, 6 leaves)", group_calls, args.calls // 4)):
                if profiler:
                    profiler.enable()
                started, cpu_started = time.perf_counter(), time.process_time()
                operations = run(service, count)
                elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
                if profiler:
                    profiler.disable()
                print(f"{name}: {count} calls in {elapsed:.2f}s = {count / elapsed:,.0f} calls/s, "
                      f"{operations / elapsed:,.0f} operations/s ({elapsed / operations * 1e6:.0f} us/operation); "
                      f"CPU {cpu:.2f}s = {count / cpu:,.0f} calls/s ({cpu / operations * 1e6:.0f} us/operation)")
            print(f"user-channel events delivered: {delivered[0]:,}")
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        finally:
            container.dispose()


if __name__ == "__main__":
    main()
