"""Two server processes on one database, one of them killed: the survivor notices that its lease expired and makes
the tabs the dead one held leave their calls after the grace period, telling the parties connected to it. No Redis:
the leases live in the database."""
from __future__ import annotations

from tests.web.harness import is_event, user_channel

from .harness import FAULT_PROPERTIES, CrashableServer

SPACE_CALL = "g/marketing"  # members include mary and paul


def test_the_survivor_makes_the_tabs_of_a_killed_process_leave_after_its_lease(tmp_path):
    survivor = CrashableServer(tmp_path, properties=FAULT_PROPERTIES).start()
    doomed = CrashableServer(tmp_path, properties=FAULT_PROPERTIES).start()
    try:
        paul = survivor.user("paul").tab()
        assert paul.subscribe(user_channel("paul"))["type"] == "ack"
        mary = doomed.user("mary").tab()
        assert mary.call("create", callId=SPACE_CALL, owner="marketing", ownerType="space", provider="signal",
                         participants=["mary", "paul"])["type"] == "result"
        for tab in (mary, paul):
            assert tab.call("update", callId=SPACE_CALL, state="joined")["type"] == "result"

        doomed.crash()

        left = paul.message(user_channel("paul"), is_event("call_leaved", SPACE_CALL), timeout=15)
        assert left["data"]["part"] == {"id": "mary"}
        states = {p["id"]: p["state"] for p in survivor.user("paul").get(f"/call/{SPACE_CALL}").json()["participants"]}
        assert states == {"mary": "leaved", "paul": "joined"}  # paul's tab lives on: he stays
        survivor.wait_for_log(r"process \w+ stopped renewing its lease")
    finally:
        doomed.crash()
        survivor.stop()
