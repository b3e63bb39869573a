"""``/health/live`` and ``/health/ready``: what a load balancer asks; 503 names the failing part."""
from __future__ import annotations

import socket

import pytest

from webconferencing.web.app import shutdown_app
from webconferencing.web.health import Readiness, RedisCheck
from webconferencing.web.operations import operations_of


def test_a_running_server_is_live(app):
    answer = app.test_client().get("/health/live")

    assert answer.status_code == 200
    assert answer.get_json() == {"status": "live"}


def test_a_started_server_with_its_database_is_ready(app):
    answer = app.test_client().get("/health/ready")

    assert answer.status_code == 200
    assert answer.get_json()["checked"] == ["container", "database", "websockets"]


def test_health_needs_no_login_and_no_token(app):
    client = app.test_client()

    assert client.get("/health/ready", headers={"Authorization": "Bearer not-a-user-token"}).status_code == 200


def test_a_stopping_server_is_not_ready_before_it_stops_serving(app):
    client = app.test_client()

    operations_of(app).stopping()

    answer = client.get("/health/ready")
    assert answer.status_code == 503
    assert answer.get_json()["failing"] == {"server": "stopping"}
    assert client.get("/health/live").status_code == 200  # still serving while the balancer drains it


def test_a_server_whose_websockets_are_closed_is_not_ready(app):
    shutdown_app(app)

    answer = app.test_client().get("/health/ready")

    assert answer.status_code == 503
    assert "websockets" in answer.get_json()["failing"]


def test_a_database_that_cannot_be_opened_makes_the_server_not_ready_naming_it(app, tmp_path):
    database = app.extensions["webconferencing"].service.database
    database.db.close()
    (tmp_path / "wc.db").rename(tmp_path / "moved.db")
    (tmp_path / "wc.db").mkdir()  # SQLite cannot open a directory: a real "database does not answer"
    try:
        answer = app.test_client().get("/health/ready")
    finally:
        (tmp_path / "wc.db").rmdir()
        (tmp_path / "moved.db").rename(tmp_path / "wc.db")

    assert answer.status_code == 503
    assert "unable to open database file" in answer.get_json()["failing"]["database"]
    assert app.test_client().get("/health/ready").status_code == 200  # ready again once it answers


def test_a_broker_that_does_not_answer_is_named_with_its_address():
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    check = RedisCheck(f"redis://:topsecret@127.0.0.1:{port}/0", timeout=0.5)

    failing = Readiness({"broker": check}).failures()

    assert f"127.0.0.1:{port}" in failing["broker"]
    assert "topsecret" not in failing["broker"]  # the password never reaches the probe's answer


def test_a_failing_check_function_is_a_failing_part_not_an_error():
    def broken() -> str | None:
        raise RuntimeError("check crashed")

    assert Readiness({"odd": broken}).failures() == {"odd": "RuntimeError: check crashed"}


def test_a_part_that_accepts_but_never_answers_fails_the_probe_in_time():
    with socket.socket() as silent:  # listens, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()

        def hangs() -> str | None:
            with socket.create_connection(silent.getsockname()) as connection:
                connection.recv(1)  # blocks: nothing ever comes
            return None

        assert Readiness({"database": hangs}, timeout=0.3).failures() == {"database": "did not answer within 0.3s"}


def test_sessions_kept_in_redis_are_a_part_of_readiness(make_app, tmp_path):
    from .test_production_setup import REDIS_SERVER, RedisProcess

    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    redis = RedisProcess(tmp_path).start()
    try:
        client = make_app(**{"exo.server.session.store": redis.url}).test_client()
        assert "sessions" in client.get("/health/ready").get_json()["checked"]

        redis.stop()

        answer = client.get("/health/ready")
    finally:
        redis.stop()
    assert answer.status_code == 503
    assert "does not answer" in answer.get_json()["failing"]["sessions"]
