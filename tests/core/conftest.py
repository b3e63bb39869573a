"""Fixtures: real containers booted from XML on a real database, a SQLite file in tmp_path and a fresh PostgreSQL
database.

Every test that uses ``db_url`` runs once per backend (ids ``[sqlite]`` and ``[postgresql]``): the call rules must
hold the same on both. A module or test that concerns one backend only says so with
``pytest.mark.backends("sqlite")``."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import pytest

from exo_container import boot
from webconferencing.broker import Broker, user_channel
from webconferencing.calllog import CallLogService
from webconferencing.identity import IdentityDirectory
from webconferencing.service import WebConferencingService

FIXTURES = Path(__file__).parent / "fixtures"
ROOT_CONFIGURATION = Path(__file__).parents[2] / "configuration.xml"


class Core:
    """One booted container and the components the tests drive."""

    def __init__(self, container):
        self.container = container
        self.service: WebConferencingService = container.get_component_instance_of_type(WebConferencingService)
        self.identities: IdentityDirectory = container.get_component_instance_of_type(IdentityDirectory)
        self.broker: Broker = container.get_component_instance_of_type(Broker)
        self.call_log: CallLogService = container.get_component_instance_of_type(CallLogService)

    def stop(self) -> None:
        self.container.dispose()


BACKENDS = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames:
        marker = metafunc.definition.get_closest_marker("backends")
        names = marker.args if marker else BACKENDS
        unknown = set(names) - set(BACKENDS)
        if unknown:
            raise ValueError(f"unknown storage backends {sorted(unknown)}: expected some of {BACKENDS}")
        metafunc.parametrize("backend", names)


@pytest.fixture
def db_url(request, backend: str, tmp_path: Path) -> str:
    if backend == "postgresql":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'webconferencing.db'}"


@pytest.fixture
def boot_core(db_url: str) -> Callable[..., Core]:
    """Boot a fixture configuration (default: core-configuration.xml) on this test's database file, without the
    connector extensions of the tree (the core is under test, not them)."""
    cores: list[Core] = []

    def _boot(configuration: str | Path = "core-configuration.xml", **properties: str) -> Core:
        path = configuration if isinstance(configuration, Path) else FIXTURES / configuration
        container = boot(path, system_properties={"webconferencing.db.url": db_url, **properties}, extensions_dirs=[])
        core = Core(container)
        cores.append(core)
        return core

    yield _boot
    for core in reversed(cores):
        core.stop()


@pytest.fixture
def core(boot_core) -> Core:
    return boot_core()


@pytest.fixture
def service(core: Core) -> WebConferencingService:
    return core.service


class Inbox:
    """Collects what the broker delivers on some user channels."""

    def __init__(self, broker: Broker, users: list[str]):
        self.messages: list[tuple[str, dict]] = []
        self.subscriptions = [broker.subscribe(user_channel(u), self._receive) for u in users]

    def _receive(self, channel: str, data: dict, sender: dict | None) -> None:
        self.messages.append((channel.rsplit("/", 1)[1], data))

    def events(self, user: str | None = None) -> list[dict]:
        return [data for who, data in self.messages if user is None or who == user]

    def kinds(self, user: str) -> list[tuple]:
        """(eventType, callState, part id or caller id) of what ``user`` received, in order."""
        return [(d["eventType"], d.get("callState") or (d.get("part") or d.get("caller"))["id"])
                for d in self.events(user)]

    def clear(self) -> None:
        self.messages.clear()


@pytest.fixture
def inbox(core: Core) -> Callable[..., Inbox]:
    return lambda *users: Inbox(core.broker, list(users))
