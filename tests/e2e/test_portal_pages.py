"""Portal pages: own profile editing (IM accounts, status) and the call window helper."""
from __future__ import annotations

from playwright.sync_api import expect

from .harness import signed_in_page


def test_a_user_edits_their_im_account_for_each_registered_im_type(server, browser):
    alice = signed_in_page(browser, server.base_url, "alice", "/portal/profile/alice")
    try:
        field = alice.locator("form.ims input[name=im_testcall]")
        field.fill("alice.test")
        alice.locator("form.ims button[type=submit]").click()
        expect(alice.locator(".flash")).to_have_text("IM accounts saved")
        expect(alice.locator("form.ims input[name=im_testcall]")).to_have_value("alice.test")
        # the saved page shows before its scripts at the end of the body have run
        alice.wait_for_function("() => window.webConferencing && webConferencing.getUser() !== null")
        account = alice.evaluate("webConferencing.imAccount(webConferencing.getUser(), 'testcall')")
        assert account == {"type": "testcall", "id": "alice.test"}
    finally:
        alice.context.close()


def test_other_peoples_im_accounts_are_read_only(server, browser):
    bob = signed_in_page(browser, server.base_url, "bob", "/portal/profile/alice")
    try:
        expect(bob.locator("dl.ims")).to_contain_text("Test Call")
        expect(bob.locator("form.ims")).to_have_count(0)
        token = bob.locator("meta[name=csrf-token]").get_attribute("content")
        answer = bob.request.post("/portal/profile/alice/ims", form={"csrfToken": token, "im_testcall": "hijack"})
        assert answer.status == 403
    finally:
        bob.context.close()


def test_the_status_selector_changes_the_users_status(server, browser):
    carol = signed_in_page(browser, server.base_url, "carol", "/portal/people")
    try:
        with carol.expect_response(lambda r: r.url.endswith("/userstatus") and r.request.method == "PUT") as answer:
            carol.select_option("#user-status", "away")
        assert answer.value.ok
        status = carol.evaluate("webConferencing.getUserStatus('carol').then(s => s.status)")
        assert status == "away"
        carol.reload()
        expect(carol.locator(".person[data-user=carol] .card-meta")).to_contain_text("Away")  # its label (issue 11)
    finally:
        carol.context.close()


def test_show_call_popup_opens_a_named_window_where_the_module_initialises(server, browser):
    dave = signed_in_page(browser, server.base_url, "dave", "/portal/people")
    try:
        with dave.context.expect_page() as opened:
            dave.evaluate("webConferencing.showCallPopup('/portal/profile/dave', 'testcall-window')")
        popup = opened.value
        popup.wait_for_load_state()
        assert popup.evaluate("window.name") == "testcall-window"
        assert popup.evaluate("webConferencing.getUser().id") == "dave"
        assert popup.evaluate("webConferencing.whenConnected().then(id => typeof id)") == "string"
    finally:
        dave.context.close()
