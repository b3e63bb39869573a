from __future__ import annotations

import pytest

from .harness import REDIS_SERVER, RedisProcess


@pytest.fixture
def redis_process(tmp_path):
    """A redis-server for one test (it gets killed or paused), stopped at the end whatever happened to it."""
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server): Redis faults untested")
    (tmp_path / "redis").mkdir()
    process = RedisProcess(tmp_path / "redis").start()
    yield process
    process.kill()
