from __future__ import annotations

import pytest
import requests

from .harness import REST, OpenApi, Server, User


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One real exo-server per test module (in-process broker, 1 s grace period); tests use distinct users/calls."""
    srv = Server(tmp_path_factory.mktemp("server")).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def openapi(server) -> OpenApi:
    return OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json())


@pytest.fixture
def login(server, openapi):
    tabs = []

    def log_in(user_id: str) -> User:
        user = User(server, openapi, user_id)
        original = user.tab

        def tab(*args, **kwargs):
            opened = original(*args, **kwargs)
            tabs.append(opened)
            return opened

        user.tab = tab
        return user

    yield log_in
    for opened in tabs:
        opened.close()
