"""Throughput of the call core on SQLite: calls created, joined and left per second.

Boots the root configuration.xml (a fresh SQLite file in a temporary directory, the demo org, the in-process
broker), registers a provider in code, then runs for each 1:1 call: add_call, both peers join, both leave (the call
is deleted), and for group calls: every member joins from one tab then leaves (the call stops). Prints the
throughput of whole calls and of single operations.

    python bench/core_calls.py [--calls 2000] [--profile]
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest functions (cProfile)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        container = boot(ROOT / "configuration.xml", extensions_dirs=[],
                         system_properties={"webconferencing.db.url": f"sqlite:///{tmp}/bench.db"})
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
                started = time.perf_counter()
                operations = run(service, count)
                elapsed = time.perf_counter() - started
                if profiler:
                    profiler.disable()
                print(f"{name}: {count} calls in {elapsed:.2f}s = {count / elapsed:,.0f} calls/s, "
                      f"{operations / elapsed:,.0f} operations/s ({elapsed / operations * 1e6:.0f} us/operation)")
            print(f"user-channel events delivered: {delivered[0]:,}")
            if profiler:
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        finally:
            container.dispose()


if __name__ == "__main__":
    main()
