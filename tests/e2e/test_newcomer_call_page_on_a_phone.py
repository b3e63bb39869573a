"""A group call's page opened by its link on a 390 px phone, in English and French: the invite link field shows the
link (it was a sliver, "http://1"), with Copy and Revoke under it, and the invites panel has no empty band above its
title. The space's title carries markup: shown as text."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import product_server, signed_in_page, wait_provider_ready, webrtc_user

PHONE = {"width": 390, "height": 844}
HOSTILE = '<img src=x onerror="window.__xss=1">'
ORGANISATION = {
    "users": [webrtc_user("ann", "Ann", "Archer"), webrtc_user("ben", "Ben", "Brown")],
    "spaces": [{"prettyName": "crew", "title": f"Crew {HOSTILE}", "members": ["ann", "ben"], "managers": ["ann"]}],
}
CALL = "g/crew"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with product_server(tmp_path_factory.mktemp("newcomer-call-page"), ORGANISATION,
                        "webconferencing.testcall.active=false", "webconferencing.myconnector.active=false") as running:
        yield running


@pytest.fixture(scope="module")
def started_call(server, browser):
    """Ann started the space's call (her tab stays in it while the module runs)."""
    ann = signed_in_page(browser, server.base_url, "ann", "/portal/people")
    wait_provider_ready(ann, "webrtc")
    ann.evaluate("""id => webConferencing.addCall(id, {owner: "crew", ownerType: "space", provider: "webrtc",
        participants: ["ann", "ben"]}).then(() => webConferencing.updateUserCall(id, "joined"))""", CALL)
    yield CALL
    ann.evaluate("id => webConferencing.updateUserCall(id, 'stopped').catch(() => null)", CALL)
    ann.context.close()


@pytest.mark.parametrize("locale, invite", [("en-US", "Invite"), ("fr-FR", "Inviter")])
def test_the_invite_link_is_readable_on_a_phone_and_the_panel_has_no_empty_band(server, browser, started_call,
                                                                                 locale, invite):
    ben = signed_in_page(browser, server.base_url, "ben", f"/portal/call/{started_call}", viewport=PHONE,
                         locale=locale)
    try:
        link = ben.locator(".call-invites .invite-link")
        expect(link).to_be_visible()
        box = link.bounding_box()
        assert box and box["width"] >= 300 and box["x"] + box["width"] <= PHONE["width"]

        heading = ben.locator(".call-invites > h2").first
        expect(heading).to_have_text(invite)
        gap = heading.evaluate("h2 => h2.getBoundingClientRect().top - h2.parentElement.getBoundingClientRect().top")
        assert gap <= 24  # the panel's padding and border only
        expect(ben.locator(".call-summary h1")).to_have_text(f"Crew {HOSTILE}")
        assert ben.evaluate("window.__xss") is None
    finally:
        ben.context.close()


def test_the_call_page_names_its_provider_as_people_read_it(server, browser, started_call):
    ben = signed_in_page(browser, server.base_url, "ben", f"/portal/call/{started_call}")
    try:
        expect(ben.locator(".call-summary .call-provider")).to_have_text("WebRTC")  # not its type id, 'webrtc'
        expect(ben.locator(".call-summary .card-meta")).to_contain_text(f"Crew {HOSTILE}")
        assert ben.evaluate("window.__xss") is None
    finally:
        ben.context.close()
