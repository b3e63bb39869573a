"""Real WebRTC video calls between browsers (Debian chromium with fake camera and microphone) through the webrtc
connector of extensions/: signalling over the call channel, media peer to peer on loopback. 1:1 calls between two
users (what the overlay shows in each state, display names on the tiles, hanging up at any time), a group call of a
space whose three WebRTC users connect as a mesh, and the admin's settings form."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from .harness import ROOT, running_server, signed_in_page, wait_provider_ready

CALL = "p/john-mary"
HANGUP_BOUND_MS = 2000
# The product's connectors, besides the harness's test connector (switched off: its button would be one more)
PRODUCT_EXTENSIONS = f"exo.extensions.dirs={ROOT / 'extensions'}"


@pytest.fixture(scope="module")
def webrtc_server(tmp_path_factory):
    """Only the webrtc provider on: its button is the single one, and no other connector's module runs."""
    with running_server(tmp_path_factory.mktemp("webrtc-server"), PRODUCT_EXTENSIONS,
                        "webconferencing.testcall.active=false",
                        "webconferencing.myconnector.active=false") as running:
        yield running


@pytest.fixture
def pair(webrtc_server, media_browser):
    """Mary on the people page, John on Mary's profile; both signed in, in their own browser contexts."""
    mary = signed_in_page(media_browser, webrtc_server.base_url, "mary", "/portal/people")
    john = signed_in_page(media_browser, webrtc_server.base_url, "john", "/portal/profile/mary")
    wait_provider_ready(mary, "webrtc")
    wait_provider_ready(john, "webrtc")
    yield john, mary
    for page in (john, mary):
        page.context.close()


def connect(john, mary):
    john.locator(".webconferencing-call[data-user-id=mary] .webrtc-call-button").click()
    ringing = mary.locator(f".webrtc-incoming[data-call-id='{CALL}']")
    expect(ringing).to_contain_text("John Smith is calling you")
    ringing.locator("button.accept").click()
    for page in (john, mary):
        page.wait_for_function(
            """id => {
                const call = webConferencing.findProvider("webrtc").getCall(id);
                return call && call.peerConnections().some(pc => pc.connectionState === "connected");
            }""", arg=CALL, timeout=15000)


def remote_video(page) -> dict:
    return page.evaluate("""() => {
        const video = document.querySelector(".webrtc-call .webrtc-peer video");
        return {width: video.videoWidth, frames: video.getVideoPlaybackQuality().totalVideoFrames};
    }""")


def keep_peer_connections(page) -> None:
    page.evaluate("id => { window.keptPcs = webConferencing.findProvider('webrtc').getCall(id).peerConnections(); }",
                  CALL)


def wait_call_ended(page, timeout_ms: int) -> None:
    page.wait_for_function(
        """id => window.keptPcs.every(pc => pc.connectionState === "closed")
                 && document.querySelector(`.webrtc-call[data-call-id="${id}"]`)?.dataset.state !== "connected"
                 && !webConferencing.findProvider("webrtc").getCall(id)""",
        arg=CALL, timeout=timeout_ms)


def test_both_sides_connect_and_receive_the_other_ones_video(pair):
    john, mary = pair
    connect(john, mary)
    for page in (john, mary):
        page.wait_for_function(
            """() => {
                const video = document.querySelector(".webrtc-call .webrtc-peer video");
                return video && video.videoWidth > 0 && video.getVideoPlaybackQuality().totalVideoFrames > 0;
            }""", timeout=10000)
        seen = remote_video(page)
        assert seen["width"] > 0 and seen["frames"] > 0
        tile = page.locator(".webrtc-call .webrtc-peer")
        expect(tile).to_have_attribute("data-connection-state", "connected")


