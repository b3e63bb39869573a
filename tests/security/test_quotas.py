"""Per-user quotas (issue 9, "Input limits and abuse"): one user could create 799 rooms and 799 ringing calls in ten
seconds and open 3,000 websockets. Past a quota REST answers 429 TOO_MANY_REQUESTS with Retry-After, the websocket an
error frame with ``retryAfter``; with a Redis broker the counts are shared by every process."""
from __future__ import annotations

import json
import time

import pytest
import requests
import websocket

from exo_container.errors import ConfigurationError
from tests.web.harness import REST, OpenApi, Server, User
from tests.web.test_redis_fanout import redis_url  # noqa: F401 (a real redis-server for the module)
from webconferencing.web.quotas import RedisSocketCount
from webconferencing.web.settings import ServerSettings

CALLS = 3
ROOMS = 2
WEBSOCKETS = 3
QUOTAS = {"webconferencing.quota.calls": f"{CALLS}/minute", "webconferencing.quota.rooms": f"{ROOMS}/hour",
          "webconferencing.quota.websockets": str(WEBSOCKETS)}
# the demo space product_team: john, mary, james, jack, peter and alice are members
SPACE = {"owner": "product_team", "ownerType": "space", "provider": "signal"}
SPACE_CALL = "g/product_team"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("server"), properties=QUOTAS).start()
    yield srv
    srv.stop()


def logged_in(server: Server, user_id: str) -> User:
    return User(server, OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json()), user_id)


def create_and_delete(user: User, call_id: str = SPACE_CALL) -> requests.Response:
    """One call creation counted against ``user``'s quota (deleted at once, so the next can use the same id)."""
    created = user.post(f"/call/{call_id}", json={**SPACE, "participants": [user.id]})
    if created.status_code == 200:
        assert user.delete(f"/call/{call_id}").status_code == 204
    return created


def assert_too_many(response: requests.Response, window_seconds: int) -> None:
    assert response.status_code == 429, response.text
    assert response.json()["code"] == "TOO_MANY_REQUESTS"
    assert 1 <= int(response.headers["Retry-After"]) <= window_seconds


def open_socket(server: Server, user: User) -> websocket.WebSocket:
    return websocket.create_connection(server.ws_url, cookie=user.cookie_header, timeout=5)


def handshake(ws: websocket.WebSocket) -> dict:
    ws.send(json.dumps({"type": "handshake"}))
    return json.loads(ws.recv())


# --- calls --------------------------------------------------------------------------------


def test_creating_more_calls_than_the_quota_over_rest_gets_429_with_retry_after(server):
    john = logged_in(server, "john")
    for _ in range(CALLS):
        assert create_and_delete(john).status_code == 200

    refused = create_and_delete(john)

    assert_too_many(refused, 60)
    assert john.get(f"/call/{SPACE_CALL}").status_code == 404  # the refused call was not created


def test_creating_more_calls_than_the_quota_over_the_websocket_gets_an_error_frame_with_retry_after(server):
    mary = logged_in(server, "mary")
    tab = mary.tab()
    for _ in range(CALLS):
        assert tab.call("create", callId=SPACE_CALL, participants=["mary"], **SPACE)["type"] == "result"
        assert tab.call("delete", callId=SPACE_CALL)["type"] == "result"

    refused = tab.call("create", callId=SPACE_CALL, participants=["mary"], **SPACE)

    assert (refused["type"], refused["code"]) == ("error", "TOO_MANY_REQUESTS"), refused
    assert 1 <= refused["retryAfter"] <= 60
    tab.close()


def test_one_users_call_quota_leaves_another_user_free(server):
    james, jack = logged_in(server, "james"), logged_in(server, "jack")
    for _ in range(CALLS):
        create_and_delete(james)
    assert create_and_delete(james).status_code == 429

    assert create_and_delete(jack).status_code == 200


def test_a_creation_refused_because_the_call_exists_does_not_count_against_the_quota(server):
    # a call button creates first and reads on a conflict (findOrAddCall): pressing it for a running space call is
    # a join, and must not lock a member out of the call they keep rejoining
    peter = logged_in(server, "peter")
    assert peter.post(f"/call/{SPACE_CALL}", json={**SPACE, "participants": ["peter"]}).status_code == 200
    for _ in range(CALLS + 1):
        again = peter.post(f"/call/{SPACE_CALL}", json={**SPACE, "participants": ["peter"]})
        assert again.status_code == 409, again.text
    assert peter.delete(f"/call/{SPACE_CALL}").status_code == 204

    assert create_and_delete(peter).status_code == 200


def test_over_the_call_quota_a_space_one_is_not_in_still_answers_as_one_that_does_not_exist(server):
    # the quota is asked only once the requester may create there: a 429 (and its Retry-After) for a real space but
    # a 404 for an unknown one would tell an outsider which spaces exist
    dave = logged_in(server, "dave")  # in marketing, not in product_team
    own_space = {"owner": "marketing", "ownerType": "space", "provider": "signal", "participants": ["dave"]}
    for _ in range(CALLS):
        assert dave.post("/call/g/marketing", json=own_space).status_code == 200
        assert dave.delete("/call/g/marketing").status_code == 204

    hidden = dave.post(f"/call/{SPACE_CALL}", json={**SPACE, "participants": ["dave"]})
    unknown = dave.post("/call/g/no_such_space", json={**SPACE, "owner": "no_such_space", "participants": ["dave"]})

    assert hidden.status_code == unknown.status_code == 404
    assert "Retry-After" not in hidden.headers and "Retry-After" not in unknown.headers
    assert hidden.json()["message"].replace("product_team", "<id>") == \
        unknown.json()["message"].replace("no_such_space", "<id>")
    assert dave.post("/call/g/marketing", json=own_space).status_code == 429  # the quota was really used up


