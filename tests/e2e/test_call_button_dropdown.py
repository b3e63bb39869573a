"""The call button when several providers answer: the product's connectors (My Connector and WebRTC, for both of
which john and mary have IM accounts) share one button on a profile, the first as the main action and the other in
a dropdown; with one switched off by an admin, a single plain button remains."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .harness import ROOT, running_server, signed_in_page, wait_provider_ready

PROVIDERS = {"myconnector", "webrtc"}
INCOMING = {"myconnector": ".myconnector-incoming", "webrtc": ".webrtc-incoming"}  # each connector's ringing dialog
BUTTON = ".webconferencing-call[data-user-id=mary][data-built]"


@pytest.fixture(scope="module")
def product_server(tmp_path_factory):
    """The product's connectors only (no test connector): both answer callButton for john and mary."""
    with running_server(tmp_path_factory.mktemp("dropdown-server"), extensions=ROOT / "extensions") as running:
        yield running


def profile_of_mary(browser, server):
    """John (an admin) on Mary's profile, with every provider ready."""
    john = signed_in_page(browser, server.base_url, "john", "/portal/profile/mary")
    for provider in PROVIDERS:
        wait_provider_ready(john, provider)
    return john


def main_provider(button) -> str:
    return button.locator(":scope > .webconferencing-call-action").get_attribute("data-provider")


def set_active(page, provider: str, active: bool) -> None:
    page.evaluate("""([type, active]) => webConferencing.rest("POST", "/provider/" + type + "/configuration",
                                                               {active: active})""", [provider, active])


def test_two_providers_show_one_main_button_and_a_dropdown_listing_the_other(product_server, browser):
    john = profile_of_mary(browser, product_server)
    try:
        button = john.locator(BUTTON)
        expect(button).to_have_class(re.compile(r"\bmultiple\b"))
        main = button.locator(":scope > .webconferencing-call-action")
        expect(main).to_have_count(1)
        expect(main).to_be_visible()
        entries = button.locator(".dropdown-menu > li > .webconferencing-call-action")
        expect(entries).to_have_count(1)
        assert {main_provider(button), entries.get_attribute("data-provider")} == PROVIDERS
        expect(entries).to_be_hidden()
        button.locator(".dropdown-toggle").click()
        expect(entries).to_be_visible()
    finally:
        john.context.close()


def test_choosing_the_dropdown_entry_starts_that_providers_call(product_server, browser):
    mary = signed_in_page(browser, product_server.base_url, "mary", "/portal/people")
    john = profile_of_mary(browser, product_server)
    try:
        for provider in PROVIDERS:
            wait_provider_ready(mary, provider)
        button = john.locator(BUTTON)
        entry = button.locator(".dropdown-menu > li > .webconferencing-call-action")
        chosen = entry.get_attribute("data-provider")
        button.locator(".dropdown-toggle").click()
        entry.click()
        ringing = mary.locator(f"{INCOMING[chosen]}[data-call-id='p/john-mary']")
        expect(ringing).to_contain_text("John Smith is calling you", timeout=15000)
        provider_type = john.evaluate("id => webConferencing.getCall(id).then(call => call.providerType)",
                                      "p/john-mary")
        assert provider_type == chosen
        expect(button).not_to_have_class(re.compile(r"\bopen\b"))  # choosing closes the menu
    finally:
        john.context.close()
        mary.context.close()


def test_with_one_provider_switched_off_a_single_plain_button_remains_after_reload(product_server, browser):
    john = profile_of_mary(browser, product_server)
    switched_off = main_provider(john.locator(BUTTON))
    (remaining,) = PROVIDERS - {switched_off}
    try:
        set_active(john, switched_off, False)
        john.reload()
        wait_provider_ready(john, remaining)
        button = john.locator(BUTTON)
        expect(button).to_have_class(re.compile(r"\bsingle\b"))
        expect(button.locator(".webconferencing-call-action")).to_have_count(1)
        expect(button.locator(".webconferencing-call-action")).to_have_attribute("data-provider", remaining)
        expect(button.locator(".dropdown-toggle, .dropdown-menu")).to_have_count(0)
    finally:
        set_active(john, switched_off, True)
        john.context.close()


GROUP = "g/product_team"
PLACE = """([id, provider]) => webConferencing.findOrAddCall(id, {owner: "product_team", ownerType: "space",
              provider: provider, title: "Team", participants: "john;mary"})
            .then(call => ({providerType: call.providerType, state: call.state}),
                  err => ({code: err.code, message: err.message}))"""


def test_a_providers_button_starts_its_own_call_after_another_providers_group_call_ended(product_server, browser):
    john = signed_in_page(browser, product_server.base_url, "john", "/portal/spaces/product_team")
    try:
        for provider in PROVIDERS:
            wait_provider_ready(john, provider)
        assert john.evaluate(PLACE, [GROUP, "myconnector"]) == {"providerType": "myconnector", "state": "started"}
        running = john.evaluate(PLACE, [GROUP, "webrtc"])
        assert running["code"] == "CALL_CONFLICT_ERROR" and "My Connector" in running["message"]
        john.evaluate("id => webConferencing.updateUserCall(id, 'stopped')", GROUP)
        assert john.evaluate(PLACE, [GROUP, "webrtc"]) == {"providerType": "webrtc", "state": "started"}
    finally:
        john.evaluate("id => webConferencing.deleteCall(id).catch(() => null)", GROUP)
        john.context.close()


MARY_STARTS_SPACE_CALL = """() => webConferencing.findOrAddCall("g/product_team", {owner: "product_team",
    ownerType: "space", provider: "myconnector", title: "Team", participants: "mary;john"})
  .then(() => webConferencing.updateUserCall("g/product_team", "joined"))"""


def test_the_space_page_shows_which_providers_call_runs_and_joins_it_with_that_provider(product_server, browser):
    john = signed_in_page(browser, product_server.base_url, "john", "/portal/spaces/product_team")
    mary = signed_in_page(browser, product_server.base_url, "mary", "/portal/spaces/product_team")
    try:
        for page in (john, mary):
            for provider in PROVIDERS:
                wait_provider_ready(page, provider)
        banner = john.locator(".call-in-progress")
        expect(banner).to_be_hidden()
        mary.evaluate(MARY_STARTS_SPACE_CALL)
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("My Connector call in progress")
        ringing = john.locator(".myconnector-incoming[data-call-id='g/product_team']")
        expect(ringing).to_have_count(1)  # the incoming-call dialog (modal) rings too: dismiss it, join from the banner
        john.keyboard.press("Escape")
        expect(ringing).to_have_count(0)
        with john.expect_popup() as popup:
            banner.locator(".call-in-progress-join").click()
        popup.value.wait_for_url("**/myconnector/call/g/product_team")
        expect(popup.value.locator(".myconnector-call")).to_have_attribute("data-call-state", "joined")
        mary.evaluate("() => webConferencing.updateUserCall('g/product_team', 'stopped')")
        expect(banner).to_be_hidden()
    finally:
        mary.evaluate("() => webConferencing.deleteCall('g/product_team').catch(() => null)")
        john.context.close()
        mary.context.close()
