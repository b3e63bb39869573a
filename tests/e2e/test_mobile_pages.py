"""Issue 11: every page is usable 390 px wide (a phone): nothing wider than the screen, the header collapsed with
Sign out in view. The Calls page lists a call with a hostile, unbroken title: it wraps, and shows as text."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import signed_in_page

PHONE = {"width": 390, "height": 844}
HOSTILE = '<img src=x onerror="window.__xss=1">' + "W" * 60  # no space to break at
PAGES = ("/portal/people", "/portal/spaces", "/portal/spaces/product_team", "/portal/rooms",
         "/portal/rooms/team-5f3a9c1e2b7d4a60", "/portal/profile/mary", "/portal/profile/john", "/portal/calls",
         "/portal/admin", "/portal/no-such-page", "/portal/profile/nobody")


def finish_a_call_with_a_hostile_title(page) -> None:
    page.evaluate("""title => webConferencing.addCall("p/jack-john", {owner: "john", ownerType: "user",
        provider: "testcall", title: title, participants: ["john", "jack"]})
        .then(() => webConferencing.deleteCall("p/jack-john"))""", HOSTILE)


@pytest.fixture(scope="module")
def john_on_a_phone(server, browser):
    """John (an administrator) on a phone, with a finished call of hostile title in his history."""
    john = signed_in_page(browser, server.base_url, "john", "/portal/people", viewport=PHONE)
    finish_a_call_with_a_hostile_title(john)
    yield john
    john.context.close()


@pytest.mark.parametrize("path", PAGES)
def test_a_page_is_no_wider_than_a_390_px_screen(john_on_a_phone, path):
    john_on_a_phone.goto(path)
    john_on_a_phone.wait_for_load_state("load")

    assert john_on_a_phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert john_on_a_phone.evaluate("window.__xss") is None


def test_the_login_page_is_no_wider_than_a_390_px_screen(server, browser):
    page = browser.new_page(viewport=PHONE, base_url=server.base_url)
    try:
        page.goto("/portal/login")
        assert page.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    finally:
        page.close()


def test_the_collapsed_header_keeps_every_section_and_sign_out_in_view(john_on_a_phone):
    john_on_a_phone.goto("/portal/people")
    for name in ("People", "Spaces", "Rooms", "Calls", "Admin"):
        expect(john_on_a_phone.locator(".topbar .sections a", has_text=name)).to_be_in_viewport()
    expect(john_on_a_phone.locator(".topbar button", has_text="Sign out")).to_be_in_viewport()


def test_a_hostile_call_title_wraps_and_shows_as_text_on_the_calls_page(john_on_a_phone):
    john_on_a_phone.goto("/portal/calls")
    title = john_on_a_phone.locator(".call-entry[data-call-id='p/jack-john'] .call-title").first

    expect(title).to_have_text(HOSTILE)
    box = title.bounding_box()
    assert box is not None and box["x"] + box["width"] <= PHONE["width"]
    assert john_on_a_phone.evaluate("window.__xss") is None


@pytest.fixture(scope="module")
def jean_on_a_french_phone(server, browser):
    """John again, in a French browser: French words are longer, the header and forms must still fit."""
    page = signed_in_page(browser, server.base_url, "john", "/portal/people", viewport=PHONE, locale="fr-FR")
    finish_a_call_with_a_hostile_title(page)
    yield page
    page.context.close()


@pytest.mark.parametrize("path", ("/portal/people", "/portal/profile/john", "/portal/calls", "/portal/admin",
                                  "/portal/spaces/product_team"))
def test_a_french_page_is_no_wider_than_a_390_px_screen(jean_on_a_french_phone, path):
    jean_on_a_french_phone.goto(path)
    jean_on_a_french_phone.wait_for_load_state("load")

    assert jean_on_a_french_phone.evaluate("document.documentElement.lang") == "fr"
    assert jean_on_a_french_phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert jean_on_a_french_phone.evaluate("window.__xss") is None
