"""The webConferencing browser module as pages load it: plain script files (no bundler) that build the original's
global API and keep their parts private, under the pages' Content-Security-Policy without a violation."""
from __future__ import annotations

import re

from .harness import signed_in_page

# The original module's public API (webconferencing.js of the eXo add-on, plus this port's connector helpers).
ORIGINAL_API = {
    "init", "update", "getUser", "getContext", "getCurrentSpaceId", "getCurrentRoomTitle", "getBaseUrl", "getClientId",
    "addProvider", "findProvider", "getProvider", "getCall", "addCall", "updateUserCall", "deleteCall",
    "getUserGroupCalls", "getUserStatus", "getUserInfo", "getSpaceInfo", "getRoomInfo", "rest", "onUserUpdate",
    "onCallUpdate", "toCallUpdate", "showCallPopup", "imAccount", "getLog", "errorText", "showInfo", "showWarn",
    "showConfirm", "showError", "noticeInfo", "noticeWarn", "noticeError", "ringTone", "callParticipants", "callId",
    "incomingCalls", "isConnected", "whenConnected", "flushLog",
}

COLLECT_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => window.__csp.push(e.violatedDirective + " " + e.blockedURI));
"""


def test_the_module_builds_the_original_api_and_keeps_its_parts_private(server, browser):
    mary = signed_in_page(browser, server.base_url, "mary", "/portal/people")
    try:
        keys = set(mary.evaluate("Object.keys(webConferencing)"))
        assert ORIGINAL_API <= keys, sorted(ORIGINAL_API - keys)
        assert mary.evaluate("typeof window.__webConferencingParts") == "undefined"
        assert mary.evaluate("webConferencing.getUser().id") == "mary"
    finally:
        mary.context.close()


def test_portal_and_admin_pages_load_the_module_without_a_script_error_or_policy_violation(server, browser):
    john = signed_in_page(browser, server.base_url, "john", "/portal/people")
    errors: list[str] = []
    john.on("pageerror", lambda error: errors.append(str(error)))
    john.context.add_init_script(COLLECT_VIOLATIONS)
    try:
        for path in ("/portal/people", "/portal/profile/mary", "/portal/spaces/product_team", "/portal/admin"):
            john.goto(path)
            john.evaluate("webConferencing.whenConnected()")
            john.evaluate("webConferencing.update()")
            assert john.evaluate("window.__csp") == [], path
        assert errors == []
    finally:
        john.context.close()


def test_log_lines_name_the_logger_and_the_connection(server, browser):
    mary = signed_in_page(browser, server.base_url, "mary", "/portal/people")
    try:
        client_id = mary.evaluate("webConferencing.whenConnected()")
        with mary.expect_console_message(lambda message: "hello from the test" in message.text) as logged:
            mary.evaluate("webConferencing.getLog('testcall').prefix('e2e').info('hello from the test')")
        assert re.fullmatch(rf"\| INFO  \| \[testcall\.e2e_{re.escape(client_id)}\] hello from the test -- \S+Z",
                            logged.value.text), logged.value.text
        assert mary.evaluate("typeof webConferencing.getLog('testcall').level") == "undefined"
    finally:
        mary.context.close()
