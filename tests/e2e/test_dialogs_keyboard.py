"""Issue 11: dialogs are modal and keyboard-friendly in chromium: the connectors' settings (a backdrop, the focus
kept inside, Escape closes and gives the focus back), the module's own dialogs, and the call-options dropdown
(aria-expanded, Escape)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import ROOT, running_server, signed_in_page, wait_provider_ready

HOSTILE = '<img src=x onerror="window.__xss=1">'


@pytest.fixture(scope="module")
def product_server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("dialogs-server"), extensions=ROOT / "extensions") as running:
        yield running


@pytest.fixture
def admin_page(product_server, browser):
    john = signed_in_page(browser, product_server.base_url, "john", "/portal/admin")
    yield john
    john.context.close()


def test_my_connector_settings_are_a_modal_the_keyboard_cannot_leave(admin_page):
    opener = admin_page.locator("tr[data-provider=myconnector] .provider-settings")
    opener.click()
    popup = admin_page.locator("#myconnector-settings-popup")
    expect(popup).to_have_attribute("role", "dialog")
    expect(popup).to_have_attribute("aria-modal", "true")
    expect(popup).to_have_attribute("aria-labelledby", "myconnector-settings-title")
    expect(admin_page.locator(".webconferencing-backdrop")).to_have_count(1)
    expect(popup.locator("input[name=clientId]")).to_be_focused()

    for _ in range(4):  # API key, Save, Cancel, then back to the first field
        admin_page.keyboard.press("Tab")
    expect(popup.locator("input[name=clientId]")).to_be_focused()
    admin_page.keyboard.press("Shift+Tab")
    expect(popup.locator(".myconnector-settings-cancel")).to_be_focused()

    admin_page.keyboard.press("Escape")
    expect(popup).to_be_hidden()
    expect(admin_page.locator(".webconferencing-backdrop")).to_have_count(0)
    expect(opener).to_be_focused()


def test_webrtc_settings_close_on_escape_and_have_no_empty_band_above_their_title(admin_page):
    admin_page.locator("tr[data-provider=webrtc] .provider-settings").click()
    popup = admin_page.locator("#webrtc-settings-popup")
    expect(popup.locator("textarea[name=iceServers]")).to_be_focused()
    gap = admin_page.evaluate("""() => {
        const popup = document.getElementById("webrtc-settings-popup");
        return popup.querySelector("h2").getBoundingClientRect().top - popup.getBoundingClientRect().top;
    }""")
    assert gap <= 24  # the popup's padding and border, no heading margin on top

    admin_page.keyboard.press("Escape")
    expect(popup).to_have_count(0)
    expect(admin_page.locator(".webconferencing-backdrop")).to_have_count(0)


def test_settings_inputs_are_not_bold(admin_page):
    admin_page.locator("tr[data-provider=myconnector] .provider-settings").click()
    weight = admin_page.locator("#myconnector-settings-popup input[name=clientId]").evaluate(
        "input => getComputedStyle(input).fontWeight")
    assert weight == "400"


def test_a_module_dialog_keeps_the_focus_and_closes_on_escape(admin_page):
    admin_page.evaluate("title => { window.__closed = webConferencing.showInfo(title, 'text') }", HOSTILE)
    dialog = admin_page.locator(".webconferencing-dialog")
    expect(dialog.locator("button.ok")).to_be_focused()
    expect(dialog.locator(".title")).to_have_text(HOSTILE)
    admin_page.keyboard.press("Tab")
    expect(dialog.locator("button.ok")).to_be_focused()  # its only control

    admin_page.keyboard.press("Escape")

    expect(dialog).to_have_count(0)
    assert admin_page.evaluate("window.__xss") is None


def test_the_call_options_dropdown_says_whether_it_is_open_and_closes_on_escape(product_server, browser):
    john = signed_in_page(browser, product_server.base_url, "john", "/portal/profile/mary")
    try:
        for provider in ("myconnector", "webrtc"):
            wait_provider_ready(john, provider)
        toggle = john.locator(".webconferencing-call[data-user-id=mary][data-built] .dropdown-toggle")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.click()
        expect(toggle).to_have_attribute("aria-expanded", "true")
        entry = john.locator(".webconferencing-call[data-user-id=mary] .dropdown-menu .webconferencing-call-action")
        expect(entry).to_be_visible()
        expect(entry).to_contain_text("Call with My Connector")

        john.keyboard.press("Escape")

        expect(toggle).to_have_attribute("aria-expanded", "false")
        expect(entry).to_be_hidden()
        expect(toggle).to_be_focused()
    finally:
        john.context.close()
