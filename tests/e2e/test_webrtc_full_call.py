"""A full WebRTC group call (``maxParticipants`` joined, webconferencing.webrtc.maxParticipants) and the members it
still rings (issue 11): they are told at once that the call is full, in the incoming-call dialog, without ringtone,
notice nor an Accept the server would refuse; when a place frees, Accept comes back and joins.

The limit is set to 2 here (three browsers instead of five). The display names and the space title carry markup:
each test also checks it reached the page as text.
"""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import product_server, signed_in_page, wait_provider_ready, webrtc_user

CONNECT_TIMEOUT_MS = 20000
HOSTILE = '<img src=x onerror="window.__xss=1">'
ANN = f"Ann {HOSTILE}"
SPACE_TITLE = f"Crowd {HOSTILE}"
ORGANISATION = {
    "users": [
        webrtc_user("ann", "Ann", HOSTILE, admin=True),
        webrtc_user("ben", "Ben", "Brown"),
        webrtc_user("cat", "Cat", "Clark"),
        webrtc_user("dan", "Dan", "Davis"),  # no member of the space: invited by the call's link
    ],
    "spaces": [{"prettyName": "crowd", "title": SPACE_TITLE, "members": ["ann", "ben", "cat"], "managers": ["ann"]}],
}
CALL = "g/crowd"
FULL_TEXT = "The call is full (2 of 2): you can join when someone leaves"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with product_server(tmp_path_factory.mktemp("webrtc-full"), ORGANISATION,
                        "webconferencing.testcall.active=false", "webconferencing.myconnector.active=false",
                        "webconferencing.webrtc.maxParticipants=2") as running:
        yield running


def hang_up_and_close(pages) -> None:
    """Whoever is still in the call hangs up (the next test starts it anew), then each page's context closes."""
    for page in pages:
        page.evaluate("""id => {
            const call = webConferencing.findProvider("webrtc").getCall(id);
            if (call && !call.isEnded()) { call.hangup("Test over"); }
            return webConferencing.getCall(id).then(() => true, () => true);
        }""", CALL)
        page.context.close()


@pytest.fixture
def crowd(server, media_browser):
    """Ann, Ben and Cat on the space's page; Ann's call started, ringing Ben and Cat."""
    pages = {}
    try:
        for user in ("ann", "ben", "cat"):
            pages[user] = signed_in_page(media_browser, server.base_url, user, "/portal/spaces/crowd")
            wait_provider_ready(pages[user], "webrtc")
        pages["ann"].locator(".webconferencing-call[data-space-id=crowd][data-built] .webrtc-call-button").click()
        yield pages["ann"], pages["ben"], pages["cat"]
    finally:
        hang_up_and_close(pages.values())


def incoming(page):
    return page.locator(f".webrtc-incoming[data-call-id='{CALL}']")


def connected(page, count: int = 1) -> None:
    page.wait_for_function(
        """([id, count]) => {
            const call = webConferencing.findProvider("webrtc").getCall(id);
            const pcs = call ? call.peerConnections() : [];
            return pcs.length === count && pcs.every(pc => pc.connectionState === "connected");
        }""", arg=[CALL, count], timeout=CONNECT_TIMEOUT_MS)


def fill_the_call(ben, cat) -> None:
    """Ben answers: with Ann, the call holds its two; Cat's dialog is still up."""
    expect(incoming(cat)).to_have_attribute("data-ring", "true")
    incoming(ben).locator("button.accept").click()
    connected(ben)


def assert_no_script_ran(*pages) -> None:
    for page in pages:
        assert page.evaluate("window.__xss") is None


