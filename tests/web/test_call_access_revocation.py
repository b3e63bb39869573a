"""Access to a call channel is not forever: once a call is deleted (or a user stops being one of its parties), their
subscriptions to its channel end with an ``unsubscribed`` frame and their publications are refused."""
from __future__ import annotations

from .harness import call_channel

PROVIDER = "signal"


def subscribed_peer_call(caller, callee) -> str:
    call_id = "p/" + "-".join(sorted((caller.user_id, callee.user_id)))
    created = caller.call("create", callId=call_id, ownerType="user", provider=PROVIDER, title="1:1",
                          participants=[caller.user_id, callee.user_id])
    assert created["type"] == "result", created
    for tab in (caller, callee):
        assert tab.subscribe(call_channel(call_id))["type"] == "ack"
    return call_id


def is_unsubscribed(channel: str):
    return lambda frame: frame.get("type") == "unsubscribed" and frame.get("channel") == channel


def test_deleting_a_call_ends_every_subscription_to_its_channel(login):
    john, mary = login("john"), login("mary")
    john_tab, mary_tab = john.tab(), mary.tab()
    call_id = subscribed_peer_call(john_tab, mary_tab)

    assert john.delete(f"/call/{call_id}").status_code == 204

    for tab in (john_tab, mary_tab):
        frame = tab.wait_for(is_unsubscribed(call_channel(call_id)))
        assert frame["code"] == "ACCESS_ERROR", frame


def test_a_subscriber_of_a_deleted_call_no_longer_receives_its_data(login):
    jack, peter = login("jack"), login("peter")
    jack_tab, peter_tab = jack.tab(), peter.tab()
    call_id = subscribed_peer_call(jack_tab, peter_tab)
    assert jack_tab.request({"type": "publish", "channel": call_channel(call_id),
                             "data": {"offer": "while subscribed"}})["type"] == "ack"
    peter_tab.message(call_channel(call_id), lambda data: data.get("offer") == "while subscribed")  # control
    assert jack.delete(f"/call/{call_id}").status_code == 204
    peter_tab.wait_for(is_unsubscribed(call_channel(call_id)))

    # the same call placed again, without peter's tab subscribing to it this time
    again = jack_tab.call("create", callId=call_id, ownerType="user", provider=PROVIDER, title="1:1",
                          participants=["jack", "peter"])
    assert again["type"] == "result", again
    assert jack_tab.request({"type": "publish", "channel": call_channel(call_id),
                             "data": {"offer": "for whoever subscribed again"}})["type"] == "ack"

    peter_tab.no_message(call_channel(call_id))


def test_publishing_to_a_deleted_call_is_refused_with_access_error(login):
    alice, bob = login("alice"), login("bob")
    alice_tab, bob_tab = alice.tab(), bob.tab()
    call_id = subscribed_peer_call(alice_tab, bob_tab)
    assert alice.delete(f"/call/{call_id}").status_code == 204

    answer = bob_tab.request({"type": "publish", "channel": call_channel(call_id), "data": {"offer": "sdp"}})

    assert answer["type"] == "error" and answer["code"] == "ACCESS_ERROR", answer
    alice_tab.no_message(call_channel(call_id))


def test_a_1to1_call_removed_by_the_last_leave_ends_the_subscriptions(login):
    mary, james = login("mary").tab(), login("james").tab()
    call_id = subscribed_peer_call(mary, james)
    for tab in (mary, james):
        assert tab.call("update", callId=call_id, state="joined")["type"] == "result"

    assert james.call("update", callId=call_id, state="leaved")["data"] == {}  # 1:1 with one side left: removed

    for tab in (mary, james):
        assert tab.wait_for(is_unsubscribed(call_channel(call_id)))["code"] == "ACCESS_ERROR"


def test_a_stopped_group_call_keeps_its_subscriptions(login):
    """Stopping is not revoking: the members of the space may still use the channel of its call."""
    john, alice = login("john").tab(), login("alice").tab()
    call_id = "g/product_team"
    created = john.call("create", callId=call_id, owner="product_team", ownerType="space", provider=PROVIDER,
                        title="Team", participants=["john", "alice"])
    assert created["type"] == "result", created
    for tab in (john, alice):
        assert tab.subscribe(call_channel(call_id))["type"] == "ack"
    assert john.call("update", callId=call_id, state="stopped")["type"] == "result"

    assert john.request({"type": "publish", "channel": call_channel(call_id), "data": {"n": 1}})["type"] == "ack"
    assert alice.message(call_channel(call_id))["data"] == {"n": 1}
    assert not [f for f in alice.inbox if f.get("type") == "unsubscribed"]
