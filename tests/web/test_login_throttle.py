"""Login brute force: after too many failed logins for one user name (or from one address) within the window, logins
get 429 TOO_MANY_REQUESTS with Retry-After, before the password is even checked."""
from __future__ import annotations

import time

import pytest
import requests

from .harness import PASSWORD, REST, OpenApi, Server, User

MAX_FAILURES = 3
MAX_ADDRESS_FAILURES = 6
WINDOW = 3


@pytest.fixture
def server(tmp_path):
    """A fresh server per test: every test logs in from 127.0.0.1, so the address count must start at zero."""
    srv = Server(tmp_path, properties={"exo.server.login.max.failures": str(MAX_FAILURES),
                                       "exo.server.login.max.failures.address": str(MAX_ADDRESS_FAILURES),
                                       "exo.server.login.window.seconds": str(WINDOW)}).start()
    yield srv
    srv.stop()


@pytest.fixture
def openapi(server) -> OpenApi:
    return OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json())


def json_login(server, openapi, username: str, password: str) -> requests.Response:
    return User(server, openapi, username, login=False).post("/auth/login",
                                                             json={"username": username, "password": password})


def form_login(server, username: str, password: str) -> requests.Response:
    return requests.post(f"{server.base}/portal/login", data={"username": username, "password": password},
                         allow_redirects=False, timeout=5)


def assert_throttled(response: requests.Response) -> None:
    assert response.status_code == 429, response.text
    assert 1 <= int(response.headers["Retry-After"]) <= WINDOW


def test_repeated_failed_json_logins_for_one_name_get_429_even_with_the_right_password(server, openapi):
    for _ in range(MAX_FAILURES):
        assert json_login(server, openapi, "mary", "wrong").status_code == 401

    refused = json_login(server, openapi, "mary", PASSWORD)

    assert_throttled(refused)
    assert refused.json()["code"] == "TOO_MANY_REQUESTS"
    token = User(server, openapi, "mary", login=False).post("/auth/token",
                                                            json={"username": "mary", "password": PASSWORD})
    assert_throttled(token)
    assert json_login(server, openapi, "john", PASSWORD).status_code == 200  # other names are not locked


def test_repeated_failed_form_logins_get_429_with_retry_after(server):
    for _ in range(MAX_FAILURES):
        assert form_login(server, "james", "wrong").status_code == 401

    refused = form_login(server, "james", PASSWORD)

    assert_throttled(refused)
    assert "Too many failed logins" in refused.text
    assert "Set-Cookie" not in refused.headers


def test_one_address_failing_with_many_names_gets_429(server, openapi):
    names = ["alice", "bob", "jack", "peter", "mary", "james"]
    assert len(names) == MAX_ADDRESS_FAILURES
    for name in names:
        assert json_login(server, openapi, name, "wrong").status_code == 401

    assert_throttled(json_login(server, openapi, "john", PASSWORD))


def test_the_lock_ends_when_the_failures_leave_the_window(server, openapi):
    for _ in range(MAX_FAILURES):
        assert json_login(server, openapi, "peter", "wrong").status_code == 401
    refused = json_login(server, openapi, "peter", PASSWORD)
    assert_throttled(refused)

    time.sleep(int(refused.headers["Retry-After"]) + 0.2)

    assert json_login(server, openapi, "peter", PASSWORD).status_code == 200
