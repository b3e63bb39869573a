"""Real processes to break: an ``exo-server`` that can be killed with SIGKILL (master and worker together) and
restarted on the same port and data, and a ``redis-server`` that can be killed, paused (SIGSTOP) and brought back on
the same port. Built on tests/web/harness.py (same server command, users and tabs)."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass

import requests

from tests.redis_server import REDIS_SERVER, RedisProcess  # noqa: F401 (the fault tests' Redis)
from tests.web.harness import REST, OpenApi, Server, User


# short enough for a test to wait out, long enough for a loaded 2-core machine to renew in time
FAULT_PROPERTIES = {
    "webconferencing.ws.grace.seconds": "1",
    "webconferencing.cluster.lease.seconds": "3",
}


@dataclass
class CrashableServer(Server):
    """A server in its own process group, so SIGKILL takes gunicorn's master and worker at once (a worker that
    outlived its master would go on serving the port)."""

    def start(self, timeout: float = 30.0) -> "CrashableServer":
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(self.command(), cwd=self.data_dir, stdout=log, stderr=subprocess.STDOUT,
                                        env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"exo-server exited with {self.process.returncode}:\n{self.log()}")
            try:
                if requests.get(f"{self.base}{REST}/openapi.json", timeout=1).status_code == 200:
                    return self
            except (requests.ConnectionError, requests.Timeout):
                pass
            time.sleep(0.1)
        self.crash()
        raise RuntimeError(f"exo-server not ready after {timeout}s:\n{self.log()}")

    def crash(self) -> None:
        """kill -9, as a power cut or the OOM killer would: nothing is closed, nothing is said."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def openapi(self) -> OpenApi:
        return OpenApi(requests.get(f"{self.base}{REST}/openapi.json", timeout=5).json())

    def user(self, user_id: str) -> User:
        return User(self, self.openapi(), user_id)


def wait_until(condition, timeout: float, message: str, interval: float = 0.1):
    """Poll ``condition`` until it returns something truthy; fail with ``message`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{message} (after {timeout}s)")
        time.sleep(interval)
