"""Multi-process fan-out through Redis: the same group call served by ``exo-server --workers 1`` and ``--workers 2``
(``webconferencing.broker=redis://...``), delivered messages per second for each and their ratio.

    python bench/redis_fanout.py [--participants 120] [--messages 300]

For each worker count: a fresh redis-server and exo-server (gunicorn + gevent, SQLite), ``--participants`` tabs join
one group call and subscribe to its channel (the kernel spreads the connections over the workers), then one tab
publishes ``--messages`` messages back to back; the figure is (messages x other participants) / the time until the
last delivery. With 2 workers every message published on one worker reaches the other through Redis (per-channel
subscriptions), so the ratio shows what a second process adds. Clients run in this process as gevent greenlets on the
same cores as the servers: compare the two columns, not absolute numbers between machines.
"""
from __future__ import annotations

import ws_fanout  # noqa: F401 - patches gevent first, and provides the clients and the exo-server target

import argparse  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

from gevent.event import Event  # noqa: E402
from gevent.pool import Pool  # noqa: E402

from ws_fanout import CONNECT_CONCURRENCY, EXTENSIONS, REPO, ExoTarget, ServerProcess, free_port  # noqa: E402

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def start_redis(directory: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no", "--dir", str(directory)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    time.sleep(0.5)
    return process, f"redis://127.0.0.1:{port}/0"


def run(workers: int, participants: int, messages: int) -> float:
    with tempfile.TemporaryDirectory(prefix=f"redis_fanout-{workers}-") as tmp:
        data = Path(tmp)
        (data / "exo.properties").touch()
        redis, redis_url = start_redis(data)
        port = free_port()
        server = ServerProcess([str(Path(sys.executable).with_name("exo-server")), "--config",
                                str(REPO / "configuration.xml"), "--properties", str(data / "exo.properties"),
                                "--extensions", str(EXTENSIONS), "--port", str(port), "--log-level", "warning",
                                "--workers", str(workers),
                                "-D", f"webconferencing.db.url=sqlite:///{data / 'wc.db'}",
                                "-D", f"exo.data.dir={data}", "-D", f"webconferencing.broker={redis_url}",
                                "-D", "exo.server.session.store=database",
                                "-D", "webconferencing.ws.ping.seconds=60",
                                "-D", "webconferencing.quota.websockets=1000000"],
                               port, data / "exo-server.log")
        try:
            time.sleep(2.0 * workers)  # every worker booted (the first ready line is one worker's)
            target = ExoTarget(port)
            members = Pool(CONNECT_CONCURRENCY).map(target.participant, range(participants))
            expected = messages * (participants - 1)
            delivered = 0
            done = Event()
            last = [0.0]

            def receiver(frame: dict, received: float) -> None:
                nonlocal delivered
                payload = target.payload_of(frame)
                if isinstance(payload, dict) and "seq" in payload:
                    delivered += 1
                    last[0] = received
                    if delivered == expected:
                        done.set()

            for member in members:
                member.on_message = receiver
            started = time.perf_counter()
            for seq in range(messages):
                target.publish(members[0], {"seq": seq, "body": "x" * 200})
            if not done.wait(60):
                raise RuntimeError(f"{workers} worker(s): {delivered} of {expected} deliveries")
            rate = expected / (last[0] - started)
            for member in members:
                member.close()
            return rate
        finally:
            server.stop()
            redis.terminate()
            redis.wait(10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=120, help="group call participants (default 120)")
    parser.add_argument("--messages", type=int, default=300, help="messages published (default 300)")
    args = parser.parse_args()
    rates = {workers: run(workers, args.participants, args.messages) for workers in (1, 2)}
    print(f"\n1 group call of {args.participants} tabs, {args.messages} messages, Redis broker\n")
    print(f"{'':36}{'1 worker':>12}{'2 workers':>12}{'ratio':>8}")
    print(f"{'delivered messages per second':36}{rates[1]:>12,.0f}{rates[2]:>12,.0f}{rates[2] / rates[1]:>8.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