def test_the_dialog_of_a_call_that_gets_full_says_so_stops_ringing_and_offers_no_accept(crowd):
    ann, ben, cat = crowd
    fill_the_call(ben, cat)
    dialog = incoming(cat)
    expect(dialog).to_have_attribute("data-full", "true")
    expect(dialog).to_have_attribute("data-ring", "false")
    expect(dialog.locator(".webrtc-incoming-full")).to_have_text(FULL_TEXT)
    expect(dialog.locator(".webrtc-incoming-full")).to_have_attribute("role", "status")
    expect(dialog.locator("button.accept")).to_be_hidden()
    expect(dialog.locator("button.decline")).to_be_focused()
    expect(dialog.locator(".webrtc-incoming-caller")).to_have_text(f"{ANN} is calling you in {SPACE_TITLE}")
    expect(cat.locator(".webconferencing-notice")).to_have_count(0)  # the ring's notice went with the ring
    assert cat.title() == ben.title()  # no "Incoming call" in the tab's title any more
    assert cat.locator(".webrtc-incoming img").count() == 0
    assert_no_script_ran(ann, ben, cat)


def test_who_is_rung_while_the_call_is_already_full_gets_its_dialog_full_and_silent_at_once(crowd, server,
                                                                                             media_browser):
    ann, ben, cat = crowd
    fill_the_call(ben, cat)
    dan = signed_in_page(media_browser, server.base_url, "dan", "/portal/people")
    try:
        wait_provider_ready(dan, "webrtc")
        invite_id = ann.evaluate("""id => webConferencing.rest("PUT", "/invites/" + id,
            {invites: [{id: "dan", type: "user"}]}).then(answer => answer.invitation.invitationId)""", CALL)
        link = dan.context.new_page()
        link.goto(f"/portal/call/{CALL}?invite={invite_id}")  # accepting the link makes him a participant: rung
        dialog = incoming(dan)
        expect(dialog).to_have_attribute("data-full", "true")
        expect(dialog).to_have_attribute("data-ring", "false")
        expect(dialog.locator(".webrtc-incoming-full")).to_have_text(FULL_TEXT)
        expect(dialog.locator("button.accept")).to_be_hidden()
        expect(dan.locator(".webconferencing-notice")).to_have_count(0)
        assert_no_script_ran(dan, link)
    finally:
        dan.context.close()


def test_when_a_place_frees_the_dialog_offers_accept_again_and_accepting_joins(crowd):
    ann, ben, cat = crowd
    fill_the_call(ben, cat)
    expect(incoming(cat)).to_have_attribute("data-full", "true")
    ben.locator(".webrtc-call .webrtc-hangup").click()
    dialog = incoming(cat)
    expect(dialog).to_have_attribute("data-full", "false")
    expect(dialog.locator(".webrtc-incoming-full")).to_be_hidden()
    dialog.locator("button.accept").click()
    connected(cat)
    connected(ann)
    expect(cat.locator(f".webrtc-call[data-call-id='{CALL}'] .webrtc-peer[data-user-id=ann] .webrtc-peer-name")) \
        .to_have_text(ANN)
    assert_no_script_ran(ann, ben, cat)


def test_the_full_call_s_dialog_speaks_french_on_a_french_page(server, media_browser):
    pages = {}
    try:
        for user in ("ann", "ben"):
            pages[user] = signed_in_page(media_browser, server.base_url, user, "/portal/spaces/crowd")
            wait_provider_ready(pages[user], "webrtc")
        pages["cat"] = signed_in_page(media_browser, server.base_url, "cat", "/portal/spaces/crowd",
                                      locale="fr-FR", extra_http_headers={"Accept-Language": "fr-FR"})
        wait_provider_ready(pages["cat"], "webrtc")
        ann, ben, cat = pages["ann"], pages["ben"], pages["cat"]
        ann.locator(".webconferencing-call[data-space-id=crowd][data-built] .webrtc-call-button").click()
        fill_the_call(ben, cat)
        expect(incoming(cat).locator(".webrtc-incoming-full")).to_have_text(
            "L'appel est complet (2 sur 2) : vous pourrez le rejoindre quand quelqu'un partira")
        assert_no_script_ran(ann, ben, cat)
    finally:
        hang_up_and_close(pages.values())
