"""The ring-timeout sweep as a component of a booted container: ringing ends by itself, and bad settings are named."""
from __future__ import annotations

import queue

import pytest

from exo_container.errors import ContainerError
from webconferencing.broker import user_channel
from webconferencing.info import peer_call_id
from webconferencing.ringing import RingTimeouts


def test_a_call_nobody_answers_ends_by_itself_after_the_ring_timeout(boot_core):
    core = boot_core("ringing-configuration.xml", **{"webconferencing.ring.timeout.seconds": "0.3"})
    heard: queue.Queue = queue.Queue()
    core.broker.subscribe(user_channel("john"), lambda _c, data, _s: heard.put(data))
    core.service.add_call(peer_call_id("john", "mary"), "john", "user", None, "mycall", ["john", "mary"])
    core.service.join_call("p/john-mary", "john", "j1")
    events = [heard.get(timeout=10) for _ in range(3)]  # started, joined, then the end (bounded wait, not a timing)
    assert (events[-1]["callState"], events[-1]["reason"]) == ("stopped", "no_answer")


def test_the_sweep_is_a_component_of_the_container(boot_core):
    core = boot_core("ringing-configuration.xml", **{"webconferencing.ring.timeout.seconds": "45"})
    sweep = core.container.get_component_instance_of_type(RingTimeouts)
    assert (sweep.timeout_seconds, sweep.check_seconds) == (45.0, 0.1)


@pytest.mark.parametrize("value", ["soon", "0", "-3"])
def test_a_bad_ring_timeout_is_a_configuration_error_naming_the_parameter(boot_core, value):
    with pytest.raises(ContainerError, match=r"ringing-configuration.xml:4: .*timeout-seconds"):
        boot_core("ringing-configuration.xml", **{"webconferencing.ring.timeout.seconds": value})
