"""``GET history`` (issue 11) against a real server; every answer is checked against the OpenAPI document."""
from __future__ import annotations

NEW_PEER_CALL = {"ownerType": "user", "provider": "signal", "title": "Budget", "participants": ["paul", "bob"]}


def test_a_declined_call_is_in_the_callers_history(login):
    paul, bob = login("paul"), login("bob")
    assert paul.post("/call/p/bob-paul", json={**NEW_PEER_CALL, "owner": "paul"}).status_code == 200
    assert paul.put("/usercall/p/bob-paul", json={"state": "joined", "clientId": "paul-tab"}).status_code == 200
    assert bob.put("/usercall/p/bob-paul", json={"state": "declined", "clientId": "bob-tab"}).status_code == 200

    response = paul.get("/history?limit=1")

    assert response.status_code == 200
    [entry] = response.json()["calls"]
    assert (entry["callId"], entry["title"], entry["direction"], entry["outcome"]) == (
        "p/bob-paul", "Budget", "outgoing", "declined")
    assert [p["id"] for p in entry["parties"]] == ["bob"]


def test_history_of_a_user_without_calls_is_an_empty_last_page(login):
    assert login("dave").get("/history").json() == {"calls": [], "nextBefore": None}


def test_a_limit_out_of_range_is_a_bad_request_naming_it(login):
    response = login("mary").get("/history?limit=1000")

    assert (response.status_code, response.json()["code"]) == (400, "BAD_REQUEST_ERROR")
    assert "limit" in response.json()["message"]


def test_a_forged_cursor_is_a_bad_request_naming_it(login):
    response = login("mary").get("/history?before=x'or'1")

    assert response.status_code == 400
    assert "before" in response.json()["message"]


def test_a_call_given_up_before_an_answer_adds_one_to_the_callees_missed_count(login):
    jack, alice = login("jack"), login("alice")
    before = alice.get("/history/missed").json()["count"]
    call = {**NEW_PEER_CALL, "owner": "jack", "participants": ["jack", "alice"]}
    assert jack.post("/call/p/alice-jack", json=call).status_code == 200
    assert jack.put("/usercall/p/alice-jack", json={"state": "joined", "clientId": "jack-tab"}).status_code == 200
    assert jack.put("/usercall/p/alice-jack", json={"state": "leaved", "clientId": "jack-tab"}).status_code == 200

    assert alice.get("/history/missed").json() == {"count": before + 1}
    assert jack.get("/history/missed").json()["count"] == 0
