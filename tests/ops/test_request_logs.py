"""Request ids (``X-Request-Id``) and log lines that carry the request, user and call they belong to."""
from __future__ import annotations

import io
import json
import logging
import sys

import pytest

from exo_container import ConfigurationError
from webconferencing.observability import logs

from .conftest import REST


@pytest.fixture
def log_lines():
    """What the root logger writes while the test runs, formatted as the server would (``json`` or ``text``)."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    root = logging.getLogger()
    metrics = logging.getLogger("webconferencing.metrics")
    previous = metrics.level

    def capture(format_name: str) -> io.StringIO:
        handler.setFormatter(logs.formatter(format_name))
        root.addHandler(handler)
        metrics.setLevel(logging.DEBUG)  # the per-operation line: logged inside the request
        return stream

    yield capture
    root.removeHandler(handler)
    metrics.setLevel(previous)


def test_the_request_id_of_the_header_is_echoed_in_the_response(app):
    answer = app.test_client().get(f"{REST}/openapi.json", headers={"X-Request-Id": "lb-7f3a.42"})

    assert answer.headers["X-Request-Id"] == "lb-7f3a.42"


def test_a_request_without_an_id_gets_a_new_one(app):
    client = app.test_client()

    first = client.get(f"{REST}/openapi.json").headers["X-Request-Id"]
    second = client.get(f"{REST}/openapi.json").headers["X-Request-Id"]

    assert first and second and first != second


def test_an_id_that_could_forge_log_lines_is_replaced(app):
    answer = app.test_client().get(f"{REST}/openapi.json", headers={"X-Request-Id": "x level=ERROR user=forged"})

    assert "forged" not in answer.headers["X-Request-Id"]


def test_a_refused_request_still_echoes_its_id(app):
    answer = app.test_client().get(f"{REST}/user/john", headers={"X-Request-Id": "refused-1"})

    assert answer.status_code == 401
    assert answer.headers["X-Request-Id"] == "refused-1"


def test_json_lines_of_a_request_carry_its_request_id_user_and_call_as_fields(app, log_lines):
    client = app.test_client()
    csrf = client.post(f"{REST}/auth/login", json={"username": "john", "password": "gtn"}).get_json()["csrfToken"]
    stream = log_lines("json")

    client.post(f"{REST}/call/p/john-mary", headers={"X-CSRF-Token": csrf, "X-Request-Id": "req-json-1"},
                json={"ownerType": "user", "provider": "signal", "participants": ["john", "mary"]})

    entries = [json.loads(line) for line in stream.getvalue().splitlines()]
    [operation] = [e for e in entries if e["logger"] == "webconferencing.metrics"]
    assert operation["message"].startswith("operation=add_call")
    assert (operation["request_id"], operation["user"], operation["call_id"]) == ("req-json-1", "john",
                                                                                  "p/john-mary")
    assert operation["level"] == "DEBUG" and operation["time"].endswith("+00:00")


def test_text_lines_of_a_request_end_with_its_fields(app, log_lines):
    client = app.test_client()
    csrf = client.post(f"{REST}/auth/login", json={"username": "mary", "password": "gtn"}).get_json()["csrfToken"]
    stream = log_lines("text")

    client.post(f"{REST}/call/p/mary-root", headers={"X-CSRF-Token": csrf, "X-Request-Id": "req-text-1"},
                json={"ownerType": "user", "provider": "signal", "participants": ["mary", "root"]})

    [line] = [line for line in stream.getvalue().splitlines() if "[webconferencing.metrics]" in line]
    assert line.endswith(" request_id=req-text-1 user=mary call_id=p/mary-root")


def test_lines_outside_any_request_have_no_fields():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "plain %s", ("line",), None)

    assert json.loads(logs.JsonFormatter().format(record))["message"] == "plain line"
    assert "request_id" not in json.loads(logs.JsonFormatter().format(record))
    assert logs.ContextTextFormatter().format(record).endswith("[x] plain line")


def test_a_json_line_holds_the_traceback_of_its_exception():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())

    entry = json.loads(logs.JsonFormatter().format(record))

    assert entry["message"] == "failed"
    assert entry["exception"].endswith("ValueError: boom")


def test_fields_bound_in_a_block_are_gone_after_it():
    with logs.bound(call_id="g/marketing", user="mary"):
        assert logs.current() == {"call_id": "g/marketing", "user": "mary"}
    assert logs.current() == {}


def test_an_unknown_log_format_is_a_configuration_error_naming_the_property():
    with pytest.raises(ConfigurationError, match="exo.server.log.format"):
        logs.format_of({"exo.server.log.format": "xml"})
