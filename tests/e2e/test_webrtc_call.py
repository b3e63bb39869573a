"""Real WebRTC video calls between two browsers (Debian chromium with fake camera and microphone) through the
webrtc connector of extensions/: signalling over the call channel, media peer to peer on loopback."""
from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from .harness import ROOT, CHROMIUM, CHROMIUM_ARGS, running_server, signed_in_page, wait_provider_ready

MEDIA_ARGS = ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
              "--autoplay-policy=no-user-gesture-required"]
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


@pytest.fixture(scope="module")
def media_browser(browser):
    """A second chromium with fake camera and microphone, from the session's Playwright (one per process)."""
    launched = browser.browser_type.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + MEDIA_ARGS)
    try:
        yield launched
    finally:
        launched.close()


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
