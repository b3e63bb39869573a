"""A WebRTC call on a 390 px phone, in English and French: the controls wrap to several rows there, and the self-view
(pinned 84 px above the bottom for one row of controls) covered one of them, "Couper la caméra" in French. Now no
control is under the self-view. The callee's name carries markup: the call's title shows it as text."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import product_server, signed_in_page, wait_provider_ready, webrtc_user

PHONE = {"width": 390, "height": 844}
HOSTILE = '<img src=x onerror="window.__xss=1">'
ORGANISATION = {"users": [webrtc_user("ann", "Ann", "Archer"), webrtc_user("ben", "Ben", HOSTILE)]}

OVERLAPS = """([a, b]) => !(a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y
    || b.y + b.height <= a.y)"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with product_server(tmp_path_factory.mktemp("newcomer-webrtc-phone"), ORGANISATION,
                        "webconferencing.testcall.active=false", "webconferencing.myconnector.active=false") as running:
        yield running


@pytest.mark.parametrize("locale", ["en-US", "fr-FR"])
def test_no_call_control_is_under_the_self_view_on_a_phone(server, media_browser, locale):
    ben = signed_in_page(media_browser, server.base_url, "ben", "/portal/people")
    ann = signed_in_page(media_browser, server.base_url, "ann", "/portal/profile/ben", viewport=PHONE, locale=locale)
    try:
        wait_provider_ready(ben, "webrtc")
        wait_provider_ready(ann, "webrtc")
        ann.locator(".webconferencing-call[data-user-id=ben] .webrtc-call-button").click()
        call = ann.locator(".webrtc-call")
        local = call.locator(".webrtc-local-video")
        expect(local).to_be_visible()
        ann.wait_for_function("() => document.querySelector('.webrtc-call .webrtc-local-video').videoWidth > 0")
        controls = call.locator(".webrtc-controls > :visible")
        assert controls.count() >= 3

        self_view = local.bounding_box()
        for i in range(controls.count()):
            control = controls.nth(i).bounding_box()
            assert not ann.evaluate(OVERLAPS, [self_view, control]), controls.nth(i).text_content()
        assert self_view["y"] + self_view["height"] <= PHONE["height"]
        expect(call.locator(".webrtc-call-title")).to_have_text(f"Ben {HOSTILE}")
        assert ann.evaluate("window.__xss") is None
    finally:
        ann.evaluate("""() => { const call = webConferencing.findProvider("webrtc").getCall("p/ann-ben");
            if (call && !call.isEnded()) { call.hangup("Test over"); } }""")
        ann.context.close()
        ben.context.close()
