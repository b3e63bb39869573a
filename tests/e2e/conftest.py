"""One server for the whole e2e session (starting it is most of the runtime); the browser is tests/conftest.py's."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from .harness import running_server


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    if not Path(sys.executable).with_name("exo-server").exists():
        pytest.fail("exo-server is not installed next to this interpreter (pip install -e .)")
    with running_server(tmp_path_factory.mktemp("e2e-server")) as running:
        yield running
