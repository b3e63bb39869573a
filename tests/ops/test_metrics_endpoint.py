"""``/metrics``: closed unless a token is configured, then the Prometheus text of what the server did."""
from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from .conftest import REST, TOKEN

SCRAPE = {"Authorization": f"Bearer {TOKEN}"}


def samples(app) -> dict[tuple[str, tuple], float]:
    """(sample name, sorted labels) -> value, from one scrape."""
    answer = app.test_client().get("/metrics", headers=SCRAPE)
    assert answer.status_code == 200, answer.data
    found = {}
    for family in text_string_to_metric_families(answer.get_data(as_text=True)):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(app, name: str, **labels: str) -> float:
    return samples(app).get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_are_not_served_when_no_token_is_configured(make_app):
    client = make_app().test_client()

    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer anything"}).status_code == 404


def test_a_scrape_without_the_token_is_refused_with_401(app):
    answer = app.test_client().get("/metrics")

    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_scrape_with_a_wrong_token_is_refused(app):
    assert app.test_client().get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_a_scrape_with_the_token_gets_the_prometheus_text_format(app):
    answer = app.test_client().get("/metrics", headers=SCRAPE)

    assert answer.status_code == 200
    assert answer.content_type.startswith("text/plain; version=")
    assert "# TYPE webconferencing_calls_started_total counter" in answer.get_data(as_text=True)


def test_request_latency_is_recorded_by_route_template_and_status(app):
    client = app.test_client()
    before = value(app, "webconferencing_http_request_duration_seconds_count",
                   route="/portal/rest/webconferencing/user/<user_id>", method="GET", status="401")

    client.get(f"{REST}/user/john")
    client.get(f"{REST}/user/mary")

    assert value(app, "webconferencing_http_request_duration_seconds_count",
                 route="/portal/rest/webconferencing/user/<user_id>", method="GET", status="401") == before + 2


def test_a_wrong_password_counts_as_a_login_failure(app):
    before = value(app, "webconferencing_login_failures_total")

    answer = app.test_client().post(f"{REST}/auth/login", json={"username": "john", "password": "wrong"})

    assert answer.status_code == 401
    assert value(app, "webconferencing_login_failures_total") == before + 1


def test_a_throttled_login_counts_as_throttled_not_as_failed(make_app):
    app = make_app(**{"webconferencing.metrics.token": TOKEN, "exo.server.login.max.failures": "1"})
    client = app.test_client()
    client.post(f"{REST}/auth/login", json={"username": "mary", "password": "wrong"})
    failures = value(app, "webconferencing_login_failures_total")
    throttled = value(app, "webconferencing_login_throttled_total")

    answer = client.post(f"{REST}/auth/login", json={"username": "mary", "password": "gtn"})

    assert answer.status_code == 429
    assert value(app, "webconferencing_login_throttled_total") == throttled + 1
    assert value(app, "webconferencing_login_failures_total") == failures


def test_service_operations_are_timed_by_operation_and_outcome(app):
    client = app.test_client()
    csrf = client.post(f"{REST}/auth/login", json={"username": "john", "password": "gtn"}).get_json()["csrfToken"]
    before = value(app, "webconferencing_operation_duration_seconds_count", operation="add_call", status="ok")

    created = client.post(f"{REST}/call/p/john-mary", headers={"X-CSRF-Token": csrf}, json={
        "ownerType": "user", "provider": "signal", "participants": ["john", "mary"]})

    assert created.status_code == 200, created.data
    assert value(app, "webconferencing_operation_duration_seconds_count", operation="add_call", status="ok") == \
        before + 1


def test_active_calls_and_joined_participants_are_counted_in_the_database(app):
    client = app.test_client()
    csrf = client.post(f"{REST}/auth/login", json={"username": "john", "password": "gtn"}).get_json()["csrfToken"]
    assert value(app, "webconferencing_active_calls", provider="signal", owner_type="space") == 0

    created = client.post(f"{REST}/call/g/product_team", headers={"X-CSRF-Token": csrf}, json={
        "ownerType": "space", "owner": "product_team", "provider": "signal", "participants": ["john", "mary"]})
    assert created.status_code == 200, created.data
    joined = client.put(f"{REST}/usercall/g/product_team", headers={"X-CSRF-Token": csrf},
                        json={"state": "joined", "clientId": "john-tab-1"})
    assert joined.status_code == 200, joined.data

    scraped = samples(app)
    assert scraped[("webconferencing_active_calls", (("owner_type", "space"), ("provider", "signal")))] == 1
    assert scraped[("webconferencing_joined_participants", (("owner_type", "space"), ("provider", "signal")))] == 1
    assert scraped[("webconferencing_census_up", ())] == 1


def test_a_provider_configuration_change_is_counted_by_provider(app):
    client = app.test_client()
    csrf = client.post(f"{REST}/auth/login", json={"username": "root", "password": "gtn"}).get_json()["csrfToken"]
    before = value(app, "webconferencing_provider_configuration_changes_total", provider="signal")

    answer = client.post(f"{REST}/provider/signal/configuration", headers={"X-CSRF-Token": csrf},
                         json={"logEnabled": "true"})

    assert answer.status_code == 200, answer.data
    assert value(app, "webconferencing_provider_configuration_changes_total", provider="signal") == before + 1


def test_websocket_upgrades_are_not_timed_as_requests(app):
    upgrade = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
               "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}

    assert app.test_client().get("/webconferencing/ws", headers=upgrade).status_code == 401

    timed_routes = {dict(labels).get("route") for name, labels in samples(app)
                    if name == "webconferencing_http_request_duration_seconds_count"}
    assert "/webconferencing/ws" not in timed_routes


def test_a_scrape_while_the_database_is_away_reports_the_census_down_and_everything_else(app, tmp_path):
    database = app.extensions["webconferencing"].service.database
    database.db.close()
    (tmp_path / "wc.db").rename(tmp_path / "moved.db")
    (tmp_path / "wc.db").mkdir()  # SQLite cannot open a directory
    try:
        scraped = samples(app)
    finally:
        (tmp_path / "wc.db").rmdir()
        (tmp_path / "moved.db").rename(tmp_path / "wc.db")

    assert scraped[("webconferencing_census_up", ())] == 0
    assert not any(name == "webconferencing_active_calls" for name, _ in scraped)
    assert ("webconferencing_login_failures_total", ()) in scraped


def test_a_call_started_then_deleted_counts_once_started_and_once_stopped(app):
    client = app.test_client()
    csrf = client.post(f"{REST}/auth/login", json={"username": "mary", "password": "gtn"}).get_json()["csrfToken"]
    labels = {"provider": "signal", "owner_type": "user"}
    started = value(app, "webconferencing_calls_started_total", **labels)
    stopped = value(app, "webconferencing_calls_stopped_total", **labels)

    assert client.post(f"{REST}/call/p/james-mary", headers={"X-CSRF-Token": csrf}, json={
        "ownerType": "user", "provider": "signal", "participants": ["mary", "james"]}).status_code == 200
    assert value(app, "webconferencing_calls_started_total", **labels) == started + 1
    assert client.delete(f"{REST}/call/p/james-mary", headers={"X-CSRF-Token": csrf}).status_code in (200, 204)

    assert value(app, "webconferencing_calls_stopped_total", **labels) == stopped + 1
    assert value(app, "webconferencing_calls_started_total", **labels) == started + 1
