"""A scaffolded connector's admin settings form, in Chromium on the harness: it has the author's settings, saves
them all through the core's REST, and shows the saved values when it opens again."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .conftest import new_connector

TYPE = "formcall"


@pytest.fixture(scope="module")
def exo_connectors(tmp_path_factory):
    dest = tmp_path_factory.mktemp("scaffolded")
    new_connector.new_connector(TYPE, dest, title="Form Call", settings=[
        new_connector.Setting.parse(spec) for spec in ("serverUrl:required=https://call.example", "apiKey:secret")])
    return [dest / TYPE]


def open_settings(page):
    page.locator(f"tr[data-provider={TYPE}] .provider-settings").click()
    form = page.locator(f"#{TYPE}-settings-popup .settingsForm")
    expect(form).to_be_visible()
    return form


def test_the_settings_form_saves_every_setting_and_shows_them_when_opened_again(exo_page):
    john = exo_page("john", "/portal/admin", ready=TYPE)
    form = open_settings(john)
    expect(form.locator("input[name=serverUrl]")).to_have_value("https://call.example")
    expect(form.locator("input[name=apiKey]")).to_have_attribute("type", "password")
    form.locator("input[name=serverUrl]").fill("https://other.example")
    form.locator("input[name=apiKey]").fill("k3y")
    form.locator("button[type=submit]").click()
    expect(john.locator(f"#{TYPE}-settings-popup")).to_be_hidden()
    saved = john.evaluate(f"() => webConferencing.rest('GET', '/provider/{TYPE}/configuration')")
    assert (saved["serverUrl"], saved["apiKey"]) == ("https://other.example", "k3y")
    john.reload()
    expect(open_settings(john).locator("input[name=serverUrl]")).to_have_value("https://other.example")


def test_a_secret_setting_never_reaches_a_users_browser(exo_login, exo_page):
    saved = exo_login("root").post(f"/provider/{TYPE}/configuration", json={"apiKey": "s3cret-key"})
    assert saved.status_code == 200, saved.text
    mary = exo_page("mary", "/portal/people", ready=TYPE)
    assert "s3cret-key" not in mary.content()
    listed = mary.evaluate("() => webConferencing.rest('GET', '/providers')")
    mine = next(provider for provider in listed if provider["type"] == TYPE)
    assert "apiKey" not in mine and mine["serverUrl"].startswith("https://")
