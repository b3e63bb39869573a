"""deploy/coturn/turnserver.conf run by a real coturn (when installed), asked for relays with the credentials the
WebRTC connector hands out: a fresh one gets a relay, an expired one or one signed with another secret does not.
The TURN client is aioice's (the ICE library of aiortc), so the exchange is a real Allocate with STUN long-term
credentials, as a browser makes it."""
from __future__ import annotations

import asyncio
import concurrent.futures
import importlib
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .conftest import ROOT

TURNSERVER = shutil.which("turnserver") or shutil.which("turnserver", path="/usr/bin:/usr/sbin")
CONF = ROOT / "deploy" / "coturn" / "turnserver.conf"
aioice_turn = pytest.importorskip("aioice.turn", reason="aioice is not installed (pip install -e '.[test]')")
aioice_stun = pytest.importorskip("aioice.stun")
pytestmark = pytest.mark.skipif(TURNSERVER is None, reason="coturn is not installed (apt-get install coturn)")

if str(ROOT / "extensions" / "webrtc") not in sys.path:
    sys.path.append(str(ROOT / "extensions" / "webrtc"))
turn = importlib.import_module("webrtc.turn")


def deploy_secret() -> str:
    [secret] = [line.split("=", 1)[1] for line in (ROOT / "deploy" / "exo.properties").read_text().splitlines()
                if line.startswith("webconferencing.webrtc.turn.secret=")]
    return secret


def free_udp_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render(directory: Path, port: int) -> Path:
    """The deploy file on loopback: this port, no TLS (no certificate here), logs in ``directory``; the shared
    secret and the authentication settings as they are."""
    kept = []
    dropped = ("tls-listening-port=", "external-ip=", "cert=", "pkey=", "log-file=", "listening-port=")
    for line in CONF.read_text(encoding="utf-8").splitlines():
        if not line.startswith(dropped):
            kept.append(line)
    kept += [f"listening-port={port}", "listening-ip=127.0.0.1", "relay-ip=127.0.0.1", "no-tls", "no-dtls",
             f"log-file={directory / 'turn.log'}", "simple-log", f"pidfile={directory / 'turn.pid'}",
             f"cli-port={free_udp_port()}", f"userdb={directory / 'turndb'}"]
    conf = directory / "turnserver.conf"
    conf.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return conf


@pytest.fixture(scope="module")
def coturn(tmp_path_factory):
    directory = tmp_path_factory.mktemp("coturn")
    port = free_udp_port()
    process = subprocess.Popen([TURNSERVER, "-c", str(render(directory, port))], stdout=subprocess.DEVNULL,
                               stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 15
    while not answers_stun(("127.0.0.1", port)):
        log = directory / "turn.log"
        assert process.poll() is None and time.monotonic() < deadline, log.read_text() if log.exists() else ""
    yield ("127.0.0.1", port)
    process.send_signal(signal.SIGTERM)
    process.wait(10)


def answers_stun(server: tuple[str, int]) -> bool:
    """Whether a STUN Binding request to ``server`` gets an answer within 0.2 s (coturn listens)."""
    request = aioice_stun.Message(message_method=aioice_stun.Method.BINDING,
                                  message_class=aioice_stun.Class.REQUEST)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.settimeout(0.2)
        probe.sendto(bytes(request), server)
        try:
            return bool(probe.recv(2048))
        except OSError:  # timeout, or refused while nobody listens yet
            return False


def allocate(server: tuple[str, int], username: str, password: str) -> tuple[str, int]:
    """The relayed address coturn allocates for these credentials (raises when it refuses them)."""
    async def run() -> tuple[str, int]:
        transport, _ = await asyncio.wait_for(aioice_turn.create_turn_endpoint(
            asyncio.DatagramProtocol, server, username, password, lifetime=60), timeout=10)
        try:
            return transport.get_extra_info("sockname")
        finally:
            transport.close()
    # a thread of its own: the session's Playwright (browser tests) keeps an event loop running in the main thread
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


def test_a_fresh_credential_gets_a_relay(coturn):
    server = turn.TurnCredentials(deploy_secret(), (f"turn:{coturn[0]}:{coturn[1]}",)).ice_server("mary")

    relayed = allocate(coturn, server["username"], server["credential"])

    assert relayed[0] == "127.0.0.1" and relayed[1] > 0


def test_an_expired_credential_is_refused(coturn):
    an_hour_ago = time.time() - 3600
    server = turn.TurnCredentials(deploy_secret(), (f"turn:{coturn[0]}:{coturn[1]}",), ttl_seconds=600,
                                  clock=lambda: an_hour_ago).ice_server("mary")

    with pytest.raises(Exception) as refused:
        allocate(coturn, server["username"], server["credential"])

    assert "401" in str(refused.value) or "Unauthorized" in str(refused.value)


def test_a_credential_signed_with_another_secret_is_refused(coturn):
    server = turn.TurnCredentials("not-the-shared-secret", (f"turn:{coturn[0]}:{coturn[1]}",)).ice_server("mary")

    with pytest.raises(Exception) as refused:
        allocate(coturn, server["username"], server["credential"])

    assert "401" in str(refused.value) or "Unauthorized" in str(refused.value)
