"""The call button's dropdown on a person with two providers (WebRTC's button, My Connector's in the menu), as a
newcomer opens it on a desktop and on a phone, in English and French: each entry stays on one line with its icon
whole (the menu took its button's width: "Call with My Connector" broke in two, the icon squeezed) and the menu stays
on the screen. The callee's name carries markup: shown as text."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import product_server, signed_in_page, webrtc_user

HOSTILE = '<img src=x onerror="window.__xss=1">'
ORGANISATION = {"users": [
    webrtc_user("ann", "Ann", "Archer", ims={"webrtc": "ann", "myconnector": "ann"}),
    webrtc_user("ben", "Ben", HOSTILE, ims={"webrtc": "ben", "myconnector": "ben"}),
]}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with product_server(tmp_path_factory.mktemp("newcomer-menu"), ORGANISATION,
                        "webconferencing.testcall.active=false") as running:
        yield running


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 800}, {"width": 390, "height": 844}])
@pytest.mark.parametrize("locale, label", [("en-US", "Call with My Connector"), ("fr-FR", "Appeler avec My Connector")])
def test_the_dropdowns_entries_take_one_line_each_with_their_icon_whole(server, browser, viewport, locale, label):
    ann = signed_in_page(browser, server.base_url, "ann", "/portal/profile/ben", viewport=viewport, locale=locale)
    try:
        button = ann.locator(".webconferencing-call[data-user-id=ben]")
        button.locator(".dropdown-toggle").click()
        entry = button.locator(".dropdown-menu .myConnectorAction")
        expect(entry).to_be_visible()
        expect(entry).to_have_text(label)

        lines = entry.locator(".callTitle").evaluate("""span => { const r = document.createRange();
            r.selectNodeContents(span); return r.getClientRects().length; }""")
        assert lines == 1  # the label on one line
        icon = entry.locator(".uiIconMyConnector")
        assert icon.evaluate("i => i.getBoundingClientRect().width") >= icon.evaluate(
            "i => i.getBoundingClientRect().height") - 0.5  # as wide as it is high, as drawn
        box = button.locator(".dropdown-menu").bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= viewport["width"]
        expect(ann.locator("h1")).to_have_text(f"Ben {HOSTILE}")
        assert ann.evaluate("window.__xss") is None
    finally:
        ann.context.close()
