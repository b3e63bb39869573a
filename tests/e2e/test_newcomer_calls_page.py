"""The Calls page with the product's connectors, as a newcomer sees it: each entry offers one way to call again,
"Call back"; the provider's own button it presses stays out of sight (it showed as a second "Video call" button with
its dropdown next to every entry). The call's title and the other party's name carry markup: shown as text."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import product_server, signed_in_page, wait_provider_ready, webrtc_user

HOSTILE = '<img src=x onerror="window.__xss=1">'
ORGANISATION = {"users": [webrtc_user("ann", "Ann", "Archer"), webrtc_user("ben", "Ben", HOSTILE)]}
CALL = "p/ann-ben"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with product_server(tmp_path_factory.mktemp("newcomer-calls"), ORGANISATION) as running:
        yield running


@pytest.fixture
def ann_after_a_call(server, browser):
    """Ann called Ben (a WebRTC call titled with markup) and hung up; she opens her Calls page."""
    ann = signed_in_page(browser, server.base_url, "ann", "/portal/people")
    wait_provider_ready(ann, "webrtc")
    ann.evaluate("""([id, title]) => webConferencing.addCall(id, {owner: "ann", ownerType: "user",
        provider: "webrtc", title: title, participants: ["ann", "ben"]})
        .then(() => webConferencing.updateUserCall(id, "joined"))
        .then(() => webConferencing.updateUserCall(id, "stopped"))""", [CALL, f"Ben {HOSTILE}"])
    ann.goto("/portal/calls")
    yield ann
    ann.context.close()


def test_each_call_offers_call_back_and_no_second_call_button(ann_after_a_call):
    entry = ann_after_a_call.locator(f".call-entry[data-call-id='{CALL}']").first
    wait_provider_ready(ann_after_a_call, "webrtc")
    target = entry.locator(".call-back-target")
    expect(target.locator(".webrtc-call-button")).to_have_count(1)  # built by the provider, ready to be pressed

    expect(target).to_be_hidden()
    expect(entry.locator("button:visible")).to_have_count(1)
    expect(entry.locator("button.call-back")).to_have_text("Call back")
    expect(entry.locator(".call-title")).to_have_text(f"Ben {HOSTILE}")
    expect(entry).to_contain_text(f"with Ben {HOSTILE}")
    assert ann_after_a_call.evaluate("window.__xss") is None


def test_on_a_phone_a_calls_arrow_and_its_text_share_a_line(server, browser):
    ann = signed_in_page(browser, server.base_url, "ann", "/portal/people", viewport={"width": 390, "height": 844})
    try:
        wait_provider_ready(ann, "webrtc")
        ann.evaluate("""([id, title]) => webConferencing.addCall(id, {owner: "ann", ownerType: "user",
            provider: "webrtc", title: title, participants: ["ann", "ben"]})
            .then(() => webConferencing.updateUserCall(id, "joined"))
            .then(() => webConferencing.updateUserCall(id, "stopped"))""", [CALL, f"Ben {HOSTILE} " + "W" * 40])
        ann.goto("/portal/calls")
        entry = ann.locator(f".call-entry[data-call-id='{CALL}']").first
        arrow, title = entry.locator(".call-direction").bounding_box(), entry.locator(".call-title").bounding_box()

        assert arrow and title and title["y"] < arrow["y"] + arrow["height"]  # beside the arrow, not under it
        assert title["x"] + title["width"] <= 390
        expect(entry.locator(".call-title")).to_have_text(f"Ben {HOSTILE} " + "W" * 40)
        assert ann.evaluate("window.__xss") is None
    finally:
        ann.context.close()
