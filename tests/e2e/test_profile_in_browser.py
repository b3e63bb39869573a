"""Issue 11 in a real browser: a French browser gets French pages; the profile's Language setting; a refused IM
account id said next to its field (the form kept, what was typed shown as text, nothing stored)."""
from __future__ import annotations

from playwright.sync_api import expect

from .harness import signed_in_page

HOSTILE = "<img src=x onerror=alert(1)>"


def watch_for_script(page) -> list[str]:
    """Dialogs opened by the page (alert(1) in a payload that ran)."""
    opened: list[str] = []
    page.on("dialog", lambda dialog: (opened.append(dialog.message), dialog.dismiss()))
    return opened


def test_a_french_browser_gets_the_people_and_profile_pages_in_french(server, browser):
    paul = signed_in_page(browser, server.base_url, "paul", "/portal/people", locale="fr-FR")
    try:
        assert paul.locator("html").get_attribute("lang") == "fr"
        expect(paul.locator("main h1")).to_have_text("Personnes")
        expect(paul.locator(".topbar .sections a")).to_contain_text(["Personnes", "Espaces", "Salons", "Appels"])
        expect(paul.locator(".topbar .logout button")).to_have_text("Se déconnecter")
        paul.goto(f"/portal/people?q={HOSTILE}")
        expect(paul.locator("main h1")).to_have_text("Personnes")
        paul.goto("/portal/profile/paul")
        assert paul.locator("html").get_attribute("lang") == "fr"
        expect(paul.locator(".profile h2").first).to_have_text("Langue")
        expect(paul.locator("form.profile-language select option:checked")).to_have_text("Automatique (navigateur)")
        expect(paul.locator("form.ims button[type=submit]")).to_have_text("Enregistrer")
    finally:
        paul.context.close()


def test_an_english_browser_still_gets_english_pages(server, browser):
    paul = signed_in_page(browser, server.base_url, "paul", "/portal/people", locale="en-US")
    try:
        assert paul.locator("html").get_attribute("lang") == "en"
        expect(paul.locator("main h1")).to_have_text("People")
    finally:
        paul.context.close()


def test_choosing_francais_in_the_profile_turns_the_pages_french_in_an_english_browser(server, browser):
    dave = signed_in_page(browser, server.base_url, "dave", "/portal/profile/dave", locale="en-US")
    try:
        dave.locator("form.profile-language select").select_option("fr")
        dave.locator("form.profile-language button[type=submit]").click()
        expect(dave.locator(".flash")).to_have_text("Langue enregistrée")
        assert dave.locator("html").get_attribute("lang") == "fr"
        dave.goto("/portal/people")
        expect(dave.locator("main h1")).to_have_text("Personnes")
        dave.goto("/portal/profile/dave")
        dave.locator("form.profile-language select").select_option("")
        dave.locator("form.profile-language button[type=submit]").click()
        expect(dave.locator(".flash")).to_have_text("Language saved")
        assert dave.locator("html").get_attribute("lang") == "en"
    finally:
        dave.context.close()


def test_a_refused_im_id_is_shown_next_to_its_field_in_the_kept_form(server, browser):
    bob = signed_in_page(browser, server.base_url, "bob", "/portal/profile/bob")
    opened = watch_for_script(bob)
    try:
        field = bob.locator("form.ims input[name=im_testcall]")
        field.fill(HOSTILE)
        bob.locator("form.ims button[type=submit]").click()
        error = bob.locator("form.ims #im_testcall-error")
        expect(error).to_contain_text("One word, without spaces or control characters")
        expect(field).to_have_value(HOSTILE)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(field).to_have_attribute("aria-describedby", "im_testcall-error")
        expect(bob.locator(".topbar")).to_be_visible()  # the portal page, not a bare text answer
        assert bob.locator("form.ims img").count() == 0 and opened == []
    finally:
        bob.context.close()


def test_a_refused_im_id_stores_nothing(server, browser):
    carol = signed_in_page(browser, server.base_url, "carol", "/portal/profile/carol")
    try:
        field = carol.locator("form.ims input[name=im_testcall]")
        before = field.input_value()
        field.fill("two words")
        carol.locator("form.ims button[type=submit]").click()
        expect(carol.locator("#im_testcall-error")).to_be_visible()
        carol.goto("/portal/profile/carol")
        expect(carol.locator("form.ims input[name=im_testcall]")).to_have_value(before)
        expect(carol.locator("#im_testcall-error")).to_have_count(0)
    finally:
        carol.context.close()


def test_the_im_error_of_a_french_browser_is_french(server, browser):
    paul = signed_in_page(browser, server.base_url, "paul", "/portal/profile/paul", locale="fr-FR")
    opened = watch_for_script(paul)
    try:
        paul.locator("form.ims input[name=im_testcall]").fill(HOSTILE)
        paul.locator("form.ims button[type=submit]").click()
        expect(paul.locator("#im_testcall-error")).to_contain_text("Un seul mot, sans espace")
        assert opened == []
    finally:
        paul.context.close()
