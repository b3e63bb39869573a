"""What the people in a WebRTC call see of each other and of its end (issue 11), in Debian's chromium with fake
camera and microphone: tiles named with display names, a remote mute / camera-off indicator that a late joiner sees
too, a clearly ended call after a hang-up on either side, a hang-up that leaves no error in either console, and a
space with more WebRTC members than a call can hold, whose call button says so instead of vanishing.

The users, their names and the spaces come from this test's own identity data file, with markup in display names
and a space title: each test also checks that it reached the page as text (``window.__xss`` stays unset).
"""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .harness import ROOT, product_server, running_server, signed_in_page, wait_provider_ready, webrtc_user

CONNECT_TIMEOUT_MS = 20000
HOSTILE = '<img src=x onerror="window.__xss=1">'

ANN = f"Ann {HOSTILE}"  # display names: first and last name
BEN = "Ben Brown"
CROWD = ("ann", "ben", "cat", "dan", "eve")  # five WebRTC members: one more than a WebRTC call holds
CROWD_TITLE = f"Crowd {HOSTILE}"
ORGANISATION = {
    "users": [
        webrtc_user("ann", "Ann", HOSTILE, admin=True),
        webrtc_user("ben", "Ben", "Brown"),
        webrtc_user("cat", "Cat", "Clark"),
        webrtc_user("dan", "Dan", "Davis"),
        webrtc_user("eve", "Eve", "Evans"),
    ],
    "spaces": [
        {"prettyName": "crowd", "title": CROWD_TITLE, "members": list(CROWD), "managers": ["ann"]},
        {"prettyName": "trio", "title": "Trio", "members": ["ann", "ben", "cat"], "managers": ["ann"]},
    ],
}
CALL = "p/ann-ben"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """The product's WebRTC connector alone, with this test's organisation as its identity directory."""
    with product_server(tmp_path_factory.mktemp("webrtc-experience"), ORGANISATION,
                        "webconferencing.testcall.active=false", "webconferencing.myconnector.active=false") as running:
        yield running


class Console:
    """Every console message of a page, as "type: text"."""

    def __init__(self, page):
        self.lines: list[str] = []
        page.on("console", lambda message: self.lines.append(f"{message.type}: {message.text}"))
        page.on("pageerror", lambda error: self.lines.append(f"pageerror: {error}"))

    def problems(self) -> list[str]:
        return [line for line in self.lines if line.startswith(("error:", "warning:", "pageerror:"))]


def user_page(server, browser, user: str, path: str):
    page = signed_in_page(browser, server.base_url, user, path)
    page.console = Console(page)
    wait_provider_ready(page, "webrtc")
    return page


@pytest.fixture
def pair(hostile_server, media_browser):
    """Ann on the people page, Ben on Ann's profile; both signed in, in their own browser contexts."""
    ann = user_page(hostile_server, media_browser, "ann", "/portal/people")
    ben = user_page(hostile_server, media_browser, "ben", "/portal/profile/ann")
    yield ben, ann
    for page in (ben, ann):
        page.context.close()


def connected(page, call_id: str, count: int = 1) -> None:
    """This tab's call has ``count`` peer connections, all connected."""
    page.wait_for_function(
        """([id, count]) => {
            const call = webConferencing.findProvider("webrtc").getCall(id);
            const pcs = call ? call.peerConnections() : [];
            return pcs.length === count && pcs.every(pc => pc.connectionState === "connected");
        }""", arg=[call_id, count], timeout=CONNECT_TIMEOUT_MS)


def connect(ben, ann):
    """Ben calls Ann, who accepts; both connected."""
    ben.locator(".webconferencing-call[data-user-id=ann] .webrtc-call-button").click()
    ringing = ann.locator(f".webrtc-incoming[data-call-id='{CALL}']")
    expect(ringing).to_contain_text("Ben Brown is calling you")
    ringing.locator("button.accept").click()
    for page in (ben, ann):
        connected(page, CALL)


def settled(page, call_id: str) -> None:
    """Whatever this tab sent on its websocket so far has been answered (and logged, if refused): a call frame sent
    now is answered after it."""
    page.evaluate("id => webConferencing.getCall(id).then(() => true, () => true)", call_id)


