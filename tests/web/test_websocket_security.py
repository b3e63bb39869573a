"""What the websocket refuses, and that a refused frame never takes the connection (or the server) down."""
from __future__ import annotations

import json

import pytest
import websocket

from .harness import call_channel, user_channel


def still_answers(tab) -> None:
    assert tab.request({"type": "subscribe", "channel": user_channel(tab.user_id)})["type"] == "ack"


def test_upgrade_without_a_session_is_refused_with_401(server):
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(server.ws_url, timeout=5)

    assert refused.value.status_code == 401
    assert json.loads(refused.value.resp_body)["code"] == "UNAUTHORIZED_ERROR"


def test_cookie_upgrade_from_another_origin_is_refused(server, login):
    mary = login("mary")

    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(server.ws_url, cookie=mary.cookie_header, origin="https://evil.example",
                                    timeout=5)

    assert refused.value.status_code == 403


def test_bearer_token_opens_a_websocket_without_cookie(server, login):
    token = login("mary").post("/auth/token", json={"username": "mary", "password": "gtn"}).json()["token"]

    ws = websocket.create_connection(server.ws_url, header=[f"Authorization: Bearer {token}"], timeout=5)
    ws.send(json.dumps({"type": "handshake"}))

    assert json.loads(ws.recv())["userId"] == "mary"
    ws.close()


def test_subscribing_to_another_users_channel_gets_an_access_error_and_the_connection_stays_up(login):
    tab = login("james").tab()

    refused = tab.subscribe(user_channel("mary"))

    assert (refused["type"], refused["code"]) == ("error", "ACCESS_ERROR")
    still_answers(tab)


def test_subscribing_to_a_call_one_is_not_a_party_of_is_refused(login):
    owner = login("carol").tab()
    call_id = "p/carol-dave"
    created = owner.call("create", callId=call_id, ownerType="user", provider="signal",
                         participants=["carol", "dave"])
    assert created["type"] == "result", created
    outsider = login("jack").tab()

    refused = outsider.subscribe(call_channel(call_id))
    published = outsider.request({"type": "publish", "channel": call_channel(call_id), "data": {"x": 1}})

    assert (refused["type"], refused["code"]) == ("error", "ACCESS_ERROR")
    assert (published["type"], published["code"]) == ("error", "ACCESS_ERROR")
    still_answers(outsider)


def test_unknown_channel_is_a_client_error(login):
    tab = login("james").tab()

    answer = tab.subscribe("/meta/everything")

    assert (answer["type"], answer["code"]) == ("error", "CLIENT_ERROR")
    still_answers(tab)


def test_publishing_on_a_user_channel_is_refused(login):
    tab = login("james").tab()
    assert tab.subscribe(user_channel("james"))["type"] == "ack"

    answer = tab.request({"type": "publish", "channel": user_channel("james"),
                          "data": {"eventType": "call_state", "callState": "started"}})

    assert (answer["type"], answer["code"]) == ("error", "ACCESS_ERROR")


def test_non_json_frame_gets_a_client_error_and_the_connection_stays_up(login):
    tab = login("peter").tab()

    tab.send("this is not json {")

    error = tab.wait_for(lambda f: f.get("type") == "error")
    assert error["code"] == "CLIENT_ERROR"
    still_answers(tab)


@pytest.mark.parametrize("frame", ["[1, 2]", '{"type": "teleport", "id": "x"}', '{"id": "no type"}'])
def test_frames_that_are_not_protocol_objects_get_a_client_error(login, frame):
    tab = login("peter").tab()

    tab.send(frame)

    assert tab.wait_for(lambda f: f.get("type") == "error")["code"] == "CLIENT_ERROR"
    still_answers(tab)


def test_oversized_frame_gets_frame_too_large_and_the_server_still_answers(login):
    tab = login("alice").tab()
    other = login("bob").tab()

    tab.send(json.dumps({"type": "publish", "id": "big", "channel": call_channel("p/alice-bob"),
                         "data": {"blob": "x" * 100_000}}))

    error = tab.wait_for(lambda f: f.get("type") == "error")
    assert error["code"] == "FRAME_TOO_LARGE"
    still_answers(tab)
    still_answers(other)


def test_frames_before_the_handshake_are_refused(login):
    tab = login("dave").tab(handshake=False)

    answer = tab.request({"type": "subscribe", "channel": user_channel("dave")})

    assert (answer["type"], answer["code"]) == ("error", "CLIENT_ERROR")
    assert tab.handshake()["userId"] == "dave"


def test_a_client_id_of_another_user_is_not_taken_over(login):
    mary_tab = login("mary").tab()

    james_tab = login("james").tab(mary_tab.client_id)

    assert james_tab.client_id != mary_tab.client_id
    still_answers(mary_tab)
