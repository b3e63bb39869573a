"""What the broker and the websocket send queues record: messages published and handed to local subscribers, the
fan-out time of each message, and tabs cut off because they stopped reading."""
from __future__ import annotations

import socket

from prometheus_client import REGISTRY

from webconferencing.broker.inprocess import InProcessBroker
from webconferencing.web.outbox import Outbox


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_a_published_message_counts_once_and_its_deliveries_once_per_subscriber():
    broker = InProcessBroker()
    received = []
    channel = "/webconferencing/call/g/metrics-room"
    for _ in range(2):
        broker.subscribe(channel, lambda _channel, data, _sender: received.append(data))
    published = sample("webconferencing_messages_published_total", channel_kind="call")
    delivered = sample("webconferencing_messages_delivered_total", channel_kind="call")
    fanouts = sample("webconferencing_fanout_duration_seconds_count")

    broker.publish(channel, {"offer": "sdp"})

    assert received == [{"offer": "sdp"}, {"offer": "sdp"}]
    assert sample("webconferencing_messages_published_total", channel_kind="call") == published + 1
    assert sample("webconferencing_messages_delivered_total", channel_kind="call") == delivered + 2
    assert sample("webconferencing_fanout_duration_seconds_count") == fanouts + 1


def test_a_message_nobody_here_listens_to_is_published_but_not_fanned_out():
    broker = InProcessBroker()
    delivered = sample("webconferencing_messages_delivered_total", channel_kind="user")
    fanouts = sample("webconferencing_fanout_duration_seconds_count")
    published = sample("webconferencing_messages_published_total", channel_kind="user")

    broker.publish("/webconferencing/user/nobody-here", {"eventType": "call_state"})

    assert sample("webconferencing_messages_published_total", channel_kind="user") == published + 1
    assert sample("webconferencing_messages_delivered_total", channel_kind="user") == delivered
    assert sample("webconferencing_fanout_duration_seconds_count") == fanouts


def test_a_peer_that_stops_reading_overflows_its_send_queue_once():
    ours, peer = socket.socketpair()  # the peer never reads: our socket's buffers fill up
    ours.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    overflows = []

    def try_write(data: bytes) -> int:
        try:
            return ours.send(data, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return 0

    outbox = Outbox(lambda text: text.encode(), try_write, ours.sendall, 4, on_overflow=lambda: overflows.append(1),
                    on_error=lambda exc: None)
    before = sample("webconferencing_send_queue_overflows_total")
    try:
        frame = "x" * 65536
        while outbox.put(frame):
            pass
    finally:
        ours.close()  # ends the writer blocked on the full socket
        peer.close()

    assert overflows == [1]
    assert sample("webconferencing_send_queue_overflows_total") == before + 1
