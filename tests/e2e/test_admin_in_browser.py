"""The admin page: providers with their switches, and what the switches do to other users' pages."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from .harness import signed_in_page, wait_provider_ready


def provider_row(admin):
    return admin.locator("table.providers tr[data-provider=testcall]")


def set_switch(admin, selector: str, on: bool, path: str) -> None:
    """Click the switch and wait for the server to answer the POST it makes."""
    switch = provider_row(admin).locator(selector)
    if switch.is_checked() == on:
        return
    with admin.expect_response(lambda r: r.url.endswith(path) and r.request.method == "POST") as answer:
        provider_row(admin).locator(f"{selector} + .slider").click()
    assert answer.value.ok


def test_admin_page_lists_the_provider_with_title_type_version_and_its_settings_button(server, browser):
    admin = signed_in_page(browser, server.base_url, "root", "/portal/admin")
    try:
        row = provider_row(admin)
        expect(row.locator(".provider-title")).to_contain_text("Test Call")
        expect(row).to_contain_text("testcall")
        expect(row).to_contain_text("1.0-test")
        expect(row.locator(".provider-active")).to_be_checked()
        settings = row.locator(".provider-settings")
        expect(settings).to_be_visible()  # the test connector's provider has showSettings()
        settings.click()
        expect(admin.locator(".webconferencing-dialog")).to_contain_text("Test Call settings")
    finally:
        admin.context.close()


def test_admin_page_is_refused_to_other_users(server, browser):
    mary = signed_in_page(browser, server.base_url, "mary", "/portal/people")
    try:
        expect(mary.locator(".topbar a", has_text="Admin")).to_have_count(0)
        answer = mary.goto("/portal/admin")
        assert answer.status == 403
    finally:
        mary.context.close()


def test_switching_a_provider_off_removes_its_call_buttons_after_reload(server, browser):
    admin = signed_in_page(browser, server.base_url, "root", "/portal/admin")
    mary = signed_in_page(browser, server.base_url, "mary", "/portal/profile/john")
    try:
        expect(mary.locator(".testcall-button")).to_be_visible()
        set_switch(admin, ".provider-active", False, "/provider/testcall/configuration")
        mary.reload()
        expect(mary.locator("h1")).to_have_text("John Smith")
        state = mary.evaluate("webConferencing.getProvider('testcall').then(() => 'active', err => err.code)")
        assert state in ("ACCESS_ERROR", "NOT_FOUND_ERROR")  # switched off: its module is not even loaded
        mary.evaluate("webConferencing.update()")
        expect(mary.locator(".testcall-button")).to_have_count(0)
        expect(mary.locator(".webconferencing-call[data-user-id=john]")).to_be_hidden()

        admin.reload()
        expect(provider_row(admin).locator(".provider-active")).not_to_be_checked()  # persisted
    finally:
        set_switch(admin, ".provider-active", True, "/provider/testcall/configuration")
        mary.reload()
        expect(mary.locator(".testcall-button")).to_be_visible()
        admin.context.close()
        mary.context.close()


def test_a_logged_error_reaches_the_server_call_log_with_the_reference_the_user_was_shown(server, browser):
    admin = signed_in_page(browser, server.base_url, "root", "/portal/admin")
    set_switch(admin, ".provider-log", True, "/provider/testcall/log")
    mary = signed_in_page(browser, server.base_url, "mary", "/portal/people")
    try:
        wait_provider_ready(mary)
        mary.evaluate("""() => {
            webConferencing.getLog("testcall").showError(
                "E2E call setup failed", new Error("media refused"), "Call failed", "The call could not start");
        }""")  # not awaited: the promise settles when the user closes the dialog
        dialog = mary.locator(".webconferencing-dialog.error")
        expect(dialog).to_contain_text("Call failed")
        expect(dialog).to_contain_text("The call could not start")
        reference = dialog.locator(".webconferencing-dialog-reference code").inner_text()
        assert re.fullmatch(r"mary-\S+-\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", reference), reference
        mary.evaluate("webConferencing.flushLog()")

        line = server.wait_for_line(lambda l: "E2E call setup failed" in l)
        logged = re.search(r"\| ERROR \| \[testcall\] (\S+) E2E call setup failed\. Error: media refused -- (\S+)", line)
        assert logged, line
        assert f"{logged.group(1)}-{logged.group(2)}" == reference
    finally:
        set_switch(admin, ".provider-log", False, "/provider/testcall/log")
        admin.context.close()
        mary.context.close()


def test_trace_records_never_reach_the_server(server, browser):
    admin = signed_in_page(browser, server.base_url, "root", "/portal/admin")
    set_switch(admin, ".provider-log", True, "/provider/testcall/log")
    mary = signed_in_page(browser, server.base_url, "mary", "/portal/people")
    try:
        wait_provider_ready(mary)
        mary.evaluate("""() => {
            const log = webConferencing.getLog("testcall");
            log.trace("E2E trace only in the console");
            log.info("E2E info after the trace");
            webConferencing.flushLog();
        }""")
        server.wait_for_line(lambda l: "E2E info after the trace" in l)
        assert not any("E2E trace only in the console" in l for l in server.lines)
    finally:
        set_switch(admin, ".provider-log", False, "/provider/testcall/log")
        admin.context.close()
        mary.context.close()
