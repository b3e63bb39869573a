"""A tab's life in one server process (webconferencing.web.clients): every state x action either moves as the
transition table says, with one log line, or is refused naming the current state."""
from __future__ import annotations

import logging

import pytest

from webconferencing.web.clients import TRANSITIONS, ClientState, HubClient, InvalidClientTransition

STATES = [None, *ClientState]
ACTIONS = sorted({action for _state, action in TRANSITIONS})


def client_in(state: ClientState | None) -> HubClient:
    return HubClient("tab-0001", "mary", state=state)


@pytest.mark.parametrize("state", STATES, ids=lambda s: s.value if s else "new")
@pytest.mark.parametrize("action", ACTIONS)
def test_every_state_and_action_moves_by_the_table_or_is_refused(state, action):
    client = client_in(state)
    target = TRANSITIONS.get((state, action))

    if target is None:
        with pytest.raises(InvalidClientTransition, match=f"cannot {action} when {state.value if state else 'new'}"):
            client.move(action)
        assert client.state is state
    else:
        assert client.move(action) is target
        assert client.state is target


def test_terminal_states_allow_no_action():
    for state in (ClientState.GONE, ClientState.HANDED_OVER, ClientState.RELEASED):
        assert not [action for (source, action) in TRANSITIONS if source is state]


def test_a_transition_is_logged_once_with_the_old_and_new_state(caplog):
    client = client_in(ClientState.CONNECTED)

    with caplog.at_level(logging.INFO, logger="webconferencing.web.clients"):
        client.move("drop", "calls ['g/x']")

    assert [r.getMessage() for r in caplog.records] == [
        "client tab-0001 of mary: connected -> in grace (drop: calls ['g/x'])"]


def test_only_a_connected_tab_is_handed_frames():
    sent = []

    class Recorder:
        def send(self, text: str) -> None:
            sent.append(text)

        def close(self) -> None:
            pass

    client = client_in(ClientState.IN_GRACE)
    client.connection = Recorder()
    client.deliver({"type": "message"})
    client.state = ClientState.CONNECTED
    client.deliver({"type": "message"})

    assert sent == ['{"type":"message"}']
