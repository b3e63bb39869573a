"""A page whose login session ends elsewhere (signed out in another tab) goes back to the sign-in page, instead of
reconnecting its websocket for ever against 401s."""
from __future__ import annotations

from playwright.sync_api import expect

from .harness import running_server, signed_in_page, wait_provider_ready

SIGN_OUT_ELSEWHERE = """() => fetch("/portal/rest/webconferencing/context").then(r => r.json())
    .then(context => fetch("/portal/rest/webconferencing/auth/logout",
                           {method: "POST", headers: {"X-CSRF-Token": context.csrfToken}}))
    .then(r => r.status)"""


def test_a_page_whose_session_ended_goes_to_the_sign_in_page(tmp_path, browser):
    with running_server(tmp_path, "webconferencing.ws.ping.seconds=1") as server:
        page = signed_in_page(browser, server.base_url, "mary", "/portal/people")
        other_tab = page.context.new_page()
        other_tab.goto(f"{server.base_url}/portal/spaces")
        try:
            wait_provider_ready(page, "testcall")
            assert other_tab.evaluate(SIGN_OUT_ELSEWHERE) in (200, 204)
            page.wait_for_url("**/portal/login?next=%2Fportal%2Fpeople", timeout=15000)
            expect(page.locator("form input[name=username]")).to_be_visible()
        finally:
            page.context.close()


def test_signing_out_in_one_tab_signs_the_other_tab_out_at_once(tmp_path, browser):
    """The server checks each socket's session only every 120 s here: the other tab is out within seconds because
    the logout itself closes the session's websockets (webconferencing/web/session_sockets.py)."""
    with running_server(tmp_path, "webconferencing.ws.ping.seconds=120") as server:
        page = signed_in_page(browser, server.base_url, "mary", "/portal/people")
        other_tab = page.context.new_page()
        other_tab.goto(f"{server.base_url}/portal/spaces")
        try:
            wait_provider_ready(page, "testcall")
            wait_provider_ready(other_tab, "testcall")
            other_tab.locator("form.logout button").click()
            other_tab.wait_for_url("**/portal/login**")

            page.wait_for_url("**/portal/login?next=%2Fportal%2Fpeople", timeout=5000)
            expect(page.locator("form input[name=username]")).to_be_visible()
        finally:
            page.context.close()
