"""Issue 12 in real browsers (Debian chromium, fake camera and microphone): an external guest with no account joins a
WebRTC call by its invite link and connects with a member; revoking the link cuts the guest off; a space manager
switches video conferencing off and the call button vanishes from a member's open page; an external meeting link
shows in the space's call dropdown and opens its URL."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .harness import ROOT, running_server, signed_in_page, wait_provider_ready

# mary is its manager, dave a plain member; with root, its only WebRTC users (product_team has more than WebRTC's
# default group size, so no WebRTC button there)
SPACE = "marketing"
CALL = f"g/{SPACE}"
CONNECT_TIMEOUT_MS = 20000
SPACE_BUTTON = f".webconferencing-call[data-space-id={SPACE}]"


@pytest.fixture(scope="module")
def webrtc_server(tmp_path_factory):
    """Only the webrtc provider on; short pings, so a revoked guest's socket closes within a second."""
    with running_server(tmp_path_factory.mktemp("issue12-server"), f"exo.extensions.dirs={ROOT / 'extensions'}",
                        "webconferencing.testcall.active=false", "webconferencing.myconnector.active=false",
                        "webconferencing.ws.ping.seconds=0.5") as running:
        yield running


def guest_connected(page) -> None:
    page.wait_for_function("""() => {
        const call = document.getElementById("guest-call").callPageCall;
        return call && call.peerConnections().some(pc => pc.connectionState === "connected");
    }""", timeout=CONNECT_TIMEOUT_MS)


def member_connected(page) -> None:
    page.wait_for_function("""id => {
        const call = webConferencing.findProvider("webrtc").getCall(id);
        return call && call.peerConnections().some(pc => pc.connectionState === "connected");
    }""", arg=CALL, timeout=CONNECT_TIMEOUT_MS)


@pytest.fixture
def guest_in_call(webrtc_server, media_browser):
    """Mary starts the space's WebRTC call, lets everyone with the link in (her call page), and Zoe, who has no
    account, opens the link, gives her name and joins: both sides connected."""
    manager = signed_in_page(media_browser, webrtc_server.base_url, "mary", f"/portal/spaces/{SPACE}")
    invites = manager.context.new_page()
    guest_context = media_browser.new_context(base_url=webrtc_server.base_url)
    guest = guest_context.new_page()
    try:
        wait_provider_ready(manager, "webrtc")
        manager.locator(f"{SPACE_BUTTON} .webrtc-call-button").click()
        manager.wait_for_function("id => !!webConferencing.findProvider('webrtc').getCall(id)", arg=CALL)
        manager.evaluate("id => webConferencing.whenConnected().then(() => webConferencing.getCall(id))", CALL)
        call_page = manager.locator(".space-call-page a")  # shown once the space's call exists
        expect(call_page).to_be_visible(timeout=10000)
        invites.goto(call_page.get_attribute("href"))  # another tab: leaving this page would end the call
        expect(invites.locator("#call-invites")).to_have_attribute("data-invitation-id", re.compile(".+"),
                                                                   timeout=10000)
        everyone = invites.locator(".invite-everyone-box")
        if not everyone.is_checked():  # the call's invites outlive it: an earlier test may have set them
            everyone.check()
            expect(invites.locator(".invite-notice")).to_contain_text("Everyone with the link", timeout=15000)
        link = invites.locator(".invite-link").input_value()
        guest.goto(link)
        guest.fill("input[name=displayName]", "Zoe Visitor")
        guest.click("button[type=submit]")
        expect(guest.locator(".guest-name")).to_have_text("Zoe Visitor")
        guest_connected(guest)
        member_connected(manager)
        yield manager, invites, guest
    finally:
        if not manager.is_closed():
            manager.evaluate("""id => {
                const call = webConferencing.findProvider("webrtc").getCall(id);
                if (call && !call.isEnded()) { call.hangup("Test over"); }
                return webConferencing.getCall(id).then(() => true, () => true);
            }""", CALL)
        guest_context.close()
        manager.context.close()


