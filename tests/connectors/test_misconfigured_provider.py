"""What extensions/README.md says of a misconfigured provider (a required setting left empty): ``exo-server`` does
not start and names the property; with ``--lenient`` it starts without that provider, the error still logged."""
from __future__ import annotations

import pytest
import requests

from webconferencing.testing import PASSWORD, REST, ExoServerError, running_server

from .conftest import new_connector

PROPERTY = "webconferencing.tokencall.token"


@pytest.fixture
def tokencall(tmp_path):
    """A connector whose required setting has no default and is not set."""
    new_connector.new_connector("tokencall", tmp_path / "made", title="Token Call",
                                settings=[new_connector.Setting.parse("token:required")])
    return tmp_path / "made" / "tokencall"


def test_the_server_refuses_to_start_naming_the_missing_property(tokencall, tmp_path):
    with pytest.raises(ExoServerError, match=f"set {PROPERTY} in exo.properties") as refused:
        with running_server(tmp_path / "data", [tokencall]):
            pass
    assert "call provider(s) misconfigured, not starting (--lenient starts without them)" in str(refused.value)


def provider_types(server) -> list[str]:
    with requests.Session() as john:
        john.post(f"{server.base_url}{REST}/auth/login", json={"username": "john", "password": PASSWORD},
                  headers={"Origin": server.base_url}, timeout=10).raise_for_status()
        answer = john.get(f"{server.base_url}{REST}/providers/configuration", timeout=10)
        answer.raise_for_status()
        return [provider["type"] for provider in answer.json()]


def test_lenient_starts_without_the_misconfigured_provider_and_logs_why(tokencall, tmp_path):
    with running_server(tmp_path / "data", [tokencall], args=["--lenient"]) as server:
        assert provider_types(server) == []
        assert any(f"set {PROPERTY} in exo.properties" in line for line in server.lines)


def test_once_the_property_is_set_the_server_starts_with_the_provider(tokencall, tmp_path):
    with running_server(tmp_path / "data", [tokencall], {PROPERTY: "t0ken"}) as server:
        assert provider_types(server) == ["tokencall"]
