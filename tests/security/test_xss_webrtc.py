"""Script injection through the WebRTC connector: display names and call titles are user-controlled, and every page
that shows them during a call (the caller's and the callee's: incoming dialog, ring notice, call overlay, video
tiles) must show them as text. So must the admin's settings form show a server error quoting what was typed.

Each payload would set ``window.__xss`` if it were parsed as HTML (with an inline handler, which a page without CSP
runs and a page with CSP blocks and reports). So each test asserts, in both browsers: nothing ran, no script was
blocked by CSP, no element came out of a payload, and the payload's text is on the page literally, which it is not
when it went through innerHTML.

The users, their names and the space's title come from this test's own identity data file, seeded into a fresh
database of a server of its own.
"""
from __future__ import annotations


import pytest
from playwright.sync_api import expect

from ..e2e.harness import product_server, signed_in_page, wait_provider_ready

CONNECT_TIMEOUT_MS = 20000


def payload(where: str) -> str:
    """Markup that would record ``where`` in window.__xss if it became HTML."""
    return f"<img src=x onerror=\"window.__xss='{where}'\">"


JOHN_LAST_NAME = payload("john-name")
MALLORY_FIRST_NAME = payload("mallory-name")
SPACE_TITLE = payload("space-title")
ICE_SERVERS = payload("settings-error")  # not a stun: URL: the server's error quotes it
JOHN = f"John {JOHN_LAST_NAME}"  # display names: first and last name
MALLORY = f"{MALLORY_FIRST_NAME} Mallory"

ORGANISATION = {
    "users": [
        {"id": "john", "firstName": "John", "lastName": JOHN_LAST_NAME, "password": "gtn", "admin": True,
         "status": "available", "ims": {"webrtc": "john"}},
        {"id": "mallory", "firstName": MALLORY_FIRST_NAME, "lastName": "Mallory", "password": "gtn",
         "status": "available", "ims": {"webrtc": "mallory"}},
    ],
    "spaces": [{"prettyName": "lounge", "title": SPACE_TITLE, "members": ["john", "mallory"],
                "managers": ["mallory"]}],
}

# Recorded from the first script of every page on: script CSP violations (a payload's handler blocked by the
# policy) would otherwise go unseen.
WATCH_CSP = """
    window.__scriptViolations = [];
    document.addEventListener("securitypolicyviolation", event => {
        if (event.effectiveDirective.startsWith("script-src")) {
            window.__scriptViolations.push(event.effectiveDirective + " " + event.sample);
        }
    });
"""


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    """The product's WebRTC connector alone, with the hostile organisation as its identity directory."""
    with product_server(tmp_path_factory.mktemp("xss-webrtc"), ORGANISATION,
                        "webconferencing.testcall.active=false", "webconferencing.myconnector.active=false") as running:
        yield running


def watched_page(media_browser, base_url: str, user: str, path: str):
    page = signed_in_page(media_browser, base_url, user, path)
    page.context.add_init_script(WATCH_CSP)
    page.reload()
    wait_provider_ready(page, "webrtc")
    return page


@pytest.fixture
def pages(hostile_server, media_browser):
    """Mallory and John signed in, each in a context of their own; whoever is still in a call hangs up after."""
    opened: dict[str, object] = {}

    def open_as(user: str, path: str):
        opened[user] = watched_page(media_browser, hostile_server.base_url, user, path)
        return opened[user]

    yield open_as
    for page in opened.values():
        page.evaluate("""() => {
            const provider = webConferencing.findProvider("webrtc");
            for (const id of ["p/john-mallory", "g/lounge"]) {
                const call = provider.getCall(id);
                if (call && !call.isEnded()) { call.hangup("Test over"); }
            }
            return webConferencing.getCall("g/lounge").then(() => true, () => true);
        }""")
        page.context.close()


def accept_incoming(page, call_id: str, caller_text: str) -> None:
    incoming = page.locator(f".webrtc-incoming[data-call-id='{call_id}']")
    expect(incoming.locator(".webrtc-incoming-caller")).to_have_text(caller_text, timeout=15000)
    incoming.locator("button.accept").click()


def wait_connected(page, call_id: str) -> None:
    page.wait_for_function(
        """id => {
            const call = webConferencing.findProvider("webrtc").getCall(id);
            return call && call.peerConnections().some(pc => pc.connectionState === "connected");
        }""", arg=call_id, timeout=CONNECT_TIMEOUT_MS)


def assert_nothing_ran(page) -> None:
    """No payload ran, none was blocked by CSP, and none became an element."""
    seen = page.evaluate("""() => ({
        xss: window.__xss === undefined ? null : String(window.__xss),
        violations: window.__scriptViolations,
        payloadElements: document.querySelectorAll("img[onerror]").length,
    })""")
    assert seen == {"xss": None, "violations": [], "payloadElements": 0}


def test_display_names_holding_script_are_shown_as_text_in_a_1to1_call(pages):
    mallory = pages("mallory", "/portal/profile/john")
    john = pages("john", "/portal/people")
    mallory.locator(".webconferencing-call[data-user-id=john] .webrtc-call-button").click()
    accept_incoming(john, "p/john-mallory", f"{MALLORY} is calling you...")
    for page in (john, mallory):
        wait_connected(page, "p/john-mallory")
    # each side's overlay is titled with, and its video tile named after, the other one's display name
    for page, other in ((john, MALLORY), (mallory, JOHN)):
        call = page.locator(".webrtc-call[data-call-id='p/john-mallory']")
        expect(call.locator(".webrtc-call-title")).to_have_text(other)
        expect(call.locator(".webrtc-peer .webrtc-peer-name")).to_have_text(other)
        assert_nothing_ran(page)


def test_a_call_title_holding_script_is_shown_as_text_in_a_group_call(pages):
    mallory = pages("mallory", "/portal/spaces/lounge")
    john = pages("john", "/portal/people")
    mallory.locator(".webconferencing-call[data-space-id=lounge] .webrtc-call-button").click()
    accept_incoming(john, "g/lounge", f"{MALLORY} is calling you in {SPACE_TITLE}")
    for page in (john, mallory):
        wait_connected(page, "g/lounge")
        call = page.locator(".webrtc-call[data-call-id='g/lounge']")
        expect(call.locator(".webrtc-call-title")).to_have_text(SPACE_TITLE)
        assert call.get_attribute("aria-label") == f"Video call: {SPACE_TITLE}"
        assert_nothing_ran(page)


def test_a_settings_error_quoting_script_is_shown_as_text(pages):
    john = pages("john", "/portal/admin")
    john.locator("tr[data-provider=webrtc] .provider-settings").click()
    form = john.locator("#webrtc-settings-popup .settingsForm")
    form.locator("textarea[name=iceServers]").fill(ICE_SERVERS)
    form.locator("button[type=submit]").click()
    expect(form.locator(".webrtc-settings-error")).to_contain_text(f"'{ICE_SERVERS}' is not a stun:")
    assert_nothing_ran(john)