def test_an_external_guest_joins_a_webrtc_call_by_the_link_and_connects_with_a_member(guest_in_call):
    manager, invites, guest = guest_in_call
    tiles = manager.evaluate("""() => [...document.querySelectorAll(".webrtc-call .webrtc-peer")]
        .map(tile => [tile.dataset.connectionState, tile.textContent])""")
    assert any(state == "connected" and "Zoe Visitor" in text for state, text in tiles), tiles
    invites.reload()
    expect(invites.locator(".guest-list")).to_contain_text("Zoe Visitor")


def test_revoking_the_link_cuts_the_guest_off(guest_in_call):
    manager, invites, guest = guest_in_call
    invites.locator(".invite-revoke").click()
    expect(guest.locator("#guest-call")).to_have_attribute("data-state", "revoked", timeout=10000)
    guest.wait_for_function("""() => document.getElementById("guest-call").callPageCall.peerConnections()
        .every(pc => pc.connectionState !== "connected")""", timeout=10000)
    manager.wait_for_function("""id => webConferencing.findProvider("webrtc").getCall(id).peerConnections()
        .every(pc => pc.connectionState !== "connected")""", arg=CALL, timeout=10000)
    guest.reload()
    expect(guest.locator("input[name=username]")).to_be_visible()  # the guest session is over: the sign-in page


@pytest.fixture
def manager_and_member(webrtc_server, browser):
    manager = signed_in_page(browser, webrtc_server.base_url, "mary", f"/portal/spaces/{SPACE}")  # the manager
    member = signed_in_page(browser, webrtc_server.base_url, "dave", f"/portal/spaces/{SPACE}")  # a plain member
    try:
        wait_provider_ready(member, "webrtc")
        expect(member.locator(f"{SPACE_BUTTON} .webrtc-call-button")).to_be_visible()
        expect(member.locator("#space-settings")).to_have_count(0)  # a plain member gets no settings panel
        yield manager, member
    finally:
        manager.evaluate("""space => webConferencing.rest("POST",
            "/updateVideoConferenceEnabled?spaceId=" + space + "&enabled=true")""", SPACE)
        manager.evaluate("""space => webConferencing.rest("DELETE", "/provider?spaceId=" + space + "&connectorId=zoom")
            .catch(() => null)""", SPACE)
        manager.context.close()
        member.context.close()


def test_switching_video_conferencing_off_hides_the_button_on_a_members_open_page(manager_and_member):
    manager, member = manager_and_member
    manager.locator("#space-settings .space-vc .slider").click()
    expect(member.locator(SPACE_BUTTON)).to_be_hidden(timeout=10000)
    expect(member.locator(".space-vc-off")).to_be_visible()
    manager.locator("#space-settings .space-vc .slider").click()
    expect(member.locator(f"{SPACE_BUTTON} .webrtc-call-button")).to_be_visible(timeout=10000)


def test_an_external_meeting_link_shows_in_the_dropdown_and_opens_its_url(manager_and_member):
    manager, member = manager_and_member
    member.context.route("https://zoom.example/**", lambda route: route.fulfill(body="The Zoom room",
                                                                              content_type="text/plain"))
    form = manager.locator("#space-settings .space-link-add")
    form.locator("input[name=name]").fill("Zoom")
    form.locator("input[name=url]").fill("https://zoom.example/j/123")
    form.locator("button[type=submit]").click()
    expect(manager.locator("#space-settings .space-links")).to_contain_text("Zoom")
    member.locator(f"{SPACE_BUTTON} .dropdown-toggle").click(timeout=10000)
    link = member.locator(f"{SPACE_BUTTON} .dropdown-menu .space-meeting-link")
    expect(link).to_have_text("Join the Zoom meeting")
    with member.context.expect_page() as opened:
        link.click()
    meeting = opened.value
    meeting.wait_for_load_state()
    assert meeting.url == "https://zoom.example/j/123"
    assert "The Zoom room" in meeting.content()


