"""A tab's client id is its credential for the calls it joined: nobody else may present it, not even after a
restart, when the server no longer holds the tab and knows the id only from the database, nor while the tab is between
calls (its websocket holds it). Tab ids are no secret among a call's parties (the call channel stamps every message
with its sender's), so each attack here assumes the attacker knows the id; nor may the check on it tell anything about
a call one is not party to."""
from __future__ import annotations

import pytest
import requests

from tests.web.harness import REST, OpenApi, Server, User
from tests.web.test_redis_fanout import redis_url  # noqa: F401 (a real redis-server for the module)


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path / "server", properties={"webconferencing.ws.grace.seconds": "120",
                                                   "webconferencing.cluster.lease.seconds": "120"}).start()
    yield srv
    srv.stop()


def openapi(server) -> OpenApi:
    return OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json())


def test_after_a_restart_another_user_cannot_take_a_joined_tabs_client_id(server):
    mary = User(server, openapi(server), "mary")
    tab = mary.tab()
    joined_id = tab.client_id
    assert mary.post("/call/g/product_team", json={"ownerType": "space", "owner": "product_team",
                                                    "provider": "signal", "participants": ["mary", "john"]}).ok
    assert tab.call("update", callId="g/product_team", state="joined")["type"] == "result"
    tab.close()
    server.stop()
    server.start()

    james = User(server, openapi(server), "james")
    james_tab = james.tab(joined_id)
    mary_again = User(server, openapi(server), "mary").tab(joined_id)

    assert james_tab.client_id != joined_id
    assert mary_again.client_id == joined_id  # her own tab, back within its grace period, keeps its id
    james_tab.close()
    mary_again.close()


def test_joining_with_another_users_client_id_is_refused_naming_the_field(server):
    mary = User(server, openapi(server), "mary")
    tab = mary.tab()
    assert mary.post("/call/g/product_team", json={"ownerType": "space", "owner": "product_team",
                                                    "provider": "signal", "participants": ["mary", "john"]}).ok
    assert tab.call("update", callId="g/product_team", state="joined")["type"] == "result"
    john = User(server, openapi(server), "john")
    refused = john.put("/usercall/g/product_team", json={"state": "joined", "clientId": tab.client_id})
    assert (refused.status_code, refused.json()["code"]) == (400, "BAD_REQUEST_ERROR")
    assert "clientId" in refused.json()["message"]
    tab.close()


def test_leaving_with_another_users_client_id_leaves_that_user_in(server):
    # a tab id that leaked (a log, a shared screen) is no lever on its owner: a leave counts for the requester only
    mary = User(server, openapi(server), "mary")
    tab = mary.tab()
    assert mary.post("/call/g/product_team", json={"ownerType": "space", "owner": "product_team",
                                                    "provider": "signal", "participants": ["mary", "john"]}).ok
    assert tab.call("update", callId="g/product_team", state="joined")["type"] == "result"
    john = User(server, openapi(server), "john")
    assert john.put("/usercall/g/product_team", json={"state": "joined", "clientId": "john-tab-1"}).ok

    john.put("/usercall/g/product_team", json={"state": "leaved", "clientId": tab.client_id})

    call = mary.get("/call/g/product_team").json()
    assert {p["id"]: p["state"] for p in call["participants"]} == {"mary": "joined", "john": "joined"}
    assert call["state"] == "started"
    tab.close()


def test_a_replayed_leave_of_a_tab_from_the_calls_previous_run_leaves_its_user_in(server):
    # group call ids are reused (g/<space>): a leave captured in the previous run of the call, replayed now, names a
    # tab that is not in this run, and must not take its user out of it
    mary = User(server, openapi(server), "mary")
    first, second = mary.tab(), mary.tab()
    assert mary.post("/call/g/product_team", json={"ownerType": "space", "owner": "product_team",
                                                    "provider": "signal", "participants": ["mary", "john"]}).ok
    assert first.call("update", callId="g/product_team", state="joined")["type"] == "result"
    assert mary.put("/call/g/product_team", json={"state": "stopped"}).ok
    assert second.call("update", callId="g/product_team", state="joined")["type"] == "result"  # started again

    mary.put("/usercall/g/product_team", json={"state": "leaved", "clientId": first.client_id})

    call = mary.get("/call/g/product_team").json()
    mine = next(p for p in call["participants"] if p["id"] == "mary")
    assert (call["state"], mine["state"], mine["clientId"]) == ("started", "joined", second.client_id)
    first.close()
    second.close()


