"""The profile page's language setting (issue 11). The IM accounts form and its inline errors need a connector that
registers an IM type: tests/e2e/test_profile_in_browser.py."""
from __future__ import annotations

from .harness import DEFAULT_TIMEOUT

HOSTILE = "<img src=x onerror=alert(1)>"


def profile_page(user, accept_language: str = "en") -> str:
    response = user.http.get(f"{user.server.base}/portal/profile/{user.id}", timeout=DEFAULT_TIMEOUT,
                             headers={"Accept-Language": accept_language})
    assert response.status_code == 200, response.text[:300]
    return response.text


def test_the_profile_offers_automatic_english_and_french_with_the_current_choice_selected(login):
    jack = login("jack")
    page = profile_page(jack)
    assert '<option value="" selected>Automatic (browser)</option>' in page
    assert '<option value="en" lang="en">English</option>' in page
    assert '<option value="fr" lang="fr">Français</option>' in page


def test_another_users_profile_has_no_language_setting(login):
    mary = login("mary")
    response = mary.http.get(f"{mary.server.base}/portal/profile/john", timeout=DEFAULT_TIMEOUT)
    assert response.status_code == 200 and 'class="profile-language"' not in response.text


def test_the_profile_of_a_hostile_user_id_is_a_french_not_found_with_the_id_as_text(login):
    mary = login("mary")
    response = mary.http.get(f"{mary.server.base}/portal/profile/{HOSTILE}", timeout=DEFAULT_TIMEOUT,
                             headers={"Accept-Language": "fr"})
    assert response.status_code == 404 and HOSTILE not in response.text
    assert "<h1>404 Introuvable</h1>" in response.text and "Retour au portail" in response.text


def test_nobody_sets_another_users_language(login):
    mary = login("mary")
    refused = mary.http.post(f"{mary.server.base}/portal/profile/john/language", allow_redirects=False,
                             data={"language": HOSTILE, "csrfToken": mary.csrf}, timeout=DEFAULT_TIMEOUT,
                             headers={"Origin": mary.server.base})
    assert refused.status_code == 403