def test_hanging_up_on_one_side_ends_the_call_on_the_other_within_two_seconds(pair):
    john, mary = pair
    connect(john, mary)
    keep_peer_connections(mary)
    started = time.monotonic()
    john.locator(".webrtc-call .webrtc-hangup").click()
    wait_call_ended(mary, HANGUP_BOUND_MS)
    assert time.monotonic() - started < HANGUP_BOUND_MS / 1000 + 0.5  # the click round trip included
    gone = mary.evaluate("id => webConferencing.getCall(id).then(() => 'found', err => err.code)", CALL)
    assert gone == "NOT_FOUND_ERROR"


def test_closing_the_page_ends_the_call_on_the_other_side_within_two_seconds(pair):
    john, mary = pair
    connect(john, mary)
    keep_peer_connections(john)
    mary.close()
    wait_call_ended(john, HANGUP_BOUND_MS)


def test_mute_and_camera_off_disable_the_local_tracks(pair):
    john, mary = pair
    connect(john, mary)
    call = john.locator(".webrtc-call")
    call.locator(".webrtc-mute").click()
    call.locator(".webrtc-camera").click()
    expect(call.locator(".webrtc-mute")).to_have_attribute("aria-pressed", "true")
    enabled = john.evaluate("""id => webConferencing.findProvider("webrtc").getCall(id).localTracks()
                                 .map(t => t.kind + ":" + t.enabled).sort()""", CALL)
    assert enabled == ["audio:false", "video:false"]
    call.locator(".webrtc-mute").click()
    enabled = john.evaluate("""id => webConferencing.findProvider("webrtc").getCall(id).localTracks()
                                 .filter(t => t.kind === "audio").map(t => t.enabled)""", CALL)
    assert enabled == [True]


def test_each_side_s_video_tile_is_named_with_the_other_one_s_display_name(pair):
    john, mary = pair
    connect(john, mary)
    expect(john.locator(".webrtc-call .webrtc-peer[data-user-id=mary] .webrtc-peer-name")).to_have_text(
        "Mary Williams")
    expect(mary.locator(".webrtc-call .webrtc-peer[data-user-id=john] .webrtc-peer-name")).to_have_text(
        "John Smith")


# Records every value the overlay's data-state takes (attributeOldValue: values a batch skipped are not lost)
WATCH_STATES = """() => {
    window.seenStates = [];
    new MutationObserver(records => records.forEach(record => {
        if (record.target.classList.contains("webrtc-call") && record.oldValue !== null) {
            window.seenStates.push(record.oldValue);
        }
    })).observe(document.body, {subtree: true, attributeFilter: ["data-state"], attributeOldValue: true});
}"""
SEEN_STATES = """id => window.seenStates.concat(
    [document.querySelector(`.webrtc-call[data-call-id="${id}"]`).dataset.state])"""


def test_the_overlay_shows_each_state_of_the_call_in_order(pair):
    john, mary = pair
    john.evaluate(WATCH_STATES)
    connect(john, mary)
    expect(john.locator(".webrtc-call")).to_have_attribute("data-state", "connected")
    assert john.evaluate(SEEN_STATES, CALL) == ["starting", "joining", "waiting", "connected"]
    assert john.evaluate("id => webConferencing.findProvider('webrtc').getCall(id).state.name", CALL) == "connected"


def test_after_a_hang_up_both_sides_show_the_call_ended_and_why_until_closed(pair):
    john, mary = pair
    connect(john, mary)
    john.locator(".webrtc-call .webrtc-hangup").click()
    for page, reason in ((john, "You hung up"), (mary, "John Smith hung up")):
        ended = page.locator(f".webrtc-call[data-call-id='{CALL}']")
        expect(ended).to_have_attribute("data-state", "ended")
        expect(ended.locator(".webrtc-call-status")).to_have_text(reason)
        expect(ended.locator(".webrtc-hangup")).to_be_hidden()
        expect(ended.locator(".webrtc-peer")).to_have_count(0)
    mary.locator(".webrtc-call .webrtc-close").click()
    expect(mary.locator(".webrtc-call")).to_have_count(0)


