"""The WebRTC connector's call state (extensions/webrtc/static/js/webrtc/call-state.js), run in chromium on its own:
every state x action is taken to the state the rules below name, or refused with an error naming the state. The
rules are written here from the connector's documentation, not read from the script, so a changed table fails."""
from __future__ import annotations

import pytest

from .harness import ROOT

CALL_STATE_JS = ROOT / "extensions" / "webrtc" / "static" / "js" / "webrtc" / "call-state.js"

ACTIONS = ("mediaReady", "joined", "peerConnected", "peerFailed", "peersLost", "end")
# state -> the actions that lead somewhere, and where; every other action is refused
RULES = {
    "starting": {"mediaReady": "joining", "end": "ended"},
    "joining": {"joined": "waiting", "end": "ended"},
    "waiting": {"peerConnected": "connected", "peerFailed": "failed", "end": "ended"},
    "connected": {"peersLost": "waiting", "peerFailed": "failed", "end": "ended"},
    "failed": {"peerConnected": "connected", "peersLost": "waiting", "end": "ended"},
    "ended": {},
}
# how a call gets to each state from its start
PATHS = {
    "starting": [],
    "joining": ["mediaReady"],
    "waiting": ["mediaReady", "joined"],
    "connected": ["mediaReady", "joined", "peerConnected"],
    "failed": ["mediaReady", "joined", "peerFailed"],
    "ended": ["end"],
}
# A state machine whose log lines are kept, brought to a state by its path, then given one action
APPLY = """([path, action]) => {
    const lines = [];
    const state = new webrtcConnector.CallState("g/x", { info: line => lines.push(line) });
    path.forEach(step => state.apply(step));
    try {
        return { state: state.apply(action), lines: lines };
    } catch (error) {
        return { error: error.name, message: error.message, state: state.name, lines: lines };
    }
}"""


@pytest.fixture(scope="module")
def page(browser):
    """A blank page with only the state script loaded."""
    context = browser.new_context()
    blank = context.new_page()
    blank.add_script_tag(content=CALL_STATE_JS.read_text(encoding="utf-8"))
    yield blank
    context.close()


@pytest.mark.parametrize("state, action", [(s, a) for s in RULES for a in ACTIONS])
def test_each_action_in_each_state_is_taken_or_refused_naming_the_state(page, state, action):
    result = page.evaluate(APPLY, [PATHS[state], action])
    expected = RULES[state].get(action)
    if expected:
        assert result["state"] == expected
    else:
        assert result == {"error": "CallStateError", "message": f"Call g/x: cannot {action} when {state}",
                          "state": state, "lines": result["lines"]}


def test_every_transition_is_logged_as_old_to_new_with_its_action_and_reason(page):
    result = page.evaluate(APPLY, [["mediaReady", "joined"], "end"])
    assert result["lines"] == ["g/x: starting -> joining (mediaReady)", "g/x: joining -> waiting (joined)",
                               "g/x: waiting -> ended (end)"]


def test_a_refused_action_changes_nothing_and_logs_nothing(page):
    result = page.evaluate(APPLY, [["end"], "joined"])
    assert (result["state"], result["lines"]) == ("ended", ["g/x: starting -> ended (end)"])


def test_listeners_see_the_new_state_and_its_reason(page):
    seen = page.evaluate("""() => {
        const state = new webrtcConnector.CallState("p/a-b", { info: () => {} });
        const seen = [];
        state.onChange(changed => seen.push([changed.name, changed.reason]));
        state.apply("end", "The other side hung up");
        return seen;
    }""")
    assert seen == [["ended", "The other side hung up"]]
