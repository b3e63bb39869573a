"""Every HTML page (portal pages, admin, connector pages, login, error pages) sends the security headers: a
Content-Security-Policy that runs no inline script and lets only this origin frame the page, X-Frame-Options,
X-Content-Type-Options and Referrer-Policy. The app is the real one of a booted product (both shipped connectors, a
SQLite file), driven through Flask's test client.

The page list is not hand-kept: every GET route of the app is visited, so a new page without the headers fails here.
"""
from __future__ import annotations

import re

import pytest

from webconferencing.service import WebConferencingService
from webconferencing.web.app import create_app
from webconferencing.web.settings import ServerSettings
from tests.connectors.conftest import boot_product, extensions_with  # noqa: F401  (boot_product is a fixture)

REST_PREFIXES = ("/portal/rest/", "/webconferencing/")  # JSON and the websocket: not pages
CALL_ID = "p/john-mary"
ROOM_ID = "team-5f3a9c1e2b7d4a60"  # Release Crew of the demo organisation: john is a member
# A value for each URL variable of the app's page routes; a route with a variable missing here fails the test.
URL_VALUES = {"user_id": "mary", "pretty_name": "product_team", "room_id": ROOM_ID, "call_id": CALL_ID,
              "extension": "myconnector", "path": "js/webconferencing-myconnector.js", "filename": "css/base.css"}


@pytest.fixture
def app(boot_product, tmp_path):  # noqa: F811
    container = boot_product(extensions_with(tmp_path, "myconnector", "webrtc"))
    app = create_app(container, ServerSettings(secret="test-secret", data_dir=tmp_path))
    service = container.get_component_instance_of_type(WebConferencingService)
    service.add_call(CALL_ID, "john", "user", "Mary Williams", "myconnector", ["john", "mary"])
    return app


def signed_in(app, user: str):
    client = app.test_client()
    answer = client.post("/portal/rest/webconferencing/auth/login", json={"username": user, "password": "gtn"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    return client


def page_urls(app) -> list[str]:
    """A URL for every GET route that is not REST or the websocket."""
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.rule.startswith(REST_PREFIXES):
            continue
        missing = rule.arguments - URL_VALUES.keys()
        assert not missing, f"route {rule.rule}: add a value for {sorted(missing)} to URL_VALUES"
        urls.append(rule.build({name: URL_VALUES[name] for name in rule.arguments}, append_unknown=False)[1])
    return urls


def directives(policy: str) -> dict[str, list[str]]:
    found = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            found[words[0]] = words[1:]
    return found


def assert_page_headers(response, where: str) -> None:
    assert response.mimetype == "text/html", where
    policy = response.headers.get("Content-Security-Policy")
    assert policy, f"{where}: no Content-Security-Policy"
    found = directives(policy)
    scripts = found.get("script-src", found.get("default-src"))
    assert scripts == ["'self'"], f"{where}: script-src {scripts}"
    assert found.get("frame-ancestors") == ["'self'"], where
    assert found.get("object-src") == ["'none'"], where
    assert response.headers.get("X-Frame-Options") == "SAMEORIGIN", where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") == "same-origin", where


def test_every_page_of_a_signed_in_admin_sends_the_security_headers(app):
    john = signed_in(app, "john")
    pages = 0
    for url in page_urls(app):
        response = john.get(url)
        if response.status_code in (301, 302, 303, 307, 308):
            continue  # the redirect's target is one of the routes
        if response.mimetype == "text/html":
            pages += 1
            assert_page_headers(response, url)
        assert response.headers.get("X-Content-Type-Options") == "nosniff", url
    assert pages >= 10  # people, profile, spaces, space, rooms, room, admin, login, call window, settings form


def test_the_login_page_sends_the_security_headers(app):
    assert_page_headers(app.test_client().get("/portal/login"), "/portal/login")


@pytest.mark.parametrize("url, status", [
    ("/portal/profile/nobody", 404),
    ("/portal/no-such-page", 404),
    ("/myconnector/call/p/nobody-else", 404),
    ("/portal/rooms/team-8c21d0e4f9a34b17", 403),  # Coffee Break: mary is not a member
])
def test_error_pages_send_the_security_headers(app, url, status):
    response = signed_in(app, "mary").get(url)
    assert response.status_code == status
    assert_page_headers(response, url)


def test_the_policy_allows_no_inline_script_nor_eval_anywhere(app):
    policy = signed_in(app, "mary").get("/portal/people").headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert re.search(r"(^|;)\s*report-uri /csp-report\b", policy)


def test_pages_run_no_inline_script(app):
    """Inline script would be refused by the policy: pages pass their data in JSON blocks, never code."""
    john = signed_in(app, "john")
    for url in ("/portal/people", "/portal/admin", f"/myconnector/call/{CALL_ID}", f"/portal/rooms/{ROOM_ID}"):
        html = john.get(url).get_data(as_text=True)
        for attributes, body in re.findall(r"<script([^>]*)>(.*?)</script>", html, flags=re.S):
            assert "src=" in attributes or 'type="application/json"' in attributes, f"{url}: inline <script>{body}"
        assert not re.search(r"\son[a-z]+\s*=", html), f"{url}: inline event handler"
        assert "<style" not in html and " style=" not in html, f"{url}: inline style"


def test_a_violation_report_is_logged_on_one_line(app, caplog):
    report = {"csp-report": {"document-uri": "http://x/portal/people", "violated-directive": "script-src-elem",
                             "blocked-uri": "inline\nFAKE LOG LINE", "line-number": 3}}
    with caplog.at_level("WARNING", logger="webconferencing.web.csp"):
        answer = app.test_client().post("/csp-report", json=report, content_type="application/csp-report")
    assert answer.status_code == 204
    [record] = [r for r in caplog.records if r.name == "webconferencing.web.csp"]
    assert "violated-directive=script-src-elem" in record.getMessage()
    assert "\n" not in record.getMessage() and "inline\\nFAKE LOG LINE" in record.getMessage()


def test_a_report_that_is_not_a_violation_report_is_refused(app):
    assert app.test_client().post("/csp-report", data="[1]", content_type="application/csp-report").status_code == 400
    assert app.test_client().post("/csp-report", data="not json").status_code == 400


def test_violation_reports_of_one_address_are_logged_at_most_thirty_a_minute(app, caplog):
    report = {"csp-report": {"document-uri": "http://x/", "violated-directive": "script-src-elem"}}
    client = app.test_client()
    with caplog.at_level("WARNING", logger="webconferencing.web.csp"):
        answers = [client.post("/csp-report", json=report).status_code for _ in range(31)]
    assert answers == [204] * 30 + [429]
    assert len([r for r in caplog.records if r.name == "webconferencing.web.csp"]) == 30
