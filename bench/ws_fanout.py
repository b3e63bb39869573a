"""Websocket fan-out benchmark: exo-server against a bare flask-sock broadcast server on the same stack.

    .venv/bin/python bench/ws_fanout.py [--idle 2000] [--participants 100] [--messages 200]

Both servers run as gunicorn + gevent (one worker) subprocesses on loopback. For each:

1. ``--idle`` idle clients connect (exo-server: handshake + subscribe to the user's own channel; baseline: join an
   "idle" room) - connect time and server memory per connection (worker RSS delta / clients);
2. ``--participants`` clients join one group call (exo-server: ``update joined`` + subscribe to the call channel;
   baseline: join a "call" room);
3. one participant publishes ``--messages`` messages, one at a time; the latency of a message is the time until
   *every* other participant received it - p50 / p99.
4. cross-check: exo-server's own ``/metrics`` (open websockets, call-channel deliveries, fan-out histogram), read
   with ``webconferencing.metrics.token``.

The baseline does what the signalling hub does minus everything the product adds (authentication, JSON protocol
parsing, access checks, the broker, sender tagging), so the ratio is the cost of those. Target: p99 within 2x.

Clients live in this process as gevent greenlets (websocket-client on patched sockets), so the machine's cores are
shared by clients and server: compare the two columns, not the absolute numbers with other machines.
"""
from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import requests  # noqa: E402
import websocket  # noqa: E402
from gevent.event import Event  # noqa: E402
from gevent.pool import Pool  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
EXTENSIONS = REPO / "tests" / "web" / "fixtures" / "extensions"  # the signalling-only "signal" provider
REST = "/portal/rest/webconferencing"
GROUP = "product_team"
CALL_ID = f"g/{GROUP}"
CONNECT_CONCURRENCY = 50


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for {pid}")


# --- the baseline server -----------------------------------------------------------------


def baseline_app():
    """Bare flask-sock broadcast: a room per query string, every text frame relayed to the room's other sockets."""
    from flask import Flask, request
    from flask_sock import Sock

    app = Flask(__name__)
    sock = Sock(app)
    rooms: dict[str, set] = {}

    @sock.route("/ws")
    def ws_route(ws):
        room = rooms.setdefault(request.args.get("room", "idle"), set())
        room.add(ws)
        try:
            while True:
                data = ws.receive()
                for other in list(room):
                    if other is not ws:
                        try:
                            other.send(data)
                        except Exception:
                            room.discard(other)
        finally:
            room.discard(ws)

    return app


