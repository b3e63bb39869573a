"""Issue 11's newcomer's list, seen in chromium: the Rooms page lists only the rooms the user can open (an admin
too), the connectors' settings forms on the admin page drop an old server error once the admin edits the form (My
Connector's has no empty band above its title), and WebRTC's group incoming-call dialog says who calls. The room's
title carries a script payload: shown as text, never run."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from .harness import ROOT, running_server, signed_in_page, wait_provider_ready

DEMO_ORG = ROOT / "webconferencing" / "data" / "demo-org.json"
RELEASE_CREW = "team-5f3a9c1e2b7d4a60"  # members john, mary, peter, bob
COFFEE_BREAK = "team-8c21d0e4f9a34b17"  # members demo, alice, dave, james, root
HOSTILE_TITLE = '<img src=x onerror="window.__xss=1"> Crew'


@pytest.fixture(scope="module")
def product_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("newcomers-server")
    org = json.loads(DEMO_ORG.read_text(encoding="utf-8"))
    next(r for r in org["rooms"] if r["id"] == RELEASE_CREW)["title"] = HOSTILE_TITLE
    org_file = data_dir / "hostile-org.json"
    org_file.write_text(json.dumps(org), encoding="utf-8")
    with running_server(data_dir, f"webconferencing.identity.data.file={org_file}",
                        extensions=ROOT / "extensions") as running:
        yield running


def test_an_admin_sees_in_rooms_only_the_rooms_they_are_in_and_each_one_opens(product_server, browser):
    john = signed_in_page(browser, product_server.base_url, "john", "/portal/rooms")  # an administrator
    try:
        links = john.locator("main a[href^='/portal/rooms/']")
        expect(links).to_have_count(1)
        expect(links.first).to_have_text(HOSTILE_TITLE)
        assert john.locator(f"main a[href='/portal/rooms/{COFFEE_BREAK}']").count() == 0
        for href in [links.nth(i).get_attribute("href") for i in range(links.count())]:
            assert john.goto(href).status == 200
        assert john.evaluate("window.__xss") is None
    finally:
        john.context.close()


@pytest.fixture
def my_connector_settings(product_server, browser):
    john = signed_in_page(browser, product_server.base_url, "john", "/portal/admin")
    john.locator("tr[data-provider=myconnector] .provider-settings").click()
    yield john.locator("#myconnector-settings-popup")
    john.context.close()


def test_an_old_server_error_goes_once_the_form_is_edited(my_connector_settings):
    form = my_connector_settings.locator(".settingsForm")
    error = form.locator(".myconnector-settings-error")
    form.locator("input[name=clientId]").fill("acme 42")
    form.locator("button[type=submit]").click()
    expect(error).to_contain_text("clientId")  # the server's: one word only

    form.locator("input[name=clientId]").fill("")
    form.locator("button[type=submit]").click()  # the browser's own message now: the field is required

    expect(error).to_be_hidden()
    assert form.locator("input[name=clientId]").evaluate("input => input.validity.valueMissing")


def test_my_connector_settings_have_no_empty_band_above_their_title(my_connector_settings):
    heading = my_connector_settings.locator("h2")
    expect(heading).to_be_visible()
    gap = heading.evaluate("h2 => h2.getBoundingClientRect().top"
                           " - h2.closest('.myconnector-settings-popup').getBoundingClientRect().top")
    assert gap <= 24  # the popup's padding and border, no heading margin on top


def test_an_old_server_error_in_webrtcs_settings_goes_under_the_browsers_own_message(product_server, browser):
    john = signed_in_page(browser, product_server.base_url, "john", "/portal/admin")
    try:
        john.locator("tr[data-provider=webrtc] .provider-settings").click()
        form = john.locator("#webrtc-settings-popup form")
        error = form.locator(".webrtc-settings-error")
        form.locator("textarea[name=iceServers]").fill("not json")
        form.locator("button[type=submit]").click()
        expect(error).to_be_visible()  # the server's

        form.locator("input[name=maxParticipants]").fill("9")
        form.locator("button[type=submit]").click()  # the browser's own message now: at most 8

        expect(error).to_be_hidden()
        assert form.locator("input[name=maxParticipants]").evaluate("input => input.validity.rangeOverflow")
    finally:
        john.context.close()


def test_webrtcs_group_call_dialog_says_who_is_calling_and_in_which_room(product_server, browser):
    mary = signed_in_page(browser, product_server.base_url, "mary", "/portal/people")
    john = signed_in_page(browser, product_server.base_url, "john", "/portal/people")
    call_id = f"g/{RELEASE_CREW}"
    try:
        wait_provider_ready(mary, "webrtc")
        john.evaluate("""id => webConferencing.addCall(id, {owner: id.slice(2), ownerType: "chat_room",
            provider: "webrtc", participants: "john;mary"})""", call_id)
        dialog = mary.locator(f".webrtc-incoming[data-call-id='{call_id}']")
        expect(dialog.locator(".webrtc-incoming-caller")).to_have_text(f"John Smith is calling you in {HOSTILE_TITLE}")
        assert mary.evaluate("window.__xss") is None
    finally:
        john.evaluate("id => webConferencing.updateUserCall(id, 'stopped').catch(() => null)", call_id)
        mary.context.close()
        john.context.close()
