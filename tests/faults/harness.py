"""Real processes to break: an ``exo-server`` that can be killed with SIGKILL (master and worker together) and
restarted on the same port and data, and a ``redis-server`` that can be killed, paused (SIGSTOP) and brought back on
the same port. Built on tests/web/harness.py (same server command, users and tabs)."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from tests.web.harness import REST, OpenApi, Server, User, free_port

REDIS_SERVER = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/sbin:/usr/bin")

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


@dataclass
class RedisProcess:
    """A redis-server of our own on a fixed port: it can come back on the same port after a kill."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisProcess":
        self.process = subprocess.Popen([REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(self.directory)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.kill()
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.05)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a paused server must be able to die
            self.process.kill()
            self.process.wait(10)

    def pause(self) -> None:
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)


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