def tile(page, user: str):
    return page.locator(f".webrtc-call .webrtc-peer[data-user-id={user}]")


def assert_no_script_ran(*pages) -> None:
    for page in pages:
        assert page.evaluate("window.__xss") is None


def test_a_hang_up_leaves_no_error_or_warning_in_either_console(pair):
    ben, ann = pair
    connect(ben, ann)
    ben.locator(".webrtc-call .webrtc-hangup").click()
    for page in (ben, ann):
        expect(page.locator(f".webrtc-call[data-call-id='{CALL}']")).to_have_attribute("data-state", "ended")
    for page in (ben, ann):
        settled(page, CALL)
    assert (ben.console.problems(), ann.console.problems()) == ([], [])
    assert_no_script_ran(ben, ann)


# ******** Tiles: names and what each one sends ********

def test_each_tile_is_named_with_the_other_one_s_display_name_as_text(pair):
    ben, ann = pair
    connect(ben, ann)
    expect(ben.locator(".webrtc-call .webrtc-peer[data-user-id=ann] .webrtc-peer-name")).to_have_text(ANN)
    expect(ann.locator(".webrtc-call .webrtc-peer[data-user-id=ben] .webrtc-peer-name")).to_have_text(BEN)
    assert ben.locator(".webrtc-call img").count() == 0
    assert_no_script_ran(ben, ann)


def test_muting_the_microphone_shows_a_named_indicator_on_the_other_side_s_tile_until_unmuted(pair):
    ben, ann = pair
    connect(ben, ann)
    muted = tile(ann, "ben").locator(".webrtc-peer-muted")
    expect(muted).to_be_hidden()
    ben.locator(".webrtc-call .webrtc-mute").click()
    expect(muted).to_be_visible()
    expect(muted).to_have_attribute("role", "img")
    expect(muted).to_have_attribute("aria-label", "Microphone muted")
    expect(muted).to_have_attribute("title", "Microphone muted")
    expect(tile(ann, "ben").locator(".webrtc-peer-camera-off")).to_be_hidden()
    expect(tile(ben, "ann").locator(".webrtc-peer-muted")).to_be_hidden()  # only the one who muted
    ben.locator(".webrtc-call .webrtc-mute").click()
    expect(muted).to_be_hidden()
    assert_no_script_ran(ben, ann)


def test_turning_the_camera_off_shows_a_named_indicator_on_the_other_side_s_tile_until_back_on(pair):
    ben, ann = pair
    connect(ben, ann)
    camera_off = tile(ben, "ann").locator(".webrtc-peer-camera-off")
    ann.locator(".webrtc-call .webrtc-camera").click()
    expect(camera_off).to_be_visible()
    expect(camera_off).to_have_attribute("aria-label", "Camera off")
    expect(tile(ben, "ann")).to_have_attribute("data-video", "off")
    ann.locator(".webrtc-call .webrtc-camera").click()
    expect(camera_off).to_be_hidden()
    expect(tile(ben, "ann")).to_have_attribute("data-video", "on")
    assert_no_script_ran(ben, ann)


TRIO_CALL = "g/trio"


def test_who_joins_late_sees_who_is_already_muted(hostile_server, media_browser):
    pages = {user: user_page(hostile_server, media_browser, user, "/portal/spaces/trio")
             for user in ("ann", "ben", "cat")}
    try:
        ann, ben, cat = pages["ann"], pages["ben"], pages["cat"]
        ann.locator(".webconferencing-call[data-space-id=trio] .webrtc-call-button").click()
        incoming = ben.locator(f".webrtc-incoming[data-call-id='{TRIO_CALL}']")
        incoming.locator("button.accept").click()
        connected(ben, TRIO_CALL)
        ben.locator(".webrtc-call .webrtc-mute").click()
        expect(tile(ann, "ben").locator(".webrtc-peer-muted")).to_be_visible()

        cat.locator(f".webrtc-incoming[data-call-id='{TRIO_CALL}'] button.accept").click()
        connected(cat, TRIO_CALL, 2)

        expect(tile(cat, "ben").locator(".webrtc-peer-muted")).to_be_visible()
        expect(tile(cat, "ann").locator(".webrtc-peer-muted")).to_be_hidden()
        expect(tile(cat, "ann").locator(".webrtc-peer-name")).to_have_text(ANN)
        assert_no_script_ran(*pages.values())
    finally:
        for page in pages.values():
            page.evaluate("""id => {
                const call = webConferencing.findProvider("webrtc").getCall(id);
                if (call && !call.isEnded()) { call.hangup("Test over"); }
                return webConferencing.getCall(id).then(() => true, () => true);
            }""", TRIO_CALL)
            page.context.close()


