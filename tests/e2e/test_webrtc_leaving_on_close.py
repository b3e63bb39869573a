"""Closing the page a WebRTC call runs in is leaving the call, at once (issue 11): the others must not see a user
who closed the page "joined" for the websocket's grace period (10 s), and that user must not be counted against the
call's participant limit meanwhile.

Two pages run a WebRTC call: the member's own page (the call's overlay, opened by the incoming-call dialog) and the
call page ``/portal/call/<id>`` (its "Join the call" button). Both are closed at the worst moment too: right after
the join went out, before its answer came back (My Connector's call window had that race, fixed in df03cb6).

The display names and the space title carry markup: each test also checks that it reached the page as text.
"""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from .harness import product_server, signed_in_page, wait_provider_ready, webrtc_user

HOSTILE = '<img src=x onerror="window.__xss=1">'
ORGANISATION = {
    "users": [
        webrtc_user("ann", "Ann", HOSTILE),
        webrtc_user("ben", "Ben", HOSTILE),
        webrtc_user("cat", "Cat", "Clark"),
    ],
    "spaces": [
        {"prettyName": "trio", "title": f"Trio {HOSTILE}", "members": ["ann", "ben", "cat"], "managers": ["ann"]},
    ],
}
CALL = "g/trio"
LEFT_WITHIN_S = 3.0  # well under the grace period (10 s) a vanished tab keeps its calls


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with product_server(tmp_path_factory.mktemp("webrtc-close"), ORGANISATION,
                        "webconferencing.testcall.active=false", "webconferencing.myconnector.active=false") as running:
        yield running


def member_page(server, browser, user: str, path: str = "/portal/spaces/trio"):
    page = signed_in_page(browser, server.base_url, user, path)
    wait_provider_ready(page, "webrtc")
    return page


def participant_state(page, user: str) -> str | None:
    """``user``'s state in the call as the server has it now, read from ``page``."""
    return page.evaluate("""([id, user]) => webConferencing.getCall(id).then(call => {
        const part = (call.participants || []).find(p => p.id === user);
        return part ? part.state : null;
    })""", [CALL, user])


def wait_for_state(page, user: str, expected: str | None, timeout: float) -> str | None:
    """Poll the server (through ``page``) until ``user`` is in ``expected`` state, or ``timeout`` seconds passed;
    returns the last state seen."""
    deadline = time.monotonic() + timeout
    while True:
        state = participant_state(page, user)
        if state == expected or time.monotonic() > deadline:
            return state
        time.sleep(0.2)


def start_call(ann) -> None:
    ann.locator(".webconferencing-call[data-space-id=trio][data-built] .webrtc-call-button").click()
    expect(ann.locator(f".webrtc-call[data-call-id='{CALL}']")).to_have_attribute("data-state", "waiting")


# The page goes away in the same task that sends the join, and never reads its answer: what a window closed right
# after it opened does (its answer comes back to a page that is gone). Then the test closes the page for real.
CLOSE_AS_THE_JOIN_GOES_OUT = """() => {
    const updateUserCall = webConferencing.updateUserCall;
    webConferencing.updateUserCall = function(id, state) {
        const sent = updateUserCall.apply(this, arguments);
        if (state !== "joined") {
            return sent;
        }
        sent.catch(() => {});
        window.dispatchEvent(new PageTransitionEvent("pagehide", { persisted: false }));
        return new Promise(() => {});
    };
}"""


def stop_call(page) -> None:
    page.evaluate("""id => {
        const call = webConferencing.findProvider("webrtc").getCall(id);
        if (call && !call.isEnded()) { call.hangup("Test over"); }
        return webConferencing.getCall(id).then(() => true, () => true);
    }""", CALL)


def test_closing_the_page_of_a_group_call_while_its_join_is_on_the_way_still_leaves_the_call(server, media_browser):
    ann = member_page(server, media_browser, "ann")
    ben = member_page(server, media_browser, "ben")
    try:
        start_call(ann)
        ben.evaluate(CLOSE_AS_THE_JOIN_GOES_OUT)
        ben.locator(f".webrtc-incoming[data-call-id='{CALL}'] button.accept").click()
        expect(ben.locator(f".webrtc-call[data-call-id='{CALL}']")).to_have_attribute("data-end-reason", "ended")
        ben.close()
        assert wait_for_state(ann, "ben", "leaved", LEFT_WITHIN_S) == "leaved"
        assert ann.evaluate("window.__xss") is None
    finally:
        stop_call(ann)
        ann.context.close()
        ben.context.close()


def test_closing_the_call_page_leaves_the_call_at_once(server, media_browser):
    ann = member_page(server, media_browser, "ann")
    cat = signed_in_page(media_browser, server.base_url, "cat", "/portal/people")
    try:
        start_call(ann)
        cat.goto(f"/portal/call/{CALL}")
        cat.locator("#call-join .call-join-button").click()
        assert wait_for_state(ann, "cat", "joined", 10) == "joined"
        cat.close()
        assert wait_for_state(ann, "cat", "leaved", LEFT_WITHIN_S) == "leaved"
        assert ann.evaluate("window.__xss") is None
    finally:
        stop_call(ann)
        ann.context.close()
        cat.context.close()


def test_closing_the_call_page_while_its_join_is_on_the_way_still_leaves_the_call(server, media_browser):
    ann = member_page(server, media_browser, "ann")
    cat = signed_in_page(media_browser, server.base_url, "cat", "/portal/people")
    try:
        start_call(ann)
        cat.goto(f"/portal/call/{CALL}")
        expect(cat.locator(".call-summary h1")).to_have_text(f"Trio {HOSTILE}")  # the space's title, as text
        cat.evaluate(CLOSE_AS_THE_JOIN_GOES_OUT)
        cat.locator("#call-join .call-join-button").click()
        cat.wait_for_function("() => { const c = document.getElementById('call-join').callPageCall;"
                              " return c && c.isEnded(); }")
        cat.close()
        assert wait_for_state(ann, "cat", "leaved", LEFT_WITHIN_S) == "leaved"
        assert ann.evaluate("window.__xss") is None
    finally:
        stop_call(ann)
        ann.context.close()
        cat.context.close()
