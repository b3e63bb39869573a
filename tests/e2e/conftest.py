"""One server and one browser for the whole e2e session (starting them is most of the runtime)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .harness import CHROMIUM, chromium, running_server


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    if not Path(sys.executable).with_name("exo-server").exists():
        pytest.fail("exo-server is not installed next to this interpreter (pip install -e .)")
    with running_server(tmp_path_factory.mktemp("e2e-server")) as running:
        yield running


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
    with chromium() as launched:
        yield launched
