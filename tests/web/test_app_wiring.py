"""The web layer receives the core components through the container's dependency-injector wiring: what a provider
of the container gives (overridden or not) is what the app uses."""
from __future__ import annotations

from pathlib import Path

import pytest
from dependency_injector import providers

from exo_container.boot import boot
from webconferencing.calllog import CallLogService
from webconferencing.service import WebConferencingService
from webconferencing.web.app import create_app
from webconferencing.web.context import EXTENSION

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def container(tmp_path):
    booted = boot(REPO / "configuration.xml", extensions_dirs=[],
                  system_properties={"webconferencing.db.url": f"sqlite:///{tmp_path / 'db.sqlite'}",
                                     "exo.data.dir": str(tmp_path),
                                     "webconferencing.identity.password.hash": "pbkdf2:sha256:1000"})
    yield booted
    booted.stop()
    booted.dispose()


def test_the_app_uses_the_containers_components(container):
    context = create_app(container).extensions[EXTENSION]
    assert context.service is container.di.web_conferencing_service()
    assert context.call_log is container.get_component_instance_of_type(CallLogService)


def test_a_provider_overridden_in_the_container_is_what_the_app_gets(container):
    replacement = CallLogService(container.get_component_instance_of_type(WebConferencingService))
    container.di.call_log_service.override(providers.Object(replacement))
    try:
        assert create_app(container).extensions[EXTENSION].call_log is replacement
    finally:
        container.di.call_log_service.reset_override()
