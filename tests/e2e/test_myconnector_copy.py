"""Acceptance: a connector made by scripts/new_connector.py (from myconnector: its own provider, plugin XML and
settings; the browser flow with names changed) is installed by dropping its folder in and restarting the server,
and uninstalled by deleting it and restarting."""
from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
import requests
from playwright.sync_api import expect

from .harness import PASSWORD, ROOT, running_server, signed_in_page, wait_provider_ready

NAME = "acmecall"
TITLE = "Acme Call"


@pytest.fixture
def drop_in(tmp_path):
    """A fresh extensions folder holding the new connector, and the server data folder (kept across restarts)."""
    extensions = tmp_path / "extensions"
    extensions.mkdir()
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "new_connector.py"), NAME, "--title", TITLE,
                           "--dest", str(extensions)], capture_output=True, text=True, check=True)
    assert f"Connector '{NAME}' created" in done.stdout
    data = tmp_path / "data"
    data.mkdir()
    return extensions, data


def start(data, extensions):
    return running_server(data, f"exo.extensions.dirs={extensions}", "webconferencing.testcall.active=false")


def providers(base_url: str) -> dict[str, dict]:
    with requests.Session() as session:
        login = session.post(f"{base_url}/portal/rest/webconferencing/auth/login",
                             json={"username": "john", "password": PASSWORD}, timeout=10)
        login.raise_for_status()
        answer = session.get(f"{base_url}/portal/rest/webconferencing/providers/configuration", timeout=10)
        answer.raise_for_status()
        return {p["type"]: p for p in answer.json()}


def give_im_account(browser, base_url: str, user: str) -> None:
    """The new IM type is on the user's profile form; an account there is what makes the button appear."""
    page = signed_in_page(browser, base_url, user, f"/portal/profile/{user}")
    try:
        page.fill(f"input[name=im_{NAME}]", f"{user}.acme")
        page.click("form.ims button[type=submit]")
        expect(page.locator(f"input[name=im_{NAME}]")).to_have_value(f"{user}.acme")
    finally:
        page.context.close()


def test_a_copied_connector_is_listed_active_with_a_button_and_goes_away_with_its_folder(drop_in, browser):
    extensions, data = drop_in
    with start(data, extensions) as server:
        listed = providers(server.base_url)
        assert listed[NAME]["title"] == TITLE and listed[NAME]["active"] is True
        for user in ("john", "mary"):
            give_im_account(browser, server.base_url, user)
        john = signed_in_page(browser, server.base_url, "john", "/portal/profile/mary")
        try:
            wait_provider_ready(john, NAME)
            button = john.locator(".webconferencing-call[data-user-id=mary] .acmeCallAction")
            expect(button).to_have_text(f"Call with {TITLE}")  # an action, not a product name (issue 11)
            with john.expect_popup() as popup:
                button.click()
            window = popup.value
            window.wait_for_url(f"**/{NAME}/call/p/john-mary")
            expect(window.locator(f".{NAME}-call")).to_have_attribute("data-call-state", "joined")
        finally:
            john.context.close()

    shutil.rmtree(extensions / NAME)
    with start(data, extensions) as server:
        assert NAME not in providers(server.base_url)
        john = signed_in_page(browser, server.base_url, "john", "/portal/profile/john")
        try:
            loaded = john.evaluate("""() => [...document.scripts].map(s => s.src)
                                       .concat([...document.styleSheets].map(s => s.href))""")
            assert not [url for url in loaded if url and NAME in url]
            # the IM accounts users saved stay stored (nothing is lost), but no page offers the type any more
            assert john.locator(f"input[name=im_{NAME}]").count() == 0
            missing = john.evaluate("type => webConferencing.getProvider(type).then(() => 'found', e => e.code)", NAME)
            assert missing == "NOT_FOUND_ERROR"
            assert john.request.get(f"/{NAME}/call/p/john-mary").status == 404
            expect(john.locator("form.ims")).to_be_visible()
            assert john.request.get(f"/extensions/{NAME}/js/webconferencing-{NAME}.js").status == 404
        finally:
            john.context.close()
