"""The production set-up of ``deploy/``, run on this machine (systemd aside): two ``exo-server`` processes, one with
two gunicorn workers, on one PostgreSQL database (pooled connections) and one Redis, each on its own port, with
``/metrics`` behind a token. A client of one process calls a user of the other; both report it; losing Redis makes
both not ready, and its return makes them ready again."""
from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Callable

import pytest
import requests
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families

from tests.redis_server import REDIS_SERVER, RedisProcess
from tests.web.harness import REST, OpenApi, Server, User, call_channel, is_event, user_channel

TOKEN = "prometheus-scrape-token"
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
DEPLOY_PROPERTIES = Path(__file__).resolve().parents[2] / "deploy" / "exo.properties"
DRAIN_SECONDS = 2


@pytest.fixture(scope="module")
def redis_process(tmp_path_factory):
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    redis = RedisProcess(tmp_path_factory.mktemp("redis")).start()
    yield redis
    redis.stop()


def deploy_properties(**values: str) -> str:
    """deploy/exo.properties with this machine's addresses and secrets in place of the example ones (every value
    replaced must be set in the file: the test runs what the file says, not a copy of it)."""
    lines = DEPLOY_PROPERTIES.read_text(encoding="utf-8").splitlines()
    replaced = set()
    for index, line in enumerate(lines):
        name = line.split("=", 1)[0].strip()
        if not line.lstrip().startswith("#") and name in values:
            lines[index] = f"{name}={values[name]}"
            replaced.add(name)
    assert replaced == set(values), f"not set in {DEPLOY_PROPERTIES}: {sorted(set(values) - replaced)}"
    return "\n".join(lines) + "\n"


def deployed_server(directory: Path, properties: str, args: list[str] | None = None) -> Server:
    (directory / "exo.properties").write_text(properties.replace("@DATA_DIR@", str(directory)), encoding="utf-8")
    return Server(directory, args=args or [])


@pytest.fixture(scope="module")
def deployment(tmp_path_factory, postgres_server, redis_process):
    """Process ``a`` (two workers) and process ``b`` (one), configured by deploy/exo.properties."""
    database = postgres_server.create_database()
    properties = deploy_properties(**{
        "webconferencing.db.url": database.replace("postgresql://", "postgresql+pool://", 1),
        "webconferencing.broker": redis_process.url,
        "exo.data.dir": "@DATA_DIR@",
        "exo.server.secret": "shared-by-every-process-of-the-deployment",
        "exo.server.cookie.secure": "false",  # plain HTTP on loopback; nginx terminates TLS in production
        "webconferencing.ws.grace.seconds": "1",
        "webconferencing.metrics.token": TOKEN,
        "exo.server.drain.seconds": str(DRAIN_SECONDS),
    }) + "webconferencing.metrics.sample.seconds=0.2\n"
    metrics_dir = tmp_path_factory.mktemp("a-metrics")
    os.environ[MULTIPROC_DIR] = str(metrics_dir)  # as systemd sets it (deploy/systemd/exo-server.service); a only
    try:
        a = deployed_server(tmp_path_factory.mktemp("a"), properties, ["--workers", "2"]).start()
    finally:
        del os.environ[MULTIPROC_DIR]
    a.metrics_dir = metrics_dir
    b = deployed_server(tmp_path_factory.mktemp("b"), properties).start()
    a.wait_for_log(r"(?s)ready on .*ready on ", timeout=30)  # both of a's workers serve
    yield a, b
    b.stop()
    a.stop()
    postgres_server.drop_database(database)


def logged_in(server: Server, user_id: str) -> User:
    return User(server, OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json()), user_id)


def scrape(server: Server) -> dict[tuple[str, tuple], float]:
    answer = requests.get(f"{server.base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
    assert answer.status_code == 200, answer.text
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(answer.text) for s in family.samples}


def metric(server: Server, name: str, **labels: str) -> float:
    return scrape(server).get((name, tuple(sorted(labels.items()))), 0.0)


def eventually(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.1)


def ready(server: Server) -> requests.Response:
    return requests.get(f"{server.base}/health/ready", timeout=5)


def test_both_processes_are_ready_with_database_and_broker_checked(deployment):
    for server in deployment:
        answer = ready(server)
        assert answer.status_code == 200, answer.text
        assert answer.json()["checked"] == ["broker", "container", "database", "websockets"]


def test_metrics_need_the_token_on_every_process(deployment):
    for server in deployment:
        assert requests.get(f"{server.base}/metrics", timeout=5).status_code == 401


