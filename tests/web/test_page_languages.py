"""Pages speak the profile's language, else the browser's (Accept-Language), else English (issue 11)."""
from __future__ import annotations

import re

import requests

from .harness import DEFAULT_TIMEOUT

HOSTILE = "<img src=x onerror=alert(1)>"


def html_lang(page: str) -> str:
    match = re.search(r'<html lang="([^"]*)"', page)
    assert match, page[:300]
    return match.group(1)


def login_page(server, accept_language: str | None) -> requests.Response:
    headers = {} if accept_language is None else {"Accept-Language": accept_language}
    response = requests.get(f"{server.base}/portal/login", params={"next": HOSTILE}, headers=headers,
                            timeout=DEFAULT_TIMEOUT)
    assert response.status_code == 200, response.text[:300]
    assert HOSTILE not in response.text  # the hostile next is dropped or escaped, never markup
    return response


def test_a_browser_without_accept_language_gets_english(server):
    assert html_lang(login_page(server, None).text) == "en"


def test_accept_language_french_gives_a_french_page(server):
    assert html_lang(login_page(server, "fr-FR,fr;q=0.9,en;q=0.5").text) == "fr"


def test_the_best_supported_match_of_accept_language_wins(server):
    assert html_lang(login_page(server, "de-DE,de;q=0.9,fr;q=0.8,en;q=0.7").text) == "fr"


def test_an_unsupported_language_falls_back_to_english(server):
    assert html_lang(login_page(server, "de-DE,ja;q=0.8").text) == "en"


def page(user, path: str, accept_language: str | None = None) -> requests.Response:
    headers = {} if accept_language is None else {"Accept-Language": accept_language}
    response = user.http.get(f"{user.server.base}{path}", headers=headers, timeout=DEFAULT_TIMEOUT)
    assert response.status_code == 200, response.text[:300]
    return response


def set_language(user, language: str) -> requests.Response:
    return user.http.post(f"{user.server.base}/portal/profile/{user.id}/language", allow_redirects=False,
                          data={"language": language, "csrfToken": user.csrf}, headers={"Origin": user.server.base},
                          timeout=DEFAULT_TIMEOUT)


def test_the_sign_in_form_speaks_french_to_a_french_browser(server):
    text = login_page(server, "fr").text
    assert "Se connecter" in text and "Mot de passe" in text and "Password" not in text


def test_a_signed_in_french_browser_gets_the_people_page_in_french(login):
    mary = login("mary")
    text = page(mary, "/portal/people", "fr-FR,fr;q=0.9").text
    assert html_lang(text) == "fr"
    assert "<h1>Personnes</h1>" in text and "Se déconnecter" in text and "Sign out" not in text


def test_the_profile_language_overrides_accept_language(login):
    james = login("james")
    assert set_language(james, "fr").status_code == 303
    assert html_lang(page(james, "/portal/people", "en-US,en;q=0.9").text) == "fr"
    assert set_language(james, "en").status_code == 303
    assert html_lang(page(james, "/portal/people", "fr-FR,fr;q=0.9").text) == "en"


def test_automatic_goes_back_to_the_browsers_language(login):
    jack = login("jack")
    set_language(jack, "fr")
    assert set_language(jack, "").status_code == 303
    assert html_lang(page(jack, "/portal/people", "en").text) == "en"
    assert html_lang(page(jack, "/portal/people", "fr").text) == "fr"


def test_the_saved_message_is_in_the_language_just_chosen(login):
    alice = login("alice")
    set_language(alice, "fr")
    assert "Langue enregistrée" in page(alice, f"/portal/profile/{alice.id}", "en").text


def test_a_language_not_offered_is_refused_next_to_the_setting(login):
    peter = login("peter")
    refused = set_language(peter, HOSTILE)
    assert refused.status_code == 400
    assert 'id="language-error"' in refused.text and HOSTILE not in refused.text
    assert html_lang(page(peter, "/portal/people", "en").text) == "en"


def test_a_hostile_accept_language_still_gives_the_page(login):
    """Garbage, markup, non-ASCII, and headers long enough to cost parsing (the HTTP server caps them at 8 KB)."""
    mary = login("mary")
    for header in ("x" * 8000, ";;;,,,q=abc, fr;q=NaN", HOSTILE, "fr;q=0.5" + ", de" * 1900,
                   "\u00e9\u00e8".encode("utf-8").decode("latin-1"), "*;q=1"):
        text = page(mary, "/portal/people", header).text
        assert html_lang(text) in ("en", "fr") and HOSTILE not in text


def test_an_accept_language_longer_than_any_browsers_is_ignored(login):
    mary = login("mary")
    assert html_lang(page(mary, "/portal/people", "fr," + "de;q=0.1," * 900).text) == "en"


def test_an_unparsable_accept_language_gives_english(login):
    mary = login("mary")
    assert html_lang(page(mary, "/portal/people", ";;;,,,q=abc").text) == "en"
