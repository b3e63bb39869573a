"""The broker interface, its channel names, and the in-process broker."""
from __future__ import annotations

import threading

import pytest

from exo_container import ConfigurationError
from webconferencing.broker import (ConfiguredBroker, call_channel, call_of_channel, create_broker, user_channel,
                                    user_of_channel)
from webconferencing.broker.inprocess import InProcessBroker
from exo_container import InitParams, ValueParam


def test_channel_names():
    assert user_channel("john") == "/webconferencing/user/john"
    assert call_channel("p/john-mary") == "/webconferencing/call/p/john-mary"
    assert call_of_channel("/webconferencing/call/p/john-mary") == "p/john-mary"
    assert user_of_channel("/webconferencing/user/john") == "john"
    assert user_of_channel("/webconferencing/call/g/x") is None and call_of_channel("/other") is None


def test_subscribers_of_a_channel_get_its_messages_with_the_sender():
    broker = InProcessBroker()
    got = []
    broker.subscribe("/a", lambda ch, data, sender: got.append((ch, data, sender)))
    broker.subscribe("/b", lambda ch, data, sender: got.append(("wrong", data)))
    broker.publish("/a", {"x": 1}, {"userId": "john", "clientId": "c1"})
    assert got == [("/a", {"x": 1}, {"userId": "john", "clientId": "c1"})]


def test_cancelled_subscription_gets_nothing_and_cancel_is_idempotent():
    broker = InProcessBroker()
    got = []
    sub = broker.subscribe("/a", lambda *m: got.append(m))
    sub.cancel()
    sub.cancel()
    broker.publish("/a", {})
    assert got == [] and broker.subscriber_count("/a") == 0


def test_a_failing_subscriber_does_not_stop_delivery_to_the_next():
    broker = InProcessBroker()
    got = []
    broker.subscribe("/a", lambda *m: 1 / 0)
    broker.subscribe("/a", lambda ch, data, sender: got.append(data))
    broker.publish("/a", {"n": 1})
    assert got == [{"n": 1}]


def test_concurrent_subscribe_and_publish_lose_no_subscriber():
    broker = InProcessBroker()
    counts = [0] * 20

    def subscribe(i):
        broker.subscribe("/a", lambda *m: counts.__setitem__(i, counts[i] + 1))

    threads = [threading.Thread(target=subscribe, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    broker.publish("/a", {})
    assert counts == [1] * 20


def test_closed_broker_refuses_subscriptions():
    broker = InProcessBroker()
    broker.close()
    with pytest.raises(RuntimeError):
        broker.subscribe("/a", lambda *m: None)


def test_broker_is_chosen_by_url():
    assert isinstance(create_broker("inprocess"), InProcessBroker)
    assert isinstance(ConfiguredBroker(InitParams([ValueParam("url", value="inprocess")])).delegate, InProcessBroker)
    assert isinstance(ConfiguredBroker(None).delegate, InProcessBroker)


def test_unknown_broker_url_is_a_configuration_error():
    with pytest.raises(ConfigurationError, match="webconferencing.broker"):
        create_broker("kafka://somewhere")