# --- rooms --------------------------------------------------------------------------------


def test_creating_more_rooms_than_the_quota_gets_429_and_no_room(server):
    alice = logged_in(server, "alice")
    for i in range(ROOMS):
        assert alice.get(f"/room/quota-room-{i}", params={"title": "Team", "members": "alice,bob"}).status_code == 200

    refused = alice.get("/room/quota-room-x", params={"title": "Team", "members": "alice,bob"})

    assert_too_many(refused, 3600)
    assert alice.get("/room/quota-room-x").status_code == 404


def test_opening_an_existing_room_again_does_not_count_against_the_room_quota(server):
    bob = logged_in(server, "bob")
    assert bob.get("/room/quota-bob", params={"title": "Bob's", "members": "bob,alice"}).status_code == 200

    for _ in range(ROOMS + 1):
        again = bob.get("/room/quota-bob", params={"title": "Bob's", "members": "bob,alice"})
        assert again.status_code == 200, again.text


# --- open websockets -----------------------------------------------------------------------


def test_a_websocket_over_the_quota_gets_an_error_frame_and_is_closed(server):
    peter = logged_in(server, "peter")
    sockets = [open_socket(server, peter) for _ in range(WEBSOCKETS)]
    for ws in sockets:
        assert handshake(ws)["type"] == "handshake"

    extra = open_socket(server, peter)
    error = json.loads(extra.recv())

    assert (error["type"], error["code"]) == ("error", "TOO_MANY_REQUESTS"), error
    assert error["retryAfter"] >= 1
    opcode, data = extra.recv_data(control_frame=True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    assert int.from_bytes(data[:2], "big") == 1013  # try again later
    for ws in sockets:
        ws.close()


def test_closing_a_websocket_frees_its_place_in_the_quota(server):
    carol = logged_in(server, "carol")
    sockets = [open_socket(server, carol) for _ in range(WEBSOCKETS)]
    for ws in sockets:
        handshake(ws)

    sockets.pop().close()
    for _ in range(50):  # the server releases the place once it has read the close frame: poll, bounded
        replacement = open_socket(server, carol)
        answer = handshake(replacement)
        if answer["type"] == "handshake":
            break
        replacement.close()
        time.sleep(0.1)
    assert answer["type"] == "handshake", answer
    for ws in sockets + [replacement]:
        ws.close()


# --- shared by every process through Redis ---------------------------------------------------


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory, redis_url):  # noqa: F811
    data = tmp_path_factory.mktemp("shared")
    properties = {**QUOTAS, "webconferencing.broker": redis_url}
    first = Server(data, properties=properties).start()
    second = Server(data, properties=properties).start()
    yield first, second
    second.stop()
    first.stop()


def test_the_call_quota_is_shared_by_two_processes_through_redis(two_servers):
    first, second = two_servers
    on_first, on_second = logged_in(first, "john"), logged_in(second, "john")
    for user in (on_first, on_second, on_first):
        assert create_and_delete(user).status_code == 200

    assert_too_many(create_and_delete(on_second), 60)


def test_open_websockets_are_counted_across_processes_through_redis(two_servers):
    first, second = two_servers
    on_first, on_second = logged_in(first, "mary"), logged_in(second, "mary")
    sockets = [open_socket(first, on_first), open_socket(second, on_second), open_socket(first, on_first)]
    for ws in sockets:
        assert handshake(ws)["type"] == "handshake"

    extra = open_socket(second, on_second)

    assert json.loads(extra.recv())["code"] == "TOO_MANY_REQUESTS"
    for ws in sockets + [extra]:
        ws.close()


class ManualClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def test_a_socket_lease_of_a_worker_that_died_stops_counting_once_it_expires(redis_url):  # noqa: F811
    clock = ManualClock()
    dead_worker = RedisSocketCount(redis_url, lease_seconds=60, clock=clock)
    live_worker = RedisSocketCount(redis_url, lease_seconds=60, clock=clock)
    assert dead_worker.acquire("dave", 1) is not None  # never released, never refreshed again
    assert live_worker.acquire("dave", 1) is None

    clock.now += 61

    assert live_worker.acquire("dave", 1) is not None


def test_a_refreshed_socket_lease_keeps_counting(redis_url):  # noqa: F811
    clock = ManualClock()
    worker = RedisSocketCount(redis_url, lease_seconds=60, clock=clock)
    assert worker.acquire("erin", 1) is not None
    clock.now += 50
    worker.refresh()

    clock.now += 50

    assert worker.acquire("erin", 1) is None


# --- configuration --------------------------------------------------------------------------


def test_a_quota_that_is_not_a_rate_fails_the_boot_naming_the_property():
    with pytest.raises(ConfigurationError, match="webconferencing.quota.calls"):
        ServerSettings.from_properties({"webconferencing.quota.calls": "thirty a minute"})