def serve_baseline(port: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Baseline(BaseApplication):
        def load_config(self):
            for name, value in {"bind": f"127.0.0.1:{port}", "workers": 1, "worker_class": "gevent",
                                "worker_connections": 20000, "control_socket_disable": True,
                                "loglevel": "warning", "graceful_timeout": 2,
                                "post_worker_init": lambda w: print(f"ready (pid {w.pid})", flush=True)}.items():
                self.cfg.set(name, value)

        def load(self):
            return baseline_app()

    Baseline().run()


# --- server processes --------------------------------------------------------------------


class ServerProcess:
    def __init__(self, command: list[str], port: int, log: Path, env: dict | None = None):
        self.port = port
        self.log = log
        with open(log, "wb") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=log.parent,
                                            env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
        self.worker_pid = self._wait_ready()

    def _wait_ready(self, timeout: float = 60) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(r"ready.*\(pid (\d+)\)", self.log.read_text(errors="replace"))
            if match:
                return int(match.group(1))
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited:\n{self.log.read_text()}")
            time.sleep(0.1)
        raise RuntimeError(f"server not ready:\n{self.log.read_text()}")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


# --- clients -----------------------------------------------------------------------------


class Client:
    """One websocket with a reader greenlet; ``on_message`` sees every parsed frame."""

    def __init__(self, url: str, cookie: str | None = None, *, handshake: bool = False):
        self.ws = websocket.create_connection(url, cookie=cookie, timeout=30, enable_multithread=True)
        self.on_message = None
        self.replies: dict[str, dict] = {}
        self.reply_events: dict[str, Event] = {}
        self.client_id = None
        if handshake:  # answered without an id: read it before the reader greenlet takes the socket
            self.ws.send('{"type":"handshake"}')
            self.client_id = json.loads(self.ws.recv())["clientId"]
        self.reader = gevent.spawn(self._read)

    def _read(self) -> None:
        while True:
            try:
                raw = self.ws.recv()
            except Exception:
                return
            if not raw:
                return
            received = time.perf_counter()
            frame = json.loads(raw)
            if isinstance(frame, dict) and frame.get("type") == "ping":
                self.ws.send('{"type":"pong"}')
                continue
            request_id = frame.get("id") if isinstance(frame, dict) else None
            if request_id in self.reply_events:
                self.replies[request_id] = frame
                self.reply_events.pop(request_id).set()
            elif self.on_message is not None:
                self.on_message(frame, received)

    def request(self, frame: dict, request_id: str) -> dict:
        event = self.reply_events[request_id] = Event()
        self.ws.send(json.dumps({**frame, "id": request_id}))
        if not event.wait(30):
            raise RuntimeError(f"no answer to {frame}")
        return self.replies.pop(request_id)

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass
        self.reader.kill(block=False)


class Target:
    """How to connect, join the call and publish, for one of the two servers."""

    name = ""

    def idle(self, i: int) -> Client: ...

    def participant(self, i: int) -> Client: ...

    def publish(self, client: Client, payload: dict) -> None: ...

    def payload_of(self, frame: dict) -> dict | None: ...


class ExoTarget(Target):
    name = "exo-server"

    def __init__(self, port: int):
        self.base = f"http://127.0.0.1:{port}"
        self.url = f"ws://127.0.0.1:{port}/webconferencing/ws"
        members = requests.Session()
        self.cookies: dict[str, str] = {}
        space = None
        for user in ("john", "mary", "james", "jack", "peter", "alice", "root", "paul", "bob", "carol", "dave",
                     "demo"):
            session = requests.Session()
            response = session.post(f"{self.base}{REST}/auth/login", json={"username": user, "password": "gtn"})
            response.raise_for_status()
            self.cookies[user] = "; ".join(f"{c.name}={c.value}" for c in session.cookies)
            if user == "john":
                members, csrf = session, response.json()["csrfToken"]
                space = members.get(f"{self.base}{REST}/space/{GROUP}").json()
        self.members = sorted(space["members"])
        created = members.post(f"{self.base}{REST}/call/{CALL_ID}", headers={"X-CSRF-Token": csrf}, json={
            "owner": GROUP, "ownerType": "space", "provider": "signal", "participants": self.members})
        created.raise_for_status()
        self.users = list(self.cookies)

    def _open(self, user: str) -> Client:
        return Client(self.url, self.cookies[user], handshake=True)

    def idle(self, i: int) -> Client:
        user = self.users[i % len(self.users)]
        client = self._open(user)
        client.request({"type": "subscribe", "channel": f"/webconferencing/user/{user}"}, "s")
        return client

    def participant(self, i: int) -> Client:
        client = self._open(self.members[i % len(self.members)])
        client.request({"type": "call", "command": "update", "callId": CALL_ID, "state": "joined"}, "j")
        client.request({"type": "subscribe", "channel": f"/webconferencing/call/{CALL_ID}"}, "s")
        return client

    def publish(self, client: Client, payload: dict) -> None:
        client.ws.send(json.dumps({"type": "publish", "channel": f"/webconferencing/call/{CALL_ID}",
                                   "data": payload}))

    def payload_of(self, frame: dict) -> dict | None:
        return frame.get("data") if frame.get("type") == "message" else None


class BaselineTarget(Target):
    name = "baseline"

    def __init__(self, port: int):
        self.url = f"ws://127.0.0.1:{port}/ws"

    def idle(self, i: int) -> Client:
        return Client(f"{self.url}?room=idle")

    def participant(self, i: int) -> Client:
        return Client(f"{self.url}?room=call")

    def publish(self, client: Client, payload: dict) -> None:
        client.ws.send(json.dumps(payload))

    def payload_of(self, frame: dict) -> dict | None:
        return frame


def run(target: Target, worker_pid: int, idle: int, participants: int, messages: int) -> dict:
    pool = Pool(CONNECT_CONCURRENCY)
    rss_before = rss_kib(worker_pid)
    started = time.perf_counter()
    idle_clients = pool.map(target.idle, range(idle))
    connect_seconds = time.perf_counter() - started
    time.sleep(1.0)
    rss_after = rss_kib(worker_pid)
    members = pool.map(target.participant, range(participants))

    arrivals: dict[int, list[float]] = {}
    complete: dict[int, Event] = {}

    def receiver(frame: dict, received: float) -> None:
        payload = target.payload_of(frame)
        if isinstance(payload, dict) and "seq" in payload:
            got = arrivals.setdefault(payload["seq"], [])
            got.append(received)
            if len(got) == participants - 1:
                complete[payload["seq"]].set()

    for member in members:
        member.on_message = receiver
    sender = members[0]
    latencies = []
    for seq in range(messages):
        complete[seq] = Event()
        sent = time.perf_counter()
        target.publish(sender, {"seq": seq, "body": "x" * 200})
        if not complete[seq].wait(10):
            raise RuntimeError(f"{target.name}: message {seq} reached {len(arrivals.get(seq, []))} of "
                               f"{participants - 1}")
        latencies.append(max(arrivals[seq]) - sent)
        gevent.sleep(0.005)
    for client in idle_clients + members:
        client.close()
    latencies.sort()
    return {
        "connect_s": connect_seconds,
        "connect_ms_each": connect_seconds / idle * 1000,
        "kib_per_connection": (rss_after - rss_before) / idle,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


METRICS_TOKEN = "ws-fanout-bench"


def server_figures(port: int) -> dict[str, float]:
    """What the server itself counted (GET /metrics): open websockets, call-channel deliveries, and the fan-out
    histogram's p50/p99 as the upper bounds of the buckets they fall in."""
    from prometheus_client.parser import text_string_to_metric_families

    text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10,
                        headers={"Authorization": f"Bearer {METRICS_TOKEN}"}).text
    samples = {(s.name, tuple(sorted(s.labels.items()))): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    buckets = sorted((float(dict(labels)["le"]), value) for (name, labels), value in samples.items()
                     if name == "webconferencing_fanout_duration_seconds_bucket")
    total = buckets[-1][1] if buckets else 0.0

    def quantile(q: float) -> float:
        return next((bound * 1000 for bound, count in buckets if total and count >= q * total), float("nan"))

    return {"websockets": samples.get(("webconferencing_websocket_connections", ()), 0.0),
            "delivered": samples.get(("webconferencing_messages_delivered_total", (("channel_kind", "call"),)), 0.0),
            "p50_ms": quantile(0.5), "p99_ms": quantile(0.99)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--idle", type=int, default=2000, help="idle clients (default 2000)")
    parser.add_argument("--participants", type=int, default=100, help="group call participants (default 100)")
    parser.add_argument("--messages", type=int, default=200, help="messages published (default 200)")
    parser.add_argument("--serve-baseline", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_baseline:
        serve_baseline(args.serve_baseline)
        return 0

    results = {}
    with tempfile.TemporaryDirectory(prefix="ws_fanout-") as tmp:
        data = Path(tmp)
        (data / "exo.properties").touch()
        port = free_port()
        exo = ServerProcess([str(Path(sys.executable).with_name("exo-server")), "--config",
                             str(REPO / "configuration.xml"), "--properties", str(data / "exo.properties"),
                             "--extensions", str(EXTENSIONS), "--port", str(port), "--log-level", "warning",
                             "-D", f"webconferencing.db.url=sqlite:///{data / 'wc.db'}",
                             "-D", f"exo.data.dir={data}", "-D", "webconferencing.ws.ping.seconds=60",
                             # thousands of idle tabs shared by a dozen users: far past the per-user quota
                             "-D", "webconferencing.quota.websockets=1000000",
                             "-D", f"webconferencing.metrics.token={METRICS_TOKEN}"],
                            port, data / "exo-server.log")
        try:
            results["exo-server"] = run(ExoTarget(port), exo.worker_pid, args.idle, args.participants,
                                        args.messages)
            server_side = server_figures(port)
        finally:
            exo.stop()
        port = free_port()
        baseline = ServerProcess([sys.executable, __file__, "--serve-baseline", str(port)], port,
                                 data / "baseline.log")
        try:
            results["baseline"] = run(BaselineTarget(port), baseline.worker_pid, args.idle, args.participants,
                                      args.messages)
        finally:
            baseline.stop()

    ours, base = results["exo-server"], results["baseline"]
    print(f"\n{args.idle} idle websockets + 1 group call of {args.participants}, {args.messages} messages "
          f"(gunicorn + gevent, 1 worker, clients in one gevent process)\n")
    print(f"{'':34}{'exo-server':>12}{'baseline':>12}{'ratio':>8}")
    rows = [("connect all idle clients (s)", "connect_s", "{:.2f}"),
            ("connect, per client (ms)", "connect_ms_each", "{:.2f}"),
            ("server memory per connection (KiB)", "kib_per_connection", "{:.1f}"),
            ("fan-out to all participants p50 (ms)", "p50_ms", "{:.2f}"),
            ("fan-out to all participants p99 (ms)", "p99_ms", "{:.2f}")]
    for label, key, fmt in rows:
        ratio = ours[key] / base[key] if base[key] else float("nan")
        print(f"{label:34}{fmt.format(ours[key]):>12}{fmt.format(base[key]):>12}{ratio:>7.2f}x")
    print(f"\np99 target (within 2x of the baseline): {'met' if ours['p99_ms'] <= 2 * base['p99_ms'] else 'NOT met'}")
    print(f"\ncross-check from exo-server's /metrics: {server_side['websockets']:.0f} websockets open at the end, "
          f"{server_side['delivered']:.0f} call-channel deliveries (the sender's own tab included: it drops the "
          f"echo); hand-over of one message to every "
          f"local tab p50 <= {server_side['p50_ms']:g} ms, p99 <= {server_side['p99_ms']:g} ms (histogram buckets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
