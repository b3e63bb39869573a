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
