"""``exo.server.trusted.proxies``: behind nginx the login throttle counts the client's address from
``X-Forwarded-For``; without the property a client cannot pick its address with that header."""
from __future__ import annotations

import pytest

from exo_container import ConfigurationError
from webconferencing.web.proxies import trusted_proxies

from .conftest import REST

ONE_FAILURE_PER_ADDRESS = {"exo.server.login.max.failures.address": "1"}


def login(client, user: str, forwarded_for: str, password: str = "wrong") -> int:
    return client.post(f"{REST}/auth/login", json={"username": user, "password": password},
                       headers={"X-Forwarded-For": forwarded_for}).status_code


def test_behind_a_trusted_proxy_each_forwarded_address_is_throttled_on_its_own(make_app):
    client = make_app(**ONE_FAILURE_PER_ADDRESS, **{"exo.server.trusted.proxies": "1"}).test_client()
    assert login(client, "john", "203.0.113.7") == 401

    assert login(client, "mary", "198.51.100.9") == 401  # another client: not throttled
    assert login(client, "root", "203.0.113.7") == 429  # the same client again


def test_without_trusted_proxies_a_forwarded_address_is_ignored(make_app):
    client = make_app(**ONE_FAILURE_PER_ADDRESS).test_client()
    assert login(client, "john", "203.0.113.7") == 401

    assert login(client, "mary", "198.51.100.9") == 429  # the header changed nothing: same peer address


def test_a_negative_number_of_proxies_is_refused_naming_the_property():
    with pytest.raises(ConfigurationError, match="exo.server.trusted.proxies"):
        trusted_proxies({"exo.server.trusted.proxies": "-1"})