# ******** The end of a call ********

# What the ended overlay shows, read in the first frame it is ended (it goes by itself after a few seconds): its
# texts as shown (null when not displayed), every control but Close still displayed or enabled, the tiles left and
# whether Close has the focus
ENDED_VIEW = """id => {
    const overlay = document.querySelector(`.webrtc-call[data-call-id="${id}"]`);
    if (!overlay || overlay.dataset.state !== "ended") { return null; }
    const shown = node => node.getClientRects().length > 0;
    const text = selector => {
        const node = overlay.querySelector(selector);
        return shown(node) ? node.textContent : null;
    };
    const controls = [...overlay.querySelectorAll(".webrtc-controls button, .webrtc-controls select")];
    return {
        endReason: overlay.dataset.endReason,
        label: text(".webrtc-call-ended"),
        status: text(".webrtc-call-status"),
        live: controls.filter(c => !c.classList.contains("webrtc-close") && (shown(c) || !c.disabled))
            .map(c => c.className),
        closeShown: shown(overlay.querySelector(".webrtc-close")),
        tiles: overlay.querySelectorAll(".webrtc-peer").length,
        closeFocused: document.activeElement === overlay.querySelector(".webrtc-close"),
    };
}"""


def assert_ended(page, reason: str, code: str) -> None:
    """The overlay says the call ended, and why; nothing of the call can be used any more but Close."""
    seen = page.wait_for_function(ENDED_VIEW, arg=CALL, timeout=CONNECT_TIMEOUT_MS).json_value()
    assert seen == {"endReason": code, "label": "Call ended", "status": reason, "live": [], "closeShown": True,
                    "tiles": 0, "closeFocused": True}


def test_after_a_hang_up_both_sides_show_the_call_ended_and_who_hung_up(pair):
    ben, ann = pair
    connect(ben, ann)
    ann.locator(".webrtc-call .webrtc-hangup").click()
    assert_ended(ann, "You hung up", "hung_up")
    assert_ended(ben, f"{ANN} hung up", "hung_up")
    assert_no_script_ran(ben, ann)


def test_a_declined_call_shows_the_caller_who_declined(pair):
    ben, ann = pair
    ann.locator(".webconferencing-call[data-user-id=ben] .webrtc-call-button").click()
    ben.locator(f".webrtc-incoming[data-call-id='{CALL}'] button.decline").click()
    assert_ended(ann, "Ben Brown declined", "declined")
    assert_no_script_ran(ben, ann)


# ******** More WebRTC members than a call holds ********

def space_button(page, space: str):
    return page.locator(f".webconferencing-call[data-space-id={space}][data-built] .webrtc-call-button")


def test_a_space_with_more_webrtc_members_than_a_call_holds_shows_its_button_with_the_limit(hostile_server,
                                                                                           browser):
    eve = user_page(hostile_server, browser, "eve", "/portal/spaces/crowd")
    try:
        button = space_button(eve, "crowd")
        expect(button).to_be_visible()
        expect(button).to_be_enabled()
        expect(button.locator(".webrtc-call-limit")).to_have_text("up to 4 people")
        expect(button.locator(".webrtc-call-limit")).to_be_visible()
        expect(button).to_have_attribute(
            "title", "WebRTC calls are limited to 4 people; this space has 5 WebRTC members: the first 4 to join "
                     "are in the call")
        assert_no_script_ran(eve)
    finally:
        eve.context.close()


