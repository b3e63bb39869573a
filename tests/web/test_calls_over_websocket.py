"""Calls driven through the websocket protocol (docs/protocol.md) against a real server: the acceptance scenarios."""
from __future__ import annotations

import re
import time

from .harness import call_channel, is_event, user_channel

PROVIDER = "signal"


def peer_call(caller_tab, callee_id: str) -> str:
    call_id = "p/" + "-".join(sorted((caller_tab.user_id, callee_id)))
    answer = caller_tab.call("create", callId=call_id, ownerType="user", provider=PROVIDER, title="1:1",
                             participants=[caller_tab.user_id, callee_id])
    assert answer["type"] == "result", answer
    return call_id


def listening_tab(user):
    tab = user.tab()
    assert tab.subscribe(user_channel(user.id))["type"] == "ack"
    return tab


def test_callee_user_channel_gets_call_state_started_naming_the_caller_when_called(login):
    caller, callee = login("mary").tab(), listening_tab(login("james"))

    call_id = peer_call(caller, "james")

    event = callee.message(user_channel("james"), is_event("call_state", call_id))
    assert event["data"] == {"eventType": "call_state", "callId": call_id, "providerType": PROVIDER,
                             "callState": "started", "owner": {"id": "mary", "type": "user"},
                             "caller": {"id": "mary"}}
    assert "sender" not in event  # server events carry no sender


def test_callee_joining_tells_the_caller(login):
    caller, callee = listening_tab(login("jack")), listening_tab(login("peter"))
    call_id = peer_call(caller, "peter")

    answer = callee.call("update", callId=call_id, state="joined")

    assert answer["type"] == "result"
    joined = {p["id"]: (p["state"], p["clientId"]) for p in answer["data"]["participants"]}
    assert joined["peter"] == ("joined", callee.client_id)
    event = caller.message(user_channel("jack"), is_event("call_joined", call_id))
    assert event["data"]["part"] == {"id": "peter"}


def test_call_channel_data_reaches_the_other_party_and_not_back_to_the_sender(login):
    alice, bob = login("alice").tab(), login("bob").tab()
    call_id = peer_call(alice, "bob")
    for tab in (alice, bob):
        assert tab.call("update", callId=call_id, state="joined")["type"] == "result"
        assert tab.subscribe(call_channel(call_id))["type"] == "ack"

    assert alice.request({"type": "publish", "channel": call_channel(call_id),
                          "data": {"offer": "sdp-1"}})["type"] == "ack"

    message = bob.message(call_channel(call_id))
    assert message["data"] == {"offer": "sdp-1"}
    assert message["sender"] == {"userId": "alice", "clientId": alice.client_id}
    alice.no_message(call_channel(call_id))


def test_callee_declining_a_peer_call_deletes_it_and_tells_the_caller(login):
    caller, callee = listening_tab(login("carol")), login("dave").tab()
    call_id = peer_call(caller, "dave")
    assert caller.call("update", callId=call_id, state="joined")["type"] == "result"

    declined = callee.call("delete", callId=call_id)

    assert declined == {"type": "result", "id": declined["id"], "data": {}}
    stopped = caller.message(user_channel("carol"), is_event("call_state", call_id, callState="stopped"))
    assert stopped["data"]["owner"] == {"id": "carol", "type": "user"}
    gone = caller.call("get", callId=call_id)
    assert (gone["type"], gone["code"]) == ("error", "NOT_FOUND_ERROR")


def test_callee_declining_by_leaving_a_ringing_peer_call_removes_it_and_tells_the_caller(login):
    caller, callee = listening_tab(login("root")), login("james").tab()
    call_id = peer_call(caller, "james")
    assert caller.call("update", callId=call_id, state="joined")["type"] == "result"

    declined = callee.call("update", callId=call_id, state="leaved")

    assert declined["data"] == {}
    caller.message(user_channel("root"), is_event("call_state", call_id, callState="stopped"))
    assert caller.call("get", callId=call_id)["code"] == "NOT_FOUND_ERROR"


def test_group_call_stops_after_the_last_member_leaves(login):
    members = ["peter", "alice", "jack"]
    tabs = {m: listening_tab(login(m)) for m in members}
    call_id = "g/product_team"
    created = tabs["peter"].call("create", callId=call_id, owner="product_team", ownerType="space",
                                 provider=PROVIDER, title="Stand-up", participants=";".join(members))
    assert created["type"] == "result", created
    for member in members:
        assert tabs[member].call("update", callId=call_id, state="joined")["type"] == "result"

    for member in members[:-1]:
        left = tabs[member].call("update", callId=call_id, state="leaved")
        assert left["data"]["state"] == "started"
    last = tabs[members[-1]].call("update", callId=call_id, state="leaved")

    assert last["data"]["state"] == "stopped"
    assert {p["id"]: p["state"] for p in last["data"]["participants"]} == {m: "leaved" for m in members}
    for member in members:
        tabs[member].message(user_channel(member), is_event("call_state", call_id, callState="stopped"))
    states = tabs["alice"].call("get_calls_state")
    assert [(c["id"], c["state"]) for c in states["data"] if c["id"] == call_id] == [(call_id, "stopped")]


