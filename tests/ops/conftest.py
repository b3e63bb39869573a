"""Fixtures: the real app of a container booted from the repository's configuration.xml on a SQLite file, driven
through Flask's test client (the operator endpoints sit in front of the app, in its WSGI stack)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

import pytest
from flask import Flask

from exo_container import boot
from webconferencing.web.app import create_app, shutdown_app
from webconferencing.web.settings import ServerSettings

ROOT = Path(__file__).resolve().parents[2]
SIGNAL_EXTENSIONS = ROOT / "tests" / "web" / "fixtures" / "extensions"  # the signalling-only "signal" provider
TOKEN = "scrape-secret"
REST = "/portal/rest/webconferencing"


@pytest.fixture
def make_app(tmp_path) -> Callable[..., Flask]:
    """An app with these extensions (default: the test "signal" provider) whose container gets these properties
    (on top of a fresh SQLite file)."""
    containers = []
    apps = []

    def make(extensions: Path = SIGNAL_EXTENSIONS, **properties: str) -> Flask:
        container = boot(ROOT / "configuration.xml", extensions_dirs=[extensions], environ={},
                         system_properties={"webconferencing.db.url": f"sqlite:///{tmp_path / 'wc.db'}",
                                            "webconferencing.metrics.sample.seconds": "0.05",
                                            # a cheap hash for the seeded users: a boot in a few hundred ms
                                            "webconferencing.identity.password.hash": "pbkdf2:sha256:1000",
                                            **properties})
        containers.append(container)
        settings = replace(ServerSettings.from_properties(container.properties.as_dict()), secret="test-secret",
                           data_dir=tmp_path)
        app = create_app(container, settings)
        apps.append(app)
        return app

    yield make
    for app in apps:
        shutdown_app(app)
    for container in containers:
        container.stop()
        container.dispose()


@pytest.fixture
def app(make_app) -> Flask:
    return make_app(**{"webconferencing.metrics.token": TOKEN})
