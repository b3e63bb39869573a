"""Real containers booted from the product's configuration.xml with chosen extension folders and properties."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Callable, Iterable

import pytest

from exo_container import ExoContainer, boot

ROOT = Path(__file__).resolve().parents[2]
EXTENSIONS = ROOT / "extensions"


def _load_script(name: str) -> ModuleType:
    """A script of scripts/ as a module (scripts/ is not a package: the scripts run from a checkout)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the script runs
    spec.loader.exec_module(module)
    return module


new_connector = _load_script("new_connector")


def extensions_with(tmp_path: Path, *names: str) -> Path:
    """A folder holding (symlinks to) only the named product extensions."""
    folder = tmp_path / "extensions"
    folder.mkdir(exist_ok=True)
    for name in names:
        (folder / name).symlink_to(EXTENSIONS / name, target_is_directory=True)
    return folder


Booter = Callable[..., ExoContainer]


@pytest.fixture
def boot_product(tmp_path) -> Iterable[Booter]:
    """``boot_product(extensions_dir, strict=False, **properties)``: the product booted on a SQLite file in tmp_path
    (the same file for every boot of a test, as a restarted server), stopped and disposed at the end."""
    booted: list[ExoContainer] = []

    def run(extensions_dir: Path, strict: bool = False, **properties: str) -> ExoContainer:
        lines = [f"webconferencing.db.url=sqlite:///{tmp_path / 'webconferencing.db'}"]
        lines += [f"{name}={value}" for name, value in properties.items()]
        props = tmp_path / "exo.properties"
        props.write_text("\n".join(lines) + "\n", encoding="utf-8")
        container = boot(ROOT / "configuration.xml", properties_file=props, extensions_dirs=[extensions_dir],
                         environ={}, strict=strict)
        booted.append(container)
        return container

    yield run
    for container in reversed(booted):
        container.stop()
        container.dispose()


@pytest.fixture(scope="session")
def exo_browser(browser):
    """webconferencing.testing's pages in the suite's one Chromium (tests/conftest.py): Playwright's sync API runs
    one instance per process."""
    return browser