# Hangs the call up the moment its overlay shows (still "starting": the camera is opening)
HANG_UP_WHILE_STARTING = """id => new MutationObserver((records, observer) => {
    const overlay = document.querySelector(`.webrtc-call[data-call-id="${id}"]`);
    if (overlay && overlay.dataset.state === "starting") {
        observer.disconnect();
        window.earlyCall = webConferencing.findProvider("webrtc").getCall(id);
        window.earlyCall.hangup("Call ended");
    }
}).observe(document.body, {childList: true, subtree: true, attributes: true})"""


def test_hanging_up_while_the_camera_opens_releases_it_and_calls_the_call_off(pair):
    john, mary = pair
    john.evaluate(HANG_UP_WHILE_STARTING, CALL)
    john.locator(".webconferencing-call[data-user-id=mary] .webrtc-call-button").click()
    john.wait_for_function("() => window.earlyCall && window.earlyCall.isEnded()")
    # the camera opened after the hang-up is stopped as it comes
    john.wait_for_function("""() => window.earlyCall.localTracks().length > 0
        && window.earlyCall.localTracks().every(track => track.readyState === "ended")""")
    gone = john.evaluate("id => webConferencing.getCall(id).then(() => 'found', err => err.code)", CALL)
    assert gone == "NOT_FOUND_ERROR"


# ******** Group call: a mesh of three ********

GROUP_CALL = "g/marketing"
# Marketing's members with a WebRTC IM account (demo-org.json): mary (its manager), root and dave (in Do Not Disturb:
# the incoming call shows without ringing). The other members have none.
GROUP_MEMBERS = ("mary", "root", "dave")
MESH_TIMEOUT_MS = 30000


def peers_connected(page, count: int) -> None:
    """This tab's call has exactly ``count`` peer connections, all connected."""
    page.wait_for_function(
        """([id, count]) => {
            const call = webConferencing.findProvider("webrtc").getCall(id);
            const pcs = call ? call.peerConnections() : [];
            return pcs.length === count && pcs.every(pc => pc.connectionState === "connected");
        }""", arg=[GROUP_CALL, count], timeout=MESH_TIMEOUT_MS)


def peer_tiles(page) -> dict[str, str]:
    """User id -> connection state of each remote participant shown in the call."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll(".webrtc-call .webrtc-peer")]
        .map(tile => [tile.dataset.userId, tile.dataset.connectionState]))""")


def leave_group_call(page) -> None:
    """Hang up, then wait for the server to have taken the leave: a call frame on the same websocket is answered
    after it."""
    page.locator(".webrtc-call .webrtc-hangup").click()
    page.evaluate("id => webConferencing.getCall(id).then(() => true)", GROUP_CALL)


def call_state_by_rest(page) -> str:
    return page.evaluate("id => webConferencing.rest('GET', '/call/' + id).then(call => call.state)", GROUP_CALL)


@pytest.fixture
def group(webrtc_server, media_browser):
    """The space's three WebRTC users in its group call: mary starts it from the space's button, the others accept
    the incoming call; every tab connected to both others. Whoever is still in the call hangs up at the end, so the
    next test finds the call stopped."""
    pages = {user: signed_in_page(media_browser, webrtc_server.base_url, user, "/portal/spaces/marketing")
             for user in GROUP_MEMBERS}
    try:
        for page in pages.values():
            wait_provider_ready(page, "webrtc")
        mary = pages["mary"]
        mary.locator(".webconferencing-call[data-space-id=marketing] .webrtc-call-button").click()
        for user in GROUP_MEMBERS[1:]:
            incoming = pages[user].locator(f".webrtc-incoming[data-call-id='{GROUP_CALL}']")
            expect(incoming).to_contain_text("Mary Williams is calling you in Marketing", timeout=15000)
            incoming.locator("button.accept").click()
        for page in pages.values():
            peers_connected(page, 2)
        yield pages
    finally:
        for page in pages.values():
            if not page.is_closed():
                page.evaluate("""id => {
                    const call = webConferencing.findProvider("webrtc").getCall(id);
                    if (call && !call.isEnded()) { call.hangup("Test over"); }
                    return webConferencing.getCall(id).then(() => true, () => true);
                }""", GROUP_CALL)
        for page in pages.values():
            page.context.close()