@pytest.mark.parametrize("path, state", [("/usercall", "joined"), ("/call", "joined"), ("/call", "started")])
def test_joining_a_hidden_call_with_another_users_client_id_answers_as_a_call_that_does_not_exist(path, state,
                                                                                                  server):
    # the tab check must not run before the access check: with the id of a tab of a second identity of theirs (an
    # accomplice, their own guest by a link), anyone could tell a running 1:1 call of two others (400, "belongs to
    # another user's tab") from no call (404), for any pair of users
    john = User(server, openapi(server), "john")  # mary's accomplice: his tab id is known to her
    johns_tab = john.tab()
    assert john.post("/call/g/product_team", json={"ownerType": "space", "owner": "product_team",
                                                    "provider": "signal", "participants": ["john"]}).ok
    assert johns_tab.call("update", callId="g/product_team", state="joined")["type"] == "result"
    bob = User(server, openapi(server), "bob")
    assert bob.post("/call/p/bob-carol", json={"ownerType": "user", "owner": "bob", "provider": "signal",
                                               "participants": ["bob", "carol"]}).ok
    mary = User(server, openapi(server), "mary")

    probe = {"state": state, "clientId": johns_tab.client_id}
    hidden = mary.put(f"{path}/p/bob-carol", json=probe)
    unknown = mary.put(f"{path}/p/bob-dave", json=probe)

    assert (hidden.status_code, hidden.text.replace("p/bob-carol", "<id>")) == \
        (unknown.status_code, unknown.text.replace("p/bob-dave", "<id>")) == \
        (404, unknown.text.replace("p/bob-dave", "<id>"))
    johns_tab.close()


def test_a_connected_tab_between_calls_keeps_its_id_from_another_users_rest_join(server):
    # every party of a call reads the others' tab ids (the call channel stamps each message with its sender's): one
    # who joins calls of their own over REST naming bob's tab, while that tab is in no call, must not make the tab's
    # own next join a refusal ("belongs to another user's tab") for as long as they stay
    bob = User(server, openapi(server), "bob")
    bobs_tab = bob.tab()
    mary = User(server, openapi(server), "mary")
    assert mary.post("/call/g/marketing", json={"ownerType": "space", "owner": "marketing", "provider": "signal",
                                                "participants": ["mary", "bob"]}).ok

    taken = mary.put("/usercall/g/marketing", json={"state": "joined", "clientId": bobs_tab.client_id})

    assert (taken.status_code, taken.json()["code"]) == (400, "BAD_REQUEST_ERROR")
    assert bobs_tab.call("update", callId="g/marketing", state="joined")["type"] == "result"
    call = bob.get("/call/g/marketing").json()
    assert {p["id"]: p["state"] for p in call["participants"]} == {"mary": None, "bob": "joined"}
    bobs_tab.close()


@pytest.fixture
def two_servers(tmp_path, redis_url):  # noqa: F811
    """Two processes of one deployment: one database file, one Redis."""
    properties = {"webconferencing.broker": redis_url, "webconferencing.ws.grace.seconds": "120"}
    first = Server(tmp_path / "shared", properties=properties).start()
    second = Server(tmp_path / "shared", properties=properties).start()
    yield first, second
    second.stop()
    first.stop()


def test_a_handshake_in_another_process_does_not_get_the_id_of_another_users_tab_between_calls(two_servers):
    first, second = two_servers
    bobs_tab = User(first, openapi(first), "bob").tab()  # in no call: only its websocket makes the id bob's

    marys_tab = User(second, openapi(second), "mary").tab(bobs_tab.client_id)

    assert marys_tab.client_id != bobs_tab.client_id
    marys_tab.close()
    bobs_tab.close()
