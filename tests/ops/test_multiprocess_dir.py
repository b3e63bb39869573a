"""Where the gunicorn workers keep their metric values: the operator's PROMETHEUS_MULTIPROC_DIR, emptied at start,
or a fresh directory of this server's own."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from webconferencing.observability import multiprocess


@pytest.fixture
def environment():
    """PROMETHEUS_MULTIPROC_DIR as the test leaves it is put back afterwards (prepare() sets it)."""
    saved = os.environ.get(multiprocess.ENVIRONMENT)
    os.environ.pop(multiprocess.ENVIRONMENT, None)
    yield os.environ
    if saved is None:
        os.environ.pop(multiprocess.ENVIRONMENT, None)
    else:
        os.environ[multiprocess.ENVIRONMENT] = saved


def test_the_operators_directory_is_emptied_of_a_previous_runs_values(environment, tmp_path):
    (tmp_path / "counter_4242.db").write_bytes(b"old counts")
    (tmp_path / "notes.txt").write_text("not ours")
    environment[multiprocess.ENVIRONMENT] = str(tmp_path)

    assert multiprocess.prepare() == tmp_path

    assert not (tmp_path / "counter_4242.db").exists()
    assert (tmp_path / "notes.txt").exists()


def test_without_a_directory_the_server_gets_an_empty_one_of_its_own(environment):
    directory = multiprocess.prepare()

    assert environment[multiprocess.ENVIRONMENT] == str(directory)
    assert Path(directory).is_dir() and not any(Path(directory).iterdir())
