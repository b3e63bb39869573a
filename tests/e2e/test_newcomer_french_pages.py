"""A French newcomer's pages with the product's connectors: an error page (a call link to a call that is not there)
no longer prints the server's English message in the middle of French text, it folds it under "Détails techniques
(en anglais)"; the admin page's start-up problems say "avertissement", not "warning". The call id in the link and the
admin's name carry markup: shown as text, never run."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from .harness import product_server, signed_in_page, webrtc_user

HOSTILE = '<img src=x onerror="window.__xss=1">'
ORGANISATION = {"users": [webrtc_user("ann", "Ann", HOSTILE, admin=True)]}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with product_server(tmp_path_factory.mktemp("newcomer-french"), ORGANISATION) as running:
        yield running


@pytest.fixture
def ann_in_french(server, browser):
    page = signed_in_page(browser, server.base_url, "ann", "/portal/people", locale="fr-FR")
    yield page
    page.context.close()


def test_a_french_error_page_folds_the_servers_english_message_away(ann_in_french):
    response = ann_in_french.goto("/portal/call/p/" + quote(HOSTILE, safe=""))
    assert response is not None and response.status == 404
    expect(ann_in_french.locator(".error-explanation")).to_have_text("Cette page n'existe pas, ou n'existe plus.")

    message = ann_in_french.locator(".error-message")
    expect(message).to_be_hidden()
    details = ann_in_french.locator(".error-details summary")
    expect(details).to_have_text("Détails techniques (en anglais)")
    details.click()
    expect(message).to_contain_text(HOSTILE)
    expect(message).to_have_attribute("lang", "en")
    assert ann_in_french.evaluate("window.__xss") is None


def test_an_english_error_page_shows_the_message_as_it_is(server, browser):
    ann = signed_in_page(browser, server.base_url, "ann", "/portal/people", locale="en-US")
    try:
        ann.goto("/portal/call/p/" + quote(HOSTILE, safe=""))
        expect(ann.locator(".error-message")).to_be_visible()
        expect(ann.locator(".error-message")).to_contain_text(HOSTILE)
        expect(ann.locator(".error-details")).to_have_count(0)
        assert ann.evaluate("window.__xss") is None
    finally:
        ann.context.close()


def test_the_admin_pages_start_up_problems_say_their_severity_in_french(ann_in_french):
    ann_in_french.goto("/portal/admin")
    problem = ann_in_french.locator(".configuration-problems li.warning").first

    expect(problem.locator("strong")).to_have_text("avertissement")
    expect(problem.locator("span[lang=en]")).to_contain_text("AddOnService")
    assert ann_in_french.evaluate("window.__xss") is None
