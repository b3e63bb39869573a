"""A tab that drops and reconnects within the grace period with its clientId gets the user-channel events published
while it was away, in order and once, right after the handshake answer; when some are no longer kept it is told to
refresh instead (docs/protocol.md, "Resume")."""
from __future__ import annotations

import pytest

from tests.web.harness import is_event, user_channel

from .harness import CrashableServer

RESUME_PROPERTIES = {
    "webconferencing.ws.grace.seconds": "10",  # the tab is away for a moment only: well within
    "webconferencing.ws.resume.events": "3",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = CrashableServer(tmp_path_factory.mktemp("resume"), properties=RESUME_PROPERTIES).start()
    yield srv
    srv.stop()


def incoming(call_id: str):
    return is_event("call_state", call_id, callState="started")


def frames_after_handshake(tab, within: float = 1.0) -> list[dict]:
    tab.no_message("/none", within=within)  # collect what arrives
    frames, tab.inbox = tab.inbox, []
    return frames


def test_an_incoming_call_placed_while_the_tab_was_away_is_replayed_once_after_the_handshake(server):
    callee = server.user("paul")
    tab = callee.tab()
    assert tab.subscribe(user_channel("paul"))["type"] == "ack"
    tab.close()
    server.user("carol").post("/call/p/carol-paul", json={"ownerType": "user", "provider": "signal",
                                                         "participants": ["carol", "paul"]})

    back = callee.tab(handshake=False)
    answer = back.handshake(tab.client_id)
    frames = frames_after_handshake(back)

    assert (answer["resume"], answer["missed"]) == ("replayed", 1)
    replayed = [f for f in frames if f.get("channel") == user_channel("paul") and incoming("p/carol-paul")(f["data"])]
    assert len(replayed) == 1
    assert replayed[0]["seq"] == answer["lastSeq"]


def test_events_missed_are_replayed_in_order_with_increasing_sequence_ids(server):
    mary = server.user("mary")
    tab = mary.tab()
    assert tab.subscribe(user_channel("mary"))["type"] == "ack"
    tab.close()
    for caller in ("john", "james"):
        assert server.user(caller).post(f"/call/p/{caller}-mary", json={
            "ownerType": "user", "provider": "signal", "participants": [caller, "mary"]}).status_code == 200

    back = mary.tab(handshake=False)
    back.handshake(tab.client_id)
    frames = [f for f in frames_after_handshake(back) if f.get("channel") == user_channel("mary")]

    assert [f["data"]["callId"] for f in frames] == ["p/john-mary", "p/james-mary"]
    assert frames[0]["seq"] < frames[1]["seq"]


def test_a_tab_naming_the_last_seq_it_saw_gets_only_what_came_after(server):
    alice = server.user("alice")
    tab = alice.tab()
    assert tab.subscribe(user_channel("alice"))["type"] == "ack"
    first = server.user("james").post("/call/p/alice-james", json={"ownerType": "user", "provider": "signal",
                                                                   "participants": ["alice", "james"]})
    assert first.status_code == 200
    seen = tab.message(user_channel("alice"), incoming("p/alice-james"))["seq"]
    server.user("james").delete("/call/p/alice-james")
    tab.close()

    back = alice.tab(handshake=False)
    back.send({"type": "handshake", "clientId": tab.client_id, "lastSeq": seen})
    answer = back.wait_for(lambda f: f.get("type") == "handshake")
    frames = [f for f in frames_after_handshake(back) if f.get("channel") == user_channel("alice")]

    assert answer["resume"] == "replayed"
    assert [(f["data"]["eventType"], f["data"].get("callState")) for f in frames] == [("call_state", "stopped")]
    assert all(f["seq"] > seen for f in frames)


def test_a_tab_that_missed_more_than_is_kept_is_told_to_refresh(server):
    dave = server.user("dave")
    tab = dave.tab()
    assert tab.subscribe(user_channel("dave"))["type"] == "ack"
    tab.close()
    demo = server.user("demo")
    for _ in range(3):  # 3 calls placed and deleted: 6 events, the feed keeps 3
        assert demo.post("/call/p/dave-demo", json={"ownerType": "user", "provider": "signal",
                                                    "participants": ["demo", "dave"]}).status_code == 200
        assert demo.delete("/call/p/dave-demo").status_code == 204

    back = dave.tab(handshake=False)
    answer = back.handshake(tab.client_id)

    assert (answer["resume"], answer["missed"]) == ("refresh", 0)
    assert not [f for f in frames_after_handshake(back) if f.get("channel") == user_channel("dave")]


def test_a_new_tab_starts_with_nothing_to_resume(server):
    answer = server.user("jack").tab(handshake=False).handshake()

    assert (answer["resume"], answer["missed"]) == ("new", 0)
