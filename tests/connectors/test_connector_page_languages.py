"""Issue 11: My Connector's server pages (its call window, its settings form) and its description on the admin page
come from its own resource bundle, in the language of the request (here ``Accept-Language``)."""
from __future__ import annotations

import pytest
from markupsafe import escape

from webconferencing.service import WebConferencingService
from webconferencing.web.app import create_app
from webconferencing.web.settings import ServerSettings

from .conftest import extensions_with

FRENCH = {"Accept-Language": "fr-FR,fr;q=0.9"}
ENGLISH = {"Accept-Language": "en-US"}


@pytest.fixture
def app_of(boot_product, tmp_path):
    container = boot_product(extensions_with(tmp_path, "myconnector"))
    app = create_app(container, ServerSettings(secret="test-secret", data_dir=tmp_path))
    return app, container.get_component_instance_of_type(WebConferencingService)


def signed_in(app, user: str):
    client = app.test_client()
    answer = client.post("/portal/rest/webconferencing/auth/login", json={"username": user, "password": "gtn"})
    assert answer.status_code == 200
    return client


@pytest.mark.parametrize("headers, description", [
    (ENGLISH, "Template connector: each call opens in a window of its own, without audio or video."),
    (FRENCH, "Connecteur modèle : chaque appel s'ouvre dans une fenêtre à part, sans audio ni vidéo."),
])
def test_the_admin_page_describes_my_connector_in_the_readers_language(app_of, headers, description):
    app, _ = app_of
    html = signed_in(app, "john").get("/portal/admin", headers=headers).get_data(as_text=True)
    assert f'<div class="muted small">{escape(description)}</div>' in html
    assert "Call provider description here." not in html


def test_the_settings_form_speaks_french_to_a_french_admin(app_of):
    app, _ = app_of
    html = signed_in(app, "john").get("/myconnector/settings", headers=FRENCH).get_data(as_text=True)
    for text in ("Paramètres de My Connector", "Identifiant client", "Clé d&#39;API", "Enregistrer", "Annuler"):
        assert text in html


def test_the_call_window_speaks_french_to_a_french_party(app_of):
    app, service = app_of
    service.add_call("p/john-mary", "john", "user", "Mary Williams", "myconnector", ["john", "mary"])
    html = signed_in(app, "mary").get("/myconnector/call/p/john-mary", headers=FRENCH).get_data(as_text=True)
    assert ">Connexion...</p>" in html and ">Raccrocher</button>" in html
    assert '<html lang="fr">' in html
