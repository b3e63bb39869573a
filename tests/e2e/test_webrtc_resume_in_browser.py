"""A WebRTC call that ended on the server while one side's page was away from a restarted server (docs/protocol.md,
Resume; extensions/README.md, onStateRefresh), in Debian's chromium with fake camera and microphone.

Ann and Ben are in a 1:1 call; the exo-server process is killed (-9) and a new one starts on the same port and
database; Ben hangs up through it while Ann's page is held away from the server, so no process keeps the `stopped`
event for her. Once her page is back (`resume: "refresh"`), her call window shows the call ended and who ended it,
and a new call from Ben rings her with the incoming-call dialog (the ended call no longer counts as hers).

Ben's display name carries markup: it must show as text and never run (``window.__xss`` stays unset).
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .harness import ROOT, running_server, signed_in_page, wait_provider_ready
from .test_resume_in_browser import PAGE_SCRIPT
from .test_resume_in_browser import connected as socket_connected
from .test_resume_in_browser import disconnected as socket_disconnected
from .test_webrtc_call_experience import (CALL, HOSTILE, ORGANISATION, assert_ended, assert_no_script_ran, connected,
                                          settled, user_page)

BEN = f"Ben {HOSTILE}"


def organisation_with_a_hostile_ben() -> dict:
    """The call-experience organisation, but Ben (who hangs up and calls again) has markup as his last name."""
    organisation = copy.deepcopy(ORGANISATION)
    next(user for user in organisation["users"] if user["id"] == "ben")["lastName"] = HOSTILE
    return organisation


def server_args(data_dir) -> tuple[str, ...]:
    data_file = data_dir / "organisation.json"
    data_file.write_text(json.dumps(organisation_with_a_hostile_ben()), encoding="utf-8")
    return (f"exo.extensions.dirs={ROOT / 'extensions'}", f"webconferencing.identity.data.file={data_file}",
            "webconferencing.testcall.active=false", "webconferencing.myconnector.active=false")


def held_away_page(server, browser, user: str, path: str):
    """A signed-in page whose websockets the test can hold away from the server (test_resume_in_browser's script)."""
    page = signed_in_page(browser, server.base_url, user, path)
    page.context.add_init_script(PAGE_SCRIPT)
    page.reload()
    wait_provider_ready(page, "webrtc")
    return page


def incoming(page):
    return page.locator(f".webrtc-incoming[data-call-id='{CALL}']")


def call_ann(ben) -> None:
    ben.locator(".webconferencing-call[data-user-id=ann] .webrtc-call-button").click()


@dataclass
class HungUpWhileAway:
    ann: object
    ben: object


@pytest.fixture(scope="module")
def hung_up_while_away(tmp_path_factory, media_browser):
    """Ann accepted Ben's call and both are connected; the server is killed and restarted; Ben hangs up through the
    new process while Ann's page is held away; then her page reconnects."""
    data_dir = tmp_path_factory.mktemp("webrtc-resume")
    args = server_args(data_dir)
    with running_server(data_dir, *args) as first:
        port = urlsplit(first.base_url).port
        ann = held_away_page(first, media_browser, "ann", "/portal/people")
        ben = user_page(first, media_browser, "ben", "/portal/profile/ann")
        try:
            call_ann(ben)
            incoming(ann).locator("button.accept").click()
            for page in (ben, ann):
                connected(page, CALL)

            first.kill()
            ann.evaluate("() => { window.holdSockets = true; }")
            socket_disconnected(ann)
            with running_server(data_dir, *args, port=port):
                socket_connected(ben)
                settled(ben, CALL)  # Ben's page has read its call again after the restart
                ben.locator(".webrtc-call .webrtc-hangup").click()
                expect(ben.locator(f".webrtc-call[data-call-id='{CALL}']")).to_have_attribute("data-state", "ended")
                settled(ben, CALL)  # the server has taken Ben's leave: the 1:1 call is gone
                ann.evaluate("() => { window.holdSockets = false; window.dispatchEvent(new Event(\"online\")); }")
                socket_connected(ann)
                yield HungUpWhileAway(ann, ben)
        finally:
            ben.context.close()
            ann.context.close()


def test_a_call_hung_up_while_the_page_was_away_after_a_restart_shows_ended_by_whom(hung_up_while_away):
    ann = hung_up_while_away.ann
    assert_ended(ann, f"{BEN} hung up", "hung_up")
    assert ann.locator(".webrtc-call img").count() == 0
    assert_no_script_ran(ann, hung_up_while_away.ben)


def test_a_new_call_of_the_same_id_after_a_call_ended_while_away_rings_with_a_dialog(hung_up_while_away):
    ann, ben = hung_up_while_away.ann, hung_up_while_away.ben
    for page in (ann, ben):
        expect(page.locator(".webrtc-call")).to_have_count(0, timeout=20000)  # the ended windows went by themselves

    call_ann(ben)

    ringing = incoming(ann)
    expect(ringing.locator(".webrtc-incoming-caller")).to_have_text(f"{BEN} is calling you...", timeout=15000)
    expect(ringing).to_have_attribute("data-ring", "true")
    assert ringing.locator("img").count() == 0
    assert_no_script_ran(ann, ben)
