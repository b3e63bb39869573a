"""My Connector through webconferencing.testing, the harness connector authors get: what a connector's own test file
looks like, and a check that the harness serves the shipped template as it serves a new connector."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from webconferencing.testing import is_event, user_channel

from .conftest import EXTENSIONS

TYPE = "myconnector"


@pytest.fixture(scope="module")
def exo_connectors():
    return [EXTENSIONS / TYPE]


def test_john_calls_mary_who_rings_accepts_and_both_see_the_call_page(exo_page):
    john = exo_page("john", "/portal/profile/mary", ready=TYPE)
    mary = exo_page("mary", "/portal/people", ready=TYPE)
    with john.expect_popup() as opened:
        john.locator(".webconferencing-call[data-user-id=mary] .myConnectorAction").click()
    johns_call = opened.value
    ringing = mary.locator(".myconnector-incoming[data-call-id='p/john-mary']")
    expect(ringing).to_contain_text("John Smith is calling you")
    with mary.expect_popup() as opened:
        ringing.locator("button.accept").click()
    for window in (johns_call, opened.value):
        expect(window.locator(".myconnector-call")).to_have_attribute("data-call-state", "joined")


def test_a_call_added_over_rest_reaches_the_callees_websocket_as_started(exo_login):
    peter = exo_login("peter").tab()
    peter.subscribe(user_channel("peter"))
    added = exo_login("root").post("/call/p/peter-root", json={
        "owner": "root", "ownerType": "user", "provider": TYPE, "title": "Peter", "participants": ["root", "peter"]})
    assert added.status_code == 200, added.text
    peter.message(user_channel("peter"), is_event("call_state", "p/peter-root", callState="started"))


def test_the_template_button_needs_an_account_of_its_type_but_call_participants_without_a_type_takes_everyone(
        exo_page):
    john = exo_page("john", "/portal/people", ready=TYPE)
    members = {"mary": {"id": "mary", "imAccounts": {TYPE: [{"id": "mary.mc"}]}}, "paul": {"id": "paul"}}
    participants = john.evaluate("""([members, type]) => [
        webConferencing.callParticipants({isGroup: true}, {id: "product_team", members: members}, type),
        webConferencing.callParticipants({isGroup: true}, {id: "product_team", members: members}, null),
        webConferencing.callParticipants({isGroup: false}, members.paul, null)]""", [members, TYPE])
    assert participants == [["john", "mary"], ["john", "mary", "paul"], ["john", "paul"]]