def test_a_group_call_its_starter_abandons_is_missed_at_once_by_the_member_it_rang(login):
    starter, rung = listening_tab(login("demo")), listening_tab(login("alice"))
    room = "team-8c21d0e4f9a34b17"  # Coffee Break: this module's only call in it
    call_id = f"g/{room}"
    created = starter.call("create", callId=call_id, owner=room, ownerType="chat_room", provider=PROVIDER,
                           title="Coffee", participants="demo;alice")
    assert created["type"] == "result", created
    started = rung.message(user_channel("alice"), is_event("call_state", call_id, callState="started"))
    assert started["data"]["caller"] == {"id": "demo"}
    assert starter.call("update", callId=call_id, state="joined")["type"] == "result"

    assert starter.call("update", callId=call_id, state="leaved")["data"]["state"] == "stopped"

    missed = rung.message(user_channel("alice"), is_event("call_missed", call_id))
    assert missed["data"]["caller"] == {"id": "demo"}
    starter.no_message(user_channel("demo"), is_event("call_missed", call_id))


def test_tab_closed_without_leaving_leaves_its_calls_after_the_grace_period(login):
    caller, callee = listening_tab(login("john")), login("paul").tab()
    call_id = peer_call(caller, "paul")
    for tab in (caller, callee):
        assert tab.call("update", callId=call_id, state="joined")["type"] == "result"

    callee.close()  # the tab dies: no "leaved" is ever sent
    closed_at = time.monotonic()

    left = caller.message(user_channel("john"), is_event("call_leaved", call_id), timeout=5)
    assert left["data"]["part"] == {"id": "paul"}
    assert time.monotonic() - closed_at >= 0.8  # not before the (1 s) grace period
    # john alone in a 1:1 call: it is hung up, not left "started" forever
    caller.message(user_channel("john"), is_event("call_state", call_id, callState="stopped"))
    assert caller.call("get", callId=call_id)["code"] == "NOT_FOUND_ERROR"


def test_a_tab_gone_from_an_ended_call_leaves_the_next_call_of_the_same_id_alone(login, server):
    caller, callee = listening_tab(login("jack")), login("paul").tab()
    call_id = peer_call(caller, "paul")
    assert callee.call("update", callId=call_id, state="joined")["type"] == "result"
    assert caller.call("update", callId=call_id, state="stopped")["type"] == "result"  # hung up: deleted
    caller.message(user_channel("jack"), is_event("call_state", call_id, callState="stopped"))
    callee.close()  # paul's call window closes; its grace period runs
    # the server no longer counts the ended call among the tab's calls
    server.wait_for_log(re.escape(f"client {callee.client_id} of paul: connected -> in grace (drop: no calls)"))

    assert peer_call(caller, "paul") == call_id  # jack calls again: a new call, same id

    # well past the 1 s grace period: the vanished window did not take paul out of the new call (nor end it)
    caller.no_message(user_channel("jack"), is_event("call_state", call_id, callState="stopped"), within=2.5)
    call = caller.call("get", callId=call_id)["data"]
    assert {p["id"]: p["state"] for p in call["participants"]} == {"jack": None, "paul": None}


def test_tab_reconnecting_within_the_grace_period_keeps_its_calls(login):
    mary = login("mary")
    bob = listening_tab(login("bob"))
    tab = mary.tab()
    call_id = "g/marketing"
    assert tab.call("create", callId=call_id, owner="marketing", ownerType="space", provider=PROVIDER,
                    participants=["mary", "bob"])["type"] == "result"
    assert tab.call("update", callId=call_id, state="joined")["type"] == "result"
    client_id = tab.client_id

    tab.close()
    again = mary.tab(client_id)

    assert again.client_id == client_id
    # well past the 1 s grace period: nobody left
    bob.no_message(user_channel("bob"), is_event("call_leaved", call_id), within=2.0)
    call = again.call("get", callId=call_id)["data"]
    assert {p["id"]: (p["state"], p["clientId"]) for p in call["participants"]}["mary"] == ("joined", client_id)


def test_remote_call_errors_answer_with_the_request_id(login):
    tab = login("james").tab()

    answer = tab.request({"type": "call", "command": "get", "callId": "p/nobody-nowhere"})

    assert answer["type"] == "error"
    assert answer["code"] == "NOT_FOUND_ERROR"
    assert answer["id"].startswith("r")


def test_creating_an_existing_call_is_a_conflict(login):
    tab = login("demo").tab()
    call_id = peer_call(tab, "root")

    again = tab.call("create", callId=call_id, ownerType="user", provider=PROVIDER, participants=["demo", "root"])

    assert (again["type"], again["code"]) == ("error", "CALL_CONFLICT_ERROR")


def test_log_records_are_written_to_the_server_call_log(login, server):
    tab = login("alice").tab()

    tab.send({"type": "log", "records": [{"level": "info", "provider": PROVIDER, "prefix": "webrtc",
                                          "message": "ICE connected", "timestamp": "2024-05-01T10:00:00.000Z"}]})

    server.wait_for_log(rf"\| INFO  \| \[{PROVIDER}\.webrtc\] alice-{tab.client_id} ICE connected "
                        r"-- 2024-05-01T10:00:00.000Z")


def test_client_ping_is_answered_with_pong(login):
    tab = login("carol").tab()

    tab.send({"type": "ping", "id": 7})
    assert tab.wait_for(lambda f: f.get("type") == "pong") == {"type": "pong", "id": 7}
