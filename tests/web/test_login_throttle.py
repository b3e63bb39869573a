"""Login brute force: after too many failed logins for one user name (or from one address) within the window, logins
get 429 TOO_MANY_REQUESTS with Retry-After, before the password is even checked. The server tests show the refusal on
every login route; the window and the memory bound are the throttle's own, tested on its injectable clock."""
from __future__ import annotations

import tracemalloc

import pytest
import requests

from webconferencing.web.throttle import LoginThrottle, TooManyRequests

from .harness import PASSWORD, REST, OpenApi, Server, User

MAX_FAILURES = 3
MAX_ADDRESS_FAILURES = 6
WINDOW = 60  # long: the server tests must not see failures expire on a slow machine (the window is tested on a clock)


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
                         headers={"Origin": server.base},  # as a browser posts the form (login CSRF check)
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


# --- the throttle itself, on an injectable clock (no sleeps) --------------------------------------


class ManualClock:
    """The throttle's clock, moved by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def throttle(clock) -> LoginThrottle:
    return LoginThrottle(MAX_FAILURES, MAX_ADDRESS_FAILURES, WINDOW, clock=clock)


def fail(throttle: LoginThrottle, name: str, times: int, address: str = "192.0.2.1") -> None:
    for _ in range(times):
        throttle.failed(name, address)


def test_the_lock_ends_when_the_failures_leave_the_window(throttle, clock):
    fail(throttle, "peter", MAX_FAILURES)
    with pytest.raises(TooManyRequests) as refused:
        throttle.check("peter", "192.0.2.1")

    clock.now += refused.value.retry_after

    throttle.check("peter", "192.0.2.1")


def test_retry_after_counts_from_the_oldest_failure_in_the_window(throttle, clock):
    throttle.failed("mary", "192.0.2.1")
    clock.now += 1
    fail(throttle, "mary", MAX_FAILURES - 1)

    with pytest.raises(TooManyRequests) as refused:
        throttle.check("mary", "192.0.2.1")

    assert refused.value.retry_after == WINDOW - 1


def test_names_whose_failures_left_the_window_are_forgotten(throttle, clock):
    for i in range(50):
        throttle.failed(f"guess{i}", f"192.0.2.{i}")
    assert throttle.remembered() == 100

    clock.now += WINDOW
    throttle.check("someone", "198.51.100.7")

    assert throttle.remembered() == 0


def test_megabyte_user_names_do_not_grow_the_throttle_by_their_size(throttle):
    """1 MB names x 100 requests grew a worker by ~100 MB per window: a key is a digest-sized stand-in now."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for i in range(100):
            throttle.failed(f"{i}" + "x" * 1_000_000, "192.0.2.1")
        kept = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()

    assert kept < 1_000_000, f"the throttle kept {kept} bytes for 100 names"


def test_an_overlong_name_is_still_throttled_as_itself(throttle):
    name = "n" * 10_000
    fail(throttle, name, MAX_FAILURES)

    with pytest.raises(TooManyRequests):
        throttle.check(name, "198.51.100.7")
    throttle.check(name[:-1] + "m", "198.51.100.8")  # another long name is another key
