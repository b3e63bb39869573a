"""The module's notices (noticeInfo / noticeWarn / noticeError): what connectors use to tell a user something
without a modal dialog, e.g. an incoming call with their own buttons added in onInit."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import signed_in_page


@pytest.mark.parametrize("method, kind", [("noticeInfo", "info"), ("noticeWarn", "warn"),
                                          ("noticeError", "error")])
def test_a_notice_shows_until_dismissed_and_on_init_receives_its_element(server, browser, method, kind):
    page = signed_in_page(browser, server.base_url, "mary", "/portal/people")
    try:
        page.evaluate("""method => {
            window.initialised = [];
            webConferencing[method]("Settings saved", "Your changes are kept.",
                                    element => { window.initialised.push(element); });
        }""", method)
        notice = page.locator(f".webconferencing-notice.{kind}", has_text="Settings saved")
        expect(notice).to_be_visible()
        expect(notice.locator(".notice-title")).to_have_text("Settings saved")
        expect(notice.locator(".notice-text")).to_have_text("Your changes are kept.")
        assert notice.evaluate("element => window.initialised.length === 1 && window.initialised[0] === element")
        notice.locator("button.close").click()
        expect(notice).to_have_count(0)
    finally:
        page.context.close()
