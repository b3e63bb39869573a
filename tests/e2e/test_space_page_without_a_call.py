"""A space's or room's page asks on load whether its group call runs (the "call in progress" banner, issue 11). When
none does, the answer is "no call", not an error: the page's websocket carries no error frame (a newcomer reading
devtools saw NOT_FOUND_ERROR on every space page). The banner still shows a call that starts later.

Who may not see a call learns nothing from that read: tests/security/test_authorization_matrix.py (``find``).

The space's and room's titles and a display name carry markup: each test also checks they reached the page as text.
"""
from __future__ import annotations

import json
import time

import pytest
from playwright.sync_api import expect

from .harness import product_server, signed_in_page, wait_provider_ready, webrtc_user

HOSTILE = '<img src=x onerror="window.__xss=1">'
SPACE_TITLE = f"Crowd {HOSTILE}"
ROOM_TITLE = f"Huddle {HOSTILE}"
ROOM_ID = "team-0a1b2c3d4e5f6071"
ORGANISATION = {
    "users": [
        webrtc_user("ann", "Ann", HOSTILE),
        webrtc_user("ben", "Ben", "Brown"),
    ],
    "spaces": [{"prettyName": "crowd", "title": SPACE_TITLE, "members": ["ann", "ben"], "managers": ["ann"]}],
    "rooms": [{"id": ROOM_ID, "name": "huddle", "title": ROOM_TITLE, "members": ["ann", "ben"]}],
}
ANSWER_TIMEOUT_S = 15.0


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with product_server(tmp_path_factory.mktemp("space-no-call"), ORGANISATION,
                        "webconferencing.testcall.active=false", "webconferencing.myconnector.active=false") as running:
        yield running


class Frames:
    """Every frame of the page's websockets from now on, parsed, in both directions."""

    def __init__(self, page):
        self.page = page
        self.sent: list[dict] = []
        self.received: list[dict] = []
        page.on("websocket", self._watch)

    def _watch(self, socket) -> None:
        socket.on("framesent", lambda payload: self.sent.append(json.loads(payload)))
        socket.on("framereceived", lambda payload: self.received.append(json.loads(payload)))

    def first_read_of(self, call_id: str) -> dict:
        """The server's answer to the first ``call`` frame about ``call_id`` the page sent (waited for)."""
        deadline = time.monotonic() + ANSWER_TIMEOUT_S
        while time.monotonic() < deadline:
            ids = [f.get("id") for f in self.sent if f.get("type") == "call" and f.get("callId") == call_id]
            answers = [f for f in self.received if ids and f.get("id") == ids[0]]
            if answers:
                return answers[0]
            self.page.wait_for_timeout(100)
        raise AssertionError(f"no read of {call_id}: sent {self.sent}, received {self.received}")

    def errors(self) -> list[dict]:
        return [f for f in self.received if f.get("type") == "error"]


def open_watched(server, browser, user: str, path: str):
    """``user`` signed in, then ``path`` opened with its websocket frames recorded from the start."""
    page = signed_in_page(browser, server.base_url, user, "/portal/people")
    frames = Frames(page)
    page.goto(path)
    wait_provider_ready(page, "webrtc")
    return page, frames


@pytest.mark.parametrize("path, call_id, title", [("/portal/spaces/crowd", "g/crowd", SPACE_TITLE),
                                                  (f"/portal/rooms/{ROOM_ID}", f"g/{ROOM_ID}", ROOM_TITLE)])
def test_a_group_page_without_a_call_learns_it_without_an_error_frame(server, browser, path, call_id, title):
    ann, frames = open_watched(server, browser, "ann", path)
    try:
        answer = frames.first_read_of(call_id)
        assert (answer["type"], answer.get("data")) == ("result", None)
        assert frames.errors() == []
        expect(ann.locator(".call-in-progress")).to_be_hidden()
        expect(ann.locator(".group .profile-head")).to_contain_text(title)
        assert ann.evaluate("window.__xss") is None
    finally:
        ann.context.close()


def test_the_banner_still_shows_a_call_that_starts_after_the_page_loaded(server, browser):
    ann, frames = open_watched(server, browser, "ann", "/portal/spaces/crowd")
    ben = signed_in_page(browser, server.base_url, "ben", "/portal/spaces/crowd")
    try:
        frames.first_read_of("g/crowd")
        ben.evaluate("""() => webConferencing.addCall("g/crowd", {owner: "crowd", ownerType: "space",
            provider: "webrtc", title: "Crowd", participants: "ben;ann"})""")
        banner = ann.locator(".call-in-progress")
        expect(banner).to_be_visible()
        expect(banner.locator(".call-in-progress-text")).to_have_text("WebRTC call in progress ")
        assert frames.errors() == []
        assert ann.evaluate("window.__xss") is None
    finally:
        ben.evaluate("() => webConferencing.updateUserCall('g/crowd', 'stopped').catch(() => null)")
        ann.context.close()
        ben.context.close()
