"""Calls placed, rung, answered and ended by two people in two browsers, through the test connector."""
from __future__ import annotations

from playwright.sync_api import expect

from .harness import signed_in_page, wait_provider_ready


def test_a_call_from_a_profile_rings_the_callee_who_joins_then_hangs_up(server, browser):
    mary = signed_in_page(browser, server.base_url, "mary", "/portal/people")
    john = signed_in_page(browser, server.base_url, "john", "/portal/profile/mary")
    try:
        wait_provider_ready(mary)
        button = john.locator(".webconferencing-call[data-user-id=mary] .testcall-button")
        expect(button).to_be_visible()
        button.click()

        ringing = mary.locator(".testcall-incoming[data-call-id='p/john-mary']")
        expect(ringing).to_contain_text("John Smith is calling you")
        caller_panel = john.locator(".testcall-panel[data-call-id='p/john-mary']")
        expect(caller_panel).to_have_attribute("data-state", "calling")

        ringing.locator("button.accept").click()
        callee_panel = mary.locator(".testcall-panel[data-call-id='p/john-mary']")
        expect(callee_panel).to_have_attribute("data-state", "joined")
        expect(caller_panel).to_have_attribute("data-state", "joined")
        # both subscribed to the call channel and greeted each other through it
        expect(caller_panel.locator(".testcall-peer")).to_have_text("Hello from mary")
        expect(callee_panel.locator(".testcall-peer")).to_have_text("Hello from john")

        callee_panel.locator("button.testcall-hangup").click()
        expect(caller_panel).to_have_attribute("data-state", "stopped")
        expect(callee_panel).to_have_attribute("data-state", "stopped")
        gone = john.evaluate("""id => webConferencing.getCall(id).then(() => 'found', err => err.code)""",
                             "p/john-mary")
        assert gone == "NOT_FOUND_ERROR"
    finally:
        mary.context.close()
        john.context.close()


def test_declining_a_call_removes_it_for_the_caller_too(server, browser):
    jack = signed_in_page(browser, server.base_url, "jack", "/portal/people")
    james = signed_in_page(browser, server.base_url, "james", "/portal/profile/jack")
    try:
        wait_provider_ready(jack)
        james.locator(".webconferencing-call[data-user-id=jack] .testcall-button").click()
        ringing = jack.locator(".testcall-incoming[data-call-id='p/jack-james']")
        ringing.locator("button.decline").click()
        expect(ringing).to_have_count(0)
        expect(james.locator(".testcall-panel[data-call-id='p/jack-james']")).to_have_attribute("data-state",
                                                                                                "stopped")
    finally:
        jack.context.close()
        james.context.close()


def test_a_space_call_rings_the_members_and_stops_when_the_last_one_leaves(server, browser):
    peter = signed_in_page(browser, server.base_url, "peter", "/portal/people")
    john = signed_in_page(browser, server.base_url, "john", "/portal/spaces/product_team")
    try:
        wait_provider_ready(peter)
        john.locator(".webconferencing-call[data-space-id=product_team] .testcall-button").click()
        caller_panel = john.locator(".testcall-panel[data-call-id='g/product_team']")
        expect(caller_panel).to_have_attribute("data-state", "calling")

        ringing = peter.locator(".testcall-incoming[data-call-id='g/product_team']")
        expect(ringing).to_contain_text("Product Team is calling you")
        ringing.locator("button.accept").click()
        member_panel = peter.locator(".testcall-panel[data-call-id='g/product_team']")
        expect(member_panel).to_have_attribute("data-state", "joined")
        expect(caller_panel).to_have_attribute("data-state", "joined")

        caller_panel.locator("button.testcall-hangup").click()
        expect(member_panel).to_have_attribute("data-state", "joined")  # a group call goes on without its caller
        member_panel.locator("button.testcall-hangup").click()
        state = john.evaluate("id => webConferencing.getCall(id).then(call => call.state)", "g/product_team")
        assert state == "stopped"
    finally:
        peter.context.close()
        john.context.close()


def test_a_chat_room_page_offers_the_room_call(server, browser):
    bob = signed_in_page(browser, server.base_url, "bob", "/portal/rooms")
    try:
        bob.locator(".card-title", has_text="Release Crew").click()
        button = bob.locator(".webconferencing-call[data-room-name=release_crew] .testcall-button")
        expect(button).to_be_visible()
        assert bob.evaluate("webConferencing.getCurrentRoomTitle()") == "Release Crew"
    finally:
        bob.context.close()


def test_people_show_a_call_button_for_everyone_but_oneself(server, browser):
    mary = signed_in_page(browser, server.base_url, "mary", "/portal/people")
    try:
        expect(mary.locator(".person[data-user=john] .testcall-button")).to_be_visible()
        expect(mary.locator(".person[data-user=mary] .webconferencing-call")).to_have_count(0)
    finally:
        mary.context.close()
