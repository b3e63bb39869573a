"""Issue 11: a 403 or 404 is no dead end: the portal's sections for a signed-in user, the message as text, a way
back, and the site's favicon (no stray /favicon.ico request failing in the console)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import signed_in_page

HOSTILE_PATH = '/portal/profile/<img src=x onerror="window.__xss=1">'


@pytest.mark.parametrize("path, status", [("/portal/admin", "403 Forbidden"), ("/portal/no-such-page", "404 Not Found"),
                                          (HOSTILE_PATH, "404 Not Found")])
def test_an_error_page_has_the_sections_a_message_and_a_way_back(server, browser, path, status):
    mary = signed_in_page(browser, server.base_url, "mary", "/portal/people")  # not an administrator
    try:
        mary.goto(path)
        expect(mary.locator(".error-box h1")).to_have_text(status)
        expect(mary.locator(".topbar .sections a")).to_have_text(["People", "Spaces", "Rooms", "Calls"])
        mary.locator(".error-box a", has_text="Back to the portal").click()
        mary.wait_for_url("**/portal/people")
        assert mary.evaluate("window.__xss") is None
    finally:
        mary.context.close()


def test_an_error_page_shows_no_sections_to_the_anonymous(server, browser):
    page = browser.new_page(base_url=server.base_url)
    try:
        page.goto("/static/no-such-file.css")
        expect(page.locator(".error-box h1")).to_have_text("404 Not Found")
        expect(page.locator(".topbar")).to_have_count(0)
    finally:
        page.close()


def test_every_page_names_its_favicon_and_the_browser_asks_for_no_other(server, browser):
    mary = signed_in_page(browser, server.base_url, "mary", "/portal/people")
    failed: list[str] = []
    mary.on("response", lambda response: failed.append(response.url) if response.status >= 400 else None)
    try:
        for path in ("/portal/people", "/portal/calls", "/portal/no-such-page"):
            mary.goto(path)
            href = mary.locator("link[rel=icon]").get_attribute("href")
            assert mary.request.get(href).status == 200
        assert [url for url in failed if "favicon" in url] == []
    finally:
        mary.context.close()
