"""My Connector's own pages, mounted by the server from the provider's blueprint (the app of a booted container)."""
from __future__ import annotations

import re

import pytest

from webconferencing.service import WebConferencingService
from webconferencing.web.app import create_app
from webconferencing.web.settings import ServerSettings

from .conftest import extensions_with


@pytest.fixture
def app_of(boot_product, tmp_path):
    container = boot_product(extensions_with(tmp_path, "myconnector"))
    app = create_app(container, ServerSettings(secret="test-secret", data_dir=tmp_path))
    service = container.get_component_instance_of_type(WebConferencingService)
    return app, service


def signed_in(app, user: str):
    client = app.test_client()
    answer = client.post("/portal/rest/webconferencing/auth/login", json={"username": user, "password": "gtn"})
    assert answer.status_code == 200
    return client


def test_the_call_window_shows_the_call_and_its_participants(app_of):
    app, service = app_of
    service.add_call("p/john-mary", "john", "user", "Mary Williams", "myconnector", ["john", "mary"])
    page = signed_in(app, "mary").get("/myconnector/call/p/john-mary")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-call-id="p/john-mary"' in html and 'data-user-id="john"' in html and 'data-user-id="mary"' in html
    assert "/extensions/myconnector/js/myconnector-call.js" in html


@pytest.mark.parametrize("viewer, shown", [("mary", "John Smith"), ("john", "Mary Williams")])
def test_each_side_of_a_peer_call_sees_the_other_party_named_in_its_window(app_of, viewer, shown):
    app, service = app_of
    service.add_call("p/john-mary", "john", "user", "Mary Williams", "myconnector", ["john", "mary"])
    html = signed_in(app, viewer).get("/myconnector/call/p/john-mary").get_data(as_text=True)
    assert f"<title>{shown} · My Connector" in html
    assert f'<h1 class="myconnector-call-title">{shown}</h1>' in html


def test_a_group_call_window_is_named_by_the_call_title_escaped(app_of):
    app, service = app_of
    service.add_call("g/product_team", "product_team", "space", "<b>Stand-up</b>", "myconnector", ["john", "mary"])
    html = signed_in(app, "mary").get("/myconnector/call/g/product_team").get_data(as_text=True)
    assert '<h1 class="myconnector-call-title">&lt;b&gt;Stand-up&lt;/b&gt;</h1>' in html


def test_only_participants_open_a_call_window_and_others_see_no_such_call(app_of):
    app, service = app_of
    service.add_call("p/john-mary", "john", "user", None, "myconnector", ["john", "mary"])
    assert signed_in(app, "mary").get("/myconnector/call/p/john-mary").status_code == 200
    hidden = signed_in(app, "jack").get("/myconnector/call/p/john-mary")
    unknown = signed_in(app, "jack").get("/myconnector/call/p/jack-mary")
    assert hidden.status_code == unknown.status_code == 404
    def page(answer, call_id):  # the per-response CSRF token aside, the same page
        return re.sub(r'content="[^"]*"', "", answer.get_data(as_text=True)).replace(call_id, "<id>")

    assert page(hidden, "p/john-mary") == page(unknown, "p/jack-mary")


def test_the_anonymous_are_sent_to_the_login_form(app_of):
    app, _ = app_of
    answer = app.test_client().get("/myconnector/call/p/john-mary")
    assert answer.status_code == 303 and "/portal/login" in answer.headers["Location"]


def test_a_switched_off_provider_has_no_call_window(app_of):
    app, service = app_of
    service.add_call("p/john-mary", "john", "user", None, "myconnector", ["john", "mary"])
    service.get_provider("myconnector").set_active(False)
    assert signed_in(app, "mary").get("/myconnector/call/p/john-mary").status_code == 404


def test_the_settings_form_is_for_administrators_with_the_current_values(app_of):
    app, _ = app_of
    assert signed_in(app, "mary").get("/myconnector/settings").status_code == 403
    form = signed_in(app, "john").get("/myconnector/settings").get_data(as_text=True)
    assert 'name="clientId" value="myClientId"' in form and 'name="apiKey" value="myApiKey"' in form
