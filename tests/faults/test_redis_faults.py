"""Redis lost or hung under a running server: call operations commit and answer 2xx without waiting for it, clients
of the same process keep getting their events, a reconnect handshake works, the outage is logged once, and other
processes catch up from the user streams when Redis comes back."""
from __future__ import annotations

import time

import pytest

from tests.web.harness import is_event, user_channel

from .harness import FAULT_PROPERTIES, CrashableServer, RedisProcess

SPACE_CALL = "g/product_team"
SPACE_MEMBERS = ["john", "mary", "james", "jack", "peter", "alice"]  # product_team's six members
QUICKLY = 3.0  # generous: the point is "does not wait for Redis" (5 s I/O timeout per recipient before)


def redis_properties(redis: RedisProcess) -> dict[str, str]:
    # sessions in the database, where they are by default: the Redis broker alone does not move them to Redis
    return {**FAULT_PROPERTIES, "webconferencing.broker": redis.url}


@pytest.fixture
def server(tmp_path, redis_process):
    srv = CrashableServer(tmp_path / "server", properties=redis_properties(redis_process)).start()
    yield srv
    srv.stop()


def test_a_tab_of_the_same_process_gets_its_incoming_call_while_redis_is_down(server, redis_process):
    callee = server.user("paul").tab()
    assert callee.subscribe(user_channel("paul"))["type"] == "ack"
    carol = server.user("carol")
    redis_process.kill()

    created = carol.post("/call/p/carol-paul", json={"ownerType": "user", "provider": "signal",
                                                      "participants": ["carol", "paul"]})

    assert created.status_code == 200
    callee.message(user_channel("paul"), is_event("call_state", "p/carol-paul", callState="started"))


def test_a_rest_join_naming_a_tab_answers_2xx_while_redis_is_down(server, redis_process):
    john = server.user("john")
    tab = john.tab()
    assert john.post(f"/call/{SPACE_CALL}", json={"owner": "product_team", "ownerType": "space",
                                                  "provider": "signal", "participants": ["john", "mary"]}
                     ).status_code == 200
    redis_process.kill()

    joined = john.put(f"/usercall/{SPACE_CALL}", json={"state": "joined", "clientId": tab.client_id})

    assert joined.status_code == 200
    assert {p["id"]: p["state"] for p in joined.json()["participants"]}["john"] == "joined"


def test_a_websocket_publish_is_acknowledged_while_redis_is_down(server, redis_process):
    mary = server.user("mary")
    tab = mary.tab()
    assert tab.call("create", callId="g/marketing", owner="marketing", ownerType="space", provider="signal",
                    participants=["mary", "paul"])["type"] == "result"
    assert tab.subscribe("/webconferencing/call/g/marketing")["type"] == "ack"
    redis_process.kill()

    answer = tab.request({"type": "publish", "channel": "/webconferencing/call/g/marketing", "data": {"x": 1}})

    assert answer["type"] == "ack"


def test_a_reconnect_handshake_with_a_client_id_works_while_redis_is_down(server, redis_process):
    james = server.user("james")
    tab = james.tab()
    tab.close()
    redis_process.kill()

    answer = james.tab(handshake=False).handshake(tab.client_id)

    assert answer["clientId"] == tab.client_id


def test_a_redis_outage_is_logged_once_not_once_per_event(server, redis_process):
    watcher = server.user("dave").tab()
    assert watcher.subscribe(user_channel("dave"))["type"] == "ack"
    demo = server.user("demo")
    redis_process.kill()

    for _ in range(5):  # 10 user events and their Redis messages, all while Redis is down
        assert demo.post("/call/p/dave-demo", json={"ownerType": "user", "provider": "signal",
                                                    "participants": ["demo", "dave"]}).status_code == 200
        assert demo.delete("/call/p/dave-demo").status_code == 204
        watcher.message(user_channel("dave"), is_event("call_state", "p/dave-demo", callState="stopped"))
    server.wait_for_log(r"Redis broker \S+ unreachable")

    log = server.log()
    warnings = [line for line in log.splitlines() if "WARNING [webconferencing.broker" in line]
    assert len(warnings) == 1 and "unreachable (" in warnings[0]
    assert "Traceback" not in log


def test_a_six_member_call_is_created_while_redis_is_paused(server, redis_process):
    john = server.user("john")
    watcher = server.user("mary").tab()
    assert watcher.subscribe(user_channel("mary"))["type"] == "ack"
    redis_process.pause()
    try:
        started = time.monotonic()
        created = john.post(f"/call/{SPACE_CALL}", json={"owner": "product_team", "ownerType": "space",
                                                         "provider": "signal", "participants": SPACE_MEMBERS})
        took = time.monotonic() - started
        still_paused = redis_process.process.poll() is None  # answered while Redis was still stopped
    finally:
        redis_process.resume()

    assert created.status_code == 200 and still_paused
    assert took < QUICKLY, f"creating a 6-member call waited {took:.1f}s on a paused Redis"
    watcher.message(user_channel("mary"), is_event("call_state", SPACE_CALL, callState="started"))


def test_another_process_catches_up_from_the_stream_when_redis_returns(tmp_path, redis_process):
    a = CrashableServer(tmp_path / "shared", properties=redis_properties(redis_process)).start()
    b = CrashableServer(tmp_path / "shared", properties=redis_properties(redis_process)).start()
    try:
        callee = b.user("paul").tab()
        assert callee.subscribe(user_channel("paul"))["type"] == "ack"
        carol = a.user("carol")
        redis_process.kill()

        created = carol.post("/call/p/carol-paul", json={"ownerType": "user", "provider": "signal",
                                                          "participants": ["carol", "paul"]})
        assert created.status_code == 200
        callee.no_message(user_channel("paul"), within=1.0)  # nothing crosses processes without Redis
        redis_process.start()  # back on the same port, empty

        callee.message(user_channel("paul"), is_event("call_state", "p/carol-paul", callState="started"),
                       timeout=15)
    finally:
        b.stop()
        a.stop()


def test_a_redis_outage_signs_nobody_out_with_the_default_session_store(server, redis_process):
    mary = server.user("mary")
    redis_process.kill()

    assert mary.get("/context").status_code == 200
    assert server.user("john").get("/context").status_code == 200  # and signing in still works
