"""Several server processes sharing channels through a real Redis (webconferencing.broker=redis://...)."""
from __future__ import annotations


import pytest
import requests

from tests.redis_server import REDIS_SERVER, RedisProcess

from .harness import REST, OpenApi, Server, User, call_channel, is_event, user_channel



@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server): multi-process fan-out untested")
    redis = RedisProcess(tmp_path_factory.mktemp("redis")).start()
    yield redis.url
    redis.stop()


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory, redis_url):
    """Two exo-server processes on two ports, one database, one Redis."""
    data = tmp_path_factory.mktemp("shared")
    first = Server(data, properties={"webconferencing.broker": redis_url}).start()
    second = Server(data, properties={"webconferencing.broker": redis_url}).start()
    yield first, second
    second.stop()
    first.stop()


def logged_in(server: Server, user_id: str) -> User:
    return User(server, OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json()), user_id)


def test_call_channel_data_relays_between_clients_of_two_processes(two_servers):
    a, b = two_servers
    alice, bob = logged_in(a, "alice").tab(), logged_in(b, "bob").tab()
    call_id = "p/alice-bob"
    assert alice.call("create", callId=call_id, ownerType="user", provider="signal",
                      participants=["alice", "bob"])["type"] == "result"
    for tab in (alice, bob):
        assert tab.call("update", callId=call_id, state="joined")["type"] == "result"
        assert tab.subscribe(call_channel(call_id))["type"] == "ack"

    alice.request({"type": "publish", "channel": call_channel(call_id), "data": {"offer": "from-a"}})
    bob.request({"type": "publish", "channel": call_channel(call_id), "data": {"answer": "from-b"}})

    assert bob.message(call_channel(call_id))["data"] == {"offer": "from-a"}
    received = alice.message(call_channel(call_id))
    assert received["data"] == {"answer": "from-b"}
    assert received["sender"] == {"userId": "bob", "clientId": bob.client_id}
    alice.no_message(call_channel(call_id), lambda data: "offer" in data)  # never echoed, even through Redis


def test_user_event_raised_on_one_process_reaches_a_tab_on_the_other(two_servers):
    a, b = two_servers
    callee = logged_in(b, "dave").tab()
    assert callee.subscribe(user_channel("dave"))["type"] == "ack"

    created = logged_in(a, "carol").post("/call/p/carol-dave", json={
        "ownerType": "user", "provider": "signal", "participants": ["carol", "dave"]})

    assert created.status_code == 200
    callee.message(user_channel("dave"), is_event("call_state", "p/carol-dave", callState="started"))


def test_tab_moving_to_the_other_process_within_the_grace_period_keeps_its_calls(two_servers):
    a, b = two_servers
    watcher = logged_in(a, "paul").tab()
    assert watcher.subscribe(user_channel("paul"))["type"] == "ack"
    mary_a = logged_in(a, "mary")
    tab = mary_a.tab()
    call_id = "g/marketing"
    assert tab.call("create", callId=call_id, owner="marketing", ownerType="space", provider="signal",
                    participants=["mary", "paul"])["type"] == "result"
    assert tab.call("update", callId=call_id, state="joined")["type"] == "result"

    tab.close()
    moved = logged_in(b, "mary").tab(tab.client_id)  # same tab id, other process

    assert moved.client_id == tab.client_id
    watcher.no_message(user_channel("paul"), is_event("call_leaved", call_id), within=2.0)
    moved.close()  # now it really goes: the new process leaves for it after the grace period
    left = watcher.message(user_channel("paul"), is_event("call_leaved", call_id), timeout=5)
    assert left["data"]["part"] == {"id": "mary"}


def test_several_workers_serve_with_the_redis_broker(tmp_path, redis_url):
    server = Server(tmp_path, properties={"webconferencing.broker": redis_url}, args=["--workers", "2"]).start()
    try:
        assert server.wait_for_log(r"(?s)ready on .*ready on ", timeout=20)  # both workers booted
        tabs = [logged_in(server, "james").tab() for _ in range(4)]
        assert all(t.subscribe(user_channel("james"))["type"] == "ack" for t in tabs)
    finally:
        assert server.stop() == 0


def test_each_process_subscribes_in_redis_only_to_the_call_channels_its_tabs_use(two_servers, redis_url):
    import redis

    a, _b = two_servers
    tab = logged_in(a, "john").tab()
    call_id = "g/product_team"
    assert tab.call("create", callId=call_id, owner="product_team", ownerType="space", provider="signal",
                    participants=["john", "mary"])["type"] == "result"
    assert tab.subscribe(call_channel(call_id))["type"] == "ack"
    client = redis.Redis.from_url(redis_url)

    subscribed = {name.decode() for name in client.pubsub_channels("/webconferencing/call/*")}

    assert subscribed == {call_channel(call_id)}  # not every call's traffic to every process
    assert client.pubsub_numpat() == 0  # no pattern subscription
    tab.close()
