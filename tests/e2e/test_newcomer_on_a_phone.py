"""A newcomer's tour on a 390 px phone with the product's own connectors (extensions/): a person whose only call
button is My Connector's wide one keeps their name on one line (the button goes below it), the French header shows
its five sections and the whole status without scrolling, and the admin page's start-up warnings (the shipped My
Connector names a Java class and a file path, neither with a space to break at) stay within the screen. Display names
carry markup: shown as text, never run."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from .harness import product_server, signed_in_page, webrtc_user

PHONE = {"width": 390, "height": 844}
HOSTILE = '<img src=x onerror="window.__xss=1">'
ORGANISATION = {
    "users": [
        webrtc_user("ann", "Ann", HOSTILE, admin=True),
        webrtc_user("bob", "Bob", "Lambert", ims={"myconnector": "bob"}),  # My Connector's button only
        webrtc_user("eve", "Eve", f"Evans {HOSTILE}", ims={"myconnector": "eve"}),
    ],
}

# how many lines a link's text takes (a Range gives one rectangle per line box of inline text)
LINES_OF = "a => { const r = document.createRange(); r.selectNodeContents(a); return r.getClientRects().length; }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with product_server(tmp_path_factory.mktemp("newcomer-phone"), ORGANISATION) as running:
        yield running


@pytest.fixture(params=["en-US", "fr-FR"])
def ann_on_a_phone(server, browser, request):
    page = signed_in_page(browser, server.base_url, "ann", "/portal/people", viewport=PHONE, locale=request.param)
    yield page
    page.context.close()


def test_a_wide_call_button_goes_below_the_name_instead_of_squeezing_it(ann_on_a_phone):
    bob = ann_on_a_phone.locator(".person[data-user=bob]")
    expect(bob.locator(".call-button, button").first).to_be_visible()

    assert bob.locator(".card-title").evaluate(LINES_OF) == 1
    eve = ann_on_a_phone.locator(".person[data-user=eve] .card-title")
    expect(eve).to_have_text(f"Eve Evans {HOSTILE}")
    assert ann_on_a_phone.evaluate("window.__xss") is None


def test_the_admin_pages_start_up_warnings_stay_within_the_screen(ann_on_a_phone):
    ann_on_a_phone.goto("/portal/admin")
    warning = ann_on_a_phone.locator(".configuration-problems li").first
    expect(warning).to_contain_text("org.exoplatform.commons.addons.AddOnService")

    assert ann_on_a_phone.evaluate("document.scrollingElement.scrollWidth") <= PHONE["width"]
    assert ann_on_a_phone.evaluate("window.__xss") is None


def test_the_french_header_shows_every_section_and_the_whole_status(server, browser):
    page = signed_in_page(browser, server.base_url, "ann", "/portal/people", viewport=PHONE, locale="fr-FR")
    try:
        for name in ("Personnes", "Espaces", "Salons", "Appels", "Admin"):
            link = page.locator(".topbar .sections a", has_text=name)
            assert link.evaluate("a => a.getBoundingClientRect().right") <= PHONE["width"], name
        status = page.locator(".topbar .status-select")
        expect(status).to_have_value("available")
        assert status.evaluate("""select => {
            const probe = document.createElement("span");
            probe.style.font = getComputedStyle(select).font;
            probe.textContent = select.selectedOptions[0].textContent;
            document.body.append(probe);
            const width = probe.getBoundingClientRect().width;
            probe.remove();
            return width + 20 <= select.getBoundingClientRect().width;  // 20 px: the select's arrow and padding
        }""")
        assert page.evaluate("window.__xss") is None
    finally:
        page.context.close()


@pytest.mark.parametrize("locale, active, remote_log", [("en-US", "Active", "Remote log"),
                                                        ("fr-FR", "Actif", "Journal distant")])
def test_each_admin_switch_says_what_it_switches_on_a_phone(server, browser, locale, active, remote_log):
    page = signed_in_page(browser, server.base_url, "ann", "/portal/admin", viewport=PHONE, locale=locale)
    try:
        expect(page.locator("table.providers thead")).to_be_hidden()  # the column heads are gone on a phone
        for row in (page.locator("tr[data-provider=webrtc]"), page.locator("tr[data-provider=myconnector]")):
            captions = row.locator(".switch-caption")
            expect(captions).to_have_text([active, remote_log])
            for i in range(2):
                caption, switch = captions.nth(i).bounding_box(), row.locator(".switch").nth(i).bounding_box()
                assert caption and switch and caption["x"] + caption["width"] <= switch["x"]  # just before its switch
        assert page.evaluate("window.__xss") is None
    finally:
        page.context.close()


def test_the_admin_switches_have_no_caption_beside_them_on_a_desktop(server, browser):
    page = signed_in_page(browser, server.base_url, "ann", "/portal/admin")
    try:
        expect(page.locator("table.providers thead")).to_be_visible()
        expect(page.locator("table.providers .switch-caption:visible")).to_have_count(0)
        assert page.evaluate("window.__xss") is None
    finally:
        page.context.close()