def test_a_client_on_one_process_calls_a_user_on_the_other_and_both_report_it(deployment):
    a, b = deployment
    john, mary = logged_in(a, "john").tab(), logged_in(b, "mary").tab()
    assert mary.subscribe(user_channel("mary"))["type"] == "ack"
    call_id = "p/john-mary"

    assert john.call("create", callId=call_id, ownerType="user", provider="signal",
                     participants=["john", "mary"])["type"] == "result"
    mary.message(user_channel("mary"), is_event("call_state", call_id, callState="started"))
    for tab in (john, mary):
        assert tab.call("update", callId=call_id, state="joined")["type"] == "result"
        assert tab.subscribe(call_channel(call_id))["type"] == "ack"
    published = metric(a, "webconferencing_messages_published_total", channel_kind="call")
    delivered = metric(b, "webconferencing_messages_delivered_total", channel_kind="call")
    john.request({"type": "publish", "channel": call_channel(call_id), "data": {"offer": "sdp"}})
    assert mary.message(call_channel(call_id))["data"] == {"offer": "sdp"}
    assert metric(a, "webconferencing_messages_published_total", channel_kind="call") == published + 1
    assert metric(b, "webconferencing_messages_delivered_total", channel_kind="call") == delivered + 1

    started = ("webconferencing_operation_duration_seconds_count", (("operation", "add_call"), ("status", "ok")))
    assert scrape(a)[started] == 1 and scrape(b).get(started, 0) == 0  # counted where it happened
    assert metric(a, "webconferencing_calls_started_total", provider="signal", owner_type="user") == 1
    for server in (a, b):  # the census is the deployment's: the same on both
        assert metric(server, "webconferencing_active_calls", provider="signal", owner_type="user") == 1
        assert metric(server, "webconferencing_joined_participants", provider="signal", owner_type="user") == 2
        eventually(lambda: metric(server, "webconferencing_websocket_connections") == 1)
    drops = metric(a, "webconferencing_websocket_disconnects_total", reason="drop")
    john.close()
    mary.close()
    eventually(lambda: metric(a, "webconferencing_websocket_connections") == 0)
    assert metric(a, "webconferencing_websocket_disconnects_total", reason="drop") == drops + 1  # in a call: grace


def login_failures_by_worker(metrics_dir: Path) -> dict[str, float]:
    """pid -> login failures that worker counted, read from its own multiprocess file."""
    counted = {}
    for path in metrics_dir.glob("counter_*.db"):
        for key, value, _timestamp, _position in MmapedDict.read_all_values_from_file(str(path)):
            if json.loads(key)[1] == "webconferencing_login_failures_total" and value:
                counted[path.stem.split("_", 1)[1]] = value
    return counted


def test_the_metrics_of_a_process_add_up_its_workers(deployment):
    a, _ = deployment
    attempts = 0
    while len(login_failures_by_worker(a.metrics_dir)) < 2:  # new connections, until both workers took some
        assert attempts < 200, "one worker took every connection"
        answer = requests.post(f"{a.base}{REST}/auth/login", json={"username": "nobody", "password": "x"},
                               timeout=5, headers={"Connection": "close"})
        assert answer.status_code == 401
        attempts += 1

    by_worker = login_failures_by_worker(a.metrics_dir)
    assert metric(a, "webconferencing_login_failures_total") == sum(by_worker.values())


def test_a_dead_worker_no_longer_counts_in_the_live_gauges(deployment):
    a, _ = deployment

    def workers_with_live_gauges() -> set[int]:
        pids = {int(path.stem.rsplit("_", 1)[1]) for path in a.metrics_dir.glob("gauge_livesum_*.db")}
        return pids - {a.process.pid}  # the master wrote one too, when it imported the metrics

    eventually(lambda: len(workers_with_live_gauges()) == 2)
    victim = min(workers_with_live_gauges())
    os.kill(victim, signal.SIGKILL)

    # the master marks it dead (its websockets and pool connections are gone with it) and starts another worker
    eventually(lambda: victim not in workers_with_live_gauges() and len(workers_with_live_gauges()) == 2,
               timeout=30)
    assert ready(a).status_code == 200


def test_losing_redis_makes_both_processes_not_ready_and_its_return_ready_again(deployment, redis_process):
    redis_process.stop()
    try:
        for server in deployment:
            answer = ready(server)
            assert answer.status_code == 503
            assert "does not answer" in answer.json()["failing"]["broker"]
    finally:
        redis_process.start()

    for server in deployment:
        eventually(lambda: ready(server).status_code == 200)
        eventually(lambda: metric(server, "webconferencing_broker_reconnects_total") >= 1)
        assert metric(server, "webconferencing_broker_errors_total", operation="connection") >= 1


def test_a_stopping_process_turns_not_ready_while_it_still_serves(deployment):
    _, b = deployment
    b.process.send_signal(signal.SIGTERM)

    eventually(lambda: ready(b).status_code == 503, timeout=DRAIN_SECONDS)
    assert ready(b).json()["failing"] == {"server": "stopping"}
    assert requests.get(f"{b.base}/health/live", timeout=5).status_code == 200  # drained, not dropped
    assert b.process.wait(20) == 0