def test_three_members_of_a_space_connect_to_each_other_and_each_receives_two_videos(group):
    for user, page in group.items():
        others = set(GROUP_MEMBERS) - {user}
        assert peer_tiles(page) == {other: "connected" for other in others}
        page.wait_for_function(
            """() => {
                const videos = [...document.querySelectorAll(".webrtc-call .webrtc-peer video")];
                return videos.length === 2 && videos.every(video => video.videoWidth > 0
                    && video.srcObject.getVideoTracks().length === 1
                    && video.getVideoPlaybackQuality().totalVideoFrames > 0);
            }""", timeout=MESH_TIMEOUT_MS)


def test_when_a_member_leaves_the_others_drop_that_peer_and_keep_their_connection(group):
    staying = {user: page for user, page in group.items() if user != "root"}
    for page in staying.values():
        page.evaluate("id => { window.keptPcs = webConferencing.findProvider('webrtc').getCall(id)"
                      ".peerConnections(); }", GROUP_CALL)
    leave_group_call(group["root"])
    for user, page in staying.items():
        peers_connected(page, 1)
        (other,) = set(staying) - {user}
        assert peer_tiles(page) == {other: "connected"}
        # the same connection goes on (not renegotiated) and its video still plays
        page.wait_for_function(
            """id => {
                const [pc] = webConferencing.findProvider("webrtc").getCall(id).peerConnections();
                return window.keptPcs.includes(pc)
                    && window.keptPcs.filter(kept => kept !== pc).every(kept => kept.connectionState === "closed");
            }""", arg=GROUP_CALL, timeout=MESH_TIMEOUT_MS)
        frames = page.evaluate("() => document.querySelector('.webrtc-call .webrtc-peer video')"
                               ".getVideoPlaybackQuality().totalVideoFrames")
        page.wait_for_function("frames => document.querySelector('.webrtc-call .webrtc-peer video')"
                               ".getVideoPlaybackQuality().totalVideoFrames > frames", arg=frames, timeout=10000)


def test_the_group_call_stops_when_the_last_member_leaves(group):
    leave_group_call(group["root"])
    leave_group_call(group["dave"])
    assert call_state_by_rest(group["mary"]) == "started"  # one member is still in it
    leave_group_call(group["mary"])
    assert call_state_by_rest(group["mary"]) == "stopped"


# ******** Admin settings ********

def test_the_settings_form_shows_the_servers_refuses_a_bad_one_and_saves_a_good_one(webrtc_server, browser):
    john = signed_in_page(browser, webrtc_server.base_url, "john", "/portal/admin")
    try:
        john.locator("tr[data-provider=webrtc] .provider-settings").click()
        form = john.locator("#webrtc-settings-popup .settingsForm")
        expect(form.locator("textarea[name=iceServers]")).to_have_value("")
        expect(form.locator("input[name=maxParticipants]")).to_have_value("4")
        form.locator("textarea[name=iceServers]").fill("ftp://nope")
        form.locator("button[type=submit]").click()
        expect(form.locator(".webrtc-settings-error")).to_contain_text("'ftp://nope' is not a stun:")
        form.locator("textarea[name=iceServers]").fill("stun:stun.example.org")
        form.locator("button[type=submit]").click()
        expect(john.locator("#webrtc-settings-popup")).to_have_count(0)
        saved = john.evaluate("() => webConferencing.rest('GET', '/provider/webrtc/configuration')")
        assert saved["iceServers"] == [{"urls": "stun:stun.example.org"}]
    finally:
        # the next tests' calls need no STUN server (loopback)
        john.evaluate("() => webConferencing.rest('POST', '/provider/webrtc/configuration', {iceServers: ''})")
        john.context.close()
