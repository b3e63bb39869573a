"""kill -9 with calls in progress, then a restart on the same data: nothing stays stuck. Every participant joined
through a tab of the dead process leaves once its lease expired and the grace period passed, through the service
(so whoever is connected is told), 1:1 calls are gone, and the same 1:1 call can be placed again."""
from __future__ import annotations

import time

import pytest

from tests.web.harness import is_event, user_channel

from .harness import FAULT_PROPERTIES, CrashableServer, wait_until

ONE_TO_ONE = "p/carol-paul"
SPACE_CALL = "g/marketing"  # members include mary and paul
CLEANUP = 15.0  # lease (3 s) + grace (1 s) + a sweep or two, generously for a loaded machine


def joined(call: dict) -> set[str]:
    return {p["id"] for p in call["participants"] if p["state"] == "joined"}


def crash_with_calls(tmp_path, properties: dict[str, str]) -> CrashableServer:
    """A server that died (kill -9) with a 1:1 call and a group call joined over websockets, and its successor."""
    first = CrashableServer(tmp_path, properties=properties).start()
    try:
        carol, paul, mary = (first.user(u).tab() for u in ("carol", "paul", "mary"))
        assert carol.call("create", callId=ONE_TO_ONE, ownerType="user", provider="signal",
                          participants=["carol", "paul"])["type"] == "result"
        assert mary.call("create", callId=SPACE_CALL, owner="marketing", ownerType="space", provider="signal",
                         participants=["mary", "paul"])["type"] == "result"
        for tab, call_id in ((carol, ONE_TO_ONE), (paul, ONE_TO_ONE), (mary, SPACE_CALL), (paul, SPACE_CALL)):
            assert tab.call("update", callId=call_id, state="joined")["type"] == "result"
    finally:
        first.crash()
    return CrashableServer(tmp_path, port=first.port, properties=properties).start()


@pytest.fixture
def crashed_with_calls(tmp_path):
    second = crash_with_calls(tmp_path, FAULT_PROPERTIES)
    yield second
    second.stop()


def test_participants_of_a_killed_process_leave_after_its_lease_and_the_grace_period(crashed_with_calls):
    mary = crashed_with_calls.user("mary")

    def nobody_joined() -> dict | None:
        call = mary.get(f"/call/{SPACE_CALL}").json()
        return None if joined(call) else call

    call = wait_until(nobody_joined, CLEANUP, "participants of the killed process are still joined")

    assert call["state"] == "stopped"


def test_a_one_to_one_call_of_a_killed_process_is_gone_and_can_be_placed_again(crashed_with_calls):
    carol = crashed_with_calls.user("carol")

    wait_until(lambda: carol.get(f"/call/{ONE_TO_ONE}").status_code == 404, CLEANUP,
               "the 1:1 call of the killed process is still there")
    placed = carol.post(f"/call/{ONE_TO_ONE}", json={"ownerType": "user", "provider": "signal",
                                                      "participants": ["carol", "paul"]})

    assert placed.status_code == 200 and placed.json()["state"] == "started"


def test_a_party_connected_to_the_new_process_is_told_of_the_clean_up(tmp_path):
    # a lease long enough for the successor to start and the watcher to connect before the dead one expires
    second = crash_with_calls(tmp_path, {**FAULT_PROPERTIES, "webconferencing.cluster.lease.seconds": "15"})
    try:
        watcher = second.user("mary").tab()  # a new tab of mary, on the restarted server
        assert watcher.subscribe(user_channel("mary"))["type"] == "ack"

        stopped = watcher.message(user_channel("mary"), is_event("call_state", SPACE_CALL, callState="stopped"),
                                  timeout=15 + CLEANUP)

        assert stopped["data"]["callId"] == SPACE_CALL
        assert "process" in second.wait_for_log(r"process \w+ stopped renewing its lease").group(0)
    finally:
        second.stop()


def test_a_tab_reconnecting_to_the_new_process_within_the_grace_period_keeps_its_call(tmp_path):
    properties = {**FAULT_PROPERTIES, "webconferencing.cluster.lease.seconds": "15"}  # the restart is quicker
    first = CrashableServer(tmp_path, properties=properties).start()
    try:
        tab = first.user("john").tab()
        assert tab.call("create", callId="g/product_team", owner="product_team", ownerType="space",
                        provider="signal", participants=["john", "mary"])["type"] == "result"
        assert tab.call("update", callId="g/product_team", state="joined")["type"] == "result"
    finally:
        first.crash()
    second = CrashableServer(tmp_path, port=first.port, properties=properties).start()
    try:
        john = second.user("john")
        back = john.tab(handshake=False)
        answer = back.handshake(tab.client_id)  # the page reconnects with its client id
        assert answer["clientId"] == tab.client_id
        assert answer["resume"] == "refresh"  # the new process cannot know what the tab missed meanwhile
        second.wait_for_log(r"lease \(expired", timeout=15 + CLEANUP)
        time.sleep(3.0)  # longer than the grace period, and another sweep: time for a wrong clean-up to happen

        assert joined(john.get("/call/g/product_team").json()) == {"john"}
    finally:
        second.stop()