def test_a_space_within_the_limit_shows_its_button_without_a_limit_note(hostile_server, browser):
    ann = user_page(hostile_server, browser, "ann", "/portal/spaces/trio")
    try:
        expect(space_button(ann, "trio")).to_be_visible()
        expect(space_button(ann, "trio").locator(".webrtc-call-limit")).to_have_count(0)
    finally:
        ann.context.close()


CROWD_CALL = "g/crowd"


def set_max_participants(page, value: int) -> None:
    page.evaluate("max => webConferencing.rest('POST', '/provider/webrtc/configuration', {maxParticipants: max})",
                  str(value))


def test_who_joins_a_full_call_is_told_the_call_is_full_and_why(hostile_server, media_browser):
    admin = user_page(hostile_server, media_browser, "ann", "/portal/people")
    set_max_participants(admin, 2)  # two in, the third is one too many (lighter than five browsers)
    pages = {}
    try:
        pages = {user: user_page(hostile_server, media_browser, user, "/portal/spaces/crowd")
                 for user in ("ann", "ben", "cat")}
        ann, ben, cat = pages["ann"], pages["ben"], pages["cat"]
        space_button(ann, "crowd").click()
        ben.locator(f".webrtc-incoming[data-call-id='{CROWD_CALL}'] button.accept").click()
        connected(ben, CROWD_CALL)

        # her dialog says the call is full and offers no Accept (tests/e2e/test_webrtc_full_call.py): she declines
        # it and presses the space's button anyway
        cat.locator(f".webrtc-incoming[data-call-id='{CROWD_CALL}'][data-full=true] button.decline").click()
        space_button(cat, "crowd").click()

        overlay = cat.locator(f".webrtc-call[data-call-id='{CROWD_CALL}']")
        expect(overlay).to_have_attribute("data-state", "ended")
        expect(overlay).to_have_attribute("data-end-reason", "full")
        expect(overlay.locator(".webrtc-call-status")).to_have_text(
            "This call is full: WebRTC calls are limited to 2 people")
        expect(cat.locator(".webconferencing-dialog")).to_have_count(0)  # said once, in the call's window
        assert_no_script_ran(*pages.values())
    finally:
        for page in pages.values():
            page.evaluate("""id => {
                const call = webConferencing.findProvider("webrtc").getCall(id);
                if (call && !call.isEnded()) { call.hangup("Test over"); }
                return webConferencing.getCall(id).then(() => true, () => true);
            }""", CROWD_CALL)
            page.context.close()
        set_max_participants(admin, 4)
        admin.context.close()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """The demo organisation with the product's connectors (product_team: six members, five of them WebRTC users)."""
    with running_server(tmp_path_factory.mktemp("webrtc-demo"), extensions=ROOT / "extensions") as running:
        yield running


def test_james_whose_only_account_is_webrtc_sees_the_product_team_s_call_button_with_the_limit(demo_server,
                                                                                             browser):
    james = user_page(demo_server, browser, "james", "/portal/spaces/product_team")
    try:
        container = james.locator(".webconferencing-call[data-space-id=product_team][data-built]")
        expect(container.locator(".webconferencing-call-action")).to_have_count(1)  # WebRTC's, and no other
        button = container.locator(".webrtc-call-button")
        expect(button).to_be_visible()
        expect(button.locator(".webrtc-call-limit")).to_have_text("up to 4 people")
        expect(button).to_have_attribute("title", re.compile(r"^WebRTC calls are limited to 4 people; this space "
                                                             r"has 5 WebRTC members"))
    finally:
        james.context.close()


def test_hanging_up_before_an_answer_shows_the_caller_the_call_cancelled_and_stops_the_ringing(pair):
    ben, ann = pair
    ann.locator(".webconferencing-call[data-user-id=ben] .webrtc-call-button").click()
    ringing = ben.locator(f".webrtc-incoming[data-call-id='{CALL}']")
    expect(ringing).to_contain_text(f"{ANN} is calling you")
    ann.locator(".webrtc-call .webrtc-hangup").click()
    assert_ended(ann, "Call cancelled", "cancelled")
    expect(ringing).to_have_count(0)
    assert_no_script_ran(ben, ann)