MARKUP_NAME = '<img src=x onerror="window.pwned=1">Eve'


def test_a_guests_name_is_shown_as_text_on_the_call_page(webrtc_server, browser):
    """A guest picks their own name: markup in it stays text on a member's page (invites panel and participants)."""
    manager = signed_in_page(browser, webrtc_server.base_url, "mary", f"/portal/spaces/{SPACE}")
    visitor = browser.new_context(base_url=webrtc_server.base_url).new_page()
    try:
        invite_id = manager.evaluate("""async id => {
            await webConferencing.whenConnected();
            const call = await webConferencing.findOrAddCall(id, {owner: "marketing", ownerType: "space",
                                                                  provider: "webrtc", participants: "mary;root;dave"});
            if (call.state !== "started") {  // an earlier test's call, stopped: guests join running calls only
                await webConferencing.updateUserCall(id, "started");
            }
            const answer = await webConferencing.rest("PUT", "/invites/" + id, {invites: [{id: "*", type: "group"}]});
            return answer.invitation.invitationId;
        }""", CALL)
        visitor.goto(f"/portal/call/{CALL}?invite={invite_id}")
        visitor.fill("input[name=displayName]", MARKUP_NAME)
        visitor.click("button[type=submit]")
        expect(visitor.locator(".guest-name")).to_have_text(MARKUP_NAME)
        page = manager.context.new_page()
        page.goto(f"/portal/call/{CALL}")
        expect(page.locator(".guest-list .guest-item")).to_have_text(MARKUP_NAME)
        expect(page.locator(".call-participants")).to_contain_text(MARKUP_NAME)
        assert page.locator(".guest-list img, .call-participants img").count() == 0
        assert page.evaluate("() => window.pwned") is None and visitor.evaluate("() => window.pwned") is None
    finally:
        manager.evaluate("id => webConferencing.rest('PUT', '/call/' + id, {state: 'stopped'}).catch(() => null)",
                         CALL)
        visitor.context.close()
        manager.context.close()


def test_a_user_invited_by_the_link_joins_the_webrtc_call_from_the_call_page(webrtc_server, media_browser):
    """John is no member of marketing: Mary's link invites him; he opens it, presses Join, and they connect."""
    manager = signed_in_page(media_browser, webrtc_server.base_url, "mary", f"/portal/spaces/{SPACE}")
    invites = manager.context.new_page()
    john = signed_in_page(media_browser, webrtc_server.base_url, "john", "/portal/people")
    try:
        wait_provider_ready(manager, "webrtc")
        manager.locator(f"{SPACE_BUTTON} .webrtc-call-button").click()
        manager.wait_for_function("id => !!webConferencing.findProvider('webrtc').getCall(id)", arg=CALL)
        invites.goto(f"/portal/call/{CALL}")
        invite_id = invites.evaluate("""id => webConferencing.rest("PUT", "/invites/" + id,
            {invites: [{id: "john", type: "user"}]}).then(answer => answer.invitation.invitationId)""", CALL)
        john.goto(f"/portal/call/{CALL}?invite={invite_id}")
        john.locator("#call-join .call-join-button").click()
        john.wait_for_function("""() => {
            const call = document.getElementById("call-join").callPageCall;
            return call && call.peerConnections().some(pc => pc.connectionState === "connected");
        }""", timeout=CONNECT_TIMEOUT_MS)
        member_connected(manager)
    finally:
        for page in (john, manager):
            page.evaluate("""id => {
                const mine = webConferencing.findProvider("webrtc").getCall(id);
                const here = document.getElementById("call-join");
                [mine, here && here.callPageCall].forEach(call => { if (call && !call.isEnded()) call.hangup("Over"); });
                return webConferencing.getCall(id).then(() => true, () => true);
            }""", CALL)
        john.context.close()
        manager.context.close()
