"""``exo-server`` as an operator runs it: --check, refused option combinations, graceful shutdown."""
from __future__ import annotations

import json
import signal
import subprocess

import requests
import websocket

from .harness import EXO_SERVER, EXTENSIONS, REPO, REST, OpenApi, Server, User


def run(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([str(EXO_SERVER), *args], cwd=cwd, capture_output=True, text=True, timeout=60)


def test_check_accepts_the_shipped_configuration(tmp_path):
    result = run("--check", "--config", str(REPO / "configuration.xml"), "--extensions", str(EXTENSIONS),
                 "-D", f"webconferencing.db.url=sqlite:///{tmp_path / 'db.sqlite'}", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout
    assert not (tmp_path / "db.sqlite").exists()  # checking creates nothing


def test_check_reports_a_broken_configuration_with_file_and_line(tmp_path):
    broken = tmp_path / "configuration.xml"
    broken.write_text('<configuration xmlns="http://www.exoplatform.org/xml/ns/kernel_1_3.xsd">\n'
                      '  <component>\n    <type>no.such.Component</type>\n  </component>\n</configuration>\n')

    result = run("--check", "--config", str(broken), cwd=tmp_path)

    assert result.returncode == 1
    assert f"{broken}:" in result.stderr
    assert "no.such" in result.stderr


import pytest


@pytest.mark.parametrize("prop, value", [("webconferencing.db.busy.timeout", "soon"),
                                         ("webconferencing.db.pool.size", "0"),
                                         ("webconferencing.ring.timeout.seconds", "-1"),
                                         ("webconferencing.identity.cache.seconds", "x")])
def test_a_bad_core_value_stops_the_server_naming_the_property_without_a_traceback(tmp_path, prop, value):
    (tmp_path / "exo.properties").touch()
    result = run("--config", str(REPO / "configuration.xml"), "--properties", str(tmp_path / "exo.properties"),
                 "--extensions", str(EXTENSIONS), "--port", "0", "-D", f"exo.data.dir={tmp_path}",
                 "-D", f"webconferencing.db.url=sqlite:///{tmp_path / 'db.sqlite'}", "-D", f"{prop}={value}",
                 cwd=tmp_path)

    assert result.returncode != 0
    assert prop in result.stderr and value in result.stderr.split(prop, 1)[1]
    assert "Traceback" not in result.stderr + result.stdout


def test_several_workers_without_redis_are_refused(tmp_path):
    result = run("--config", str(REPO / "configuration.xml"), "--workers", "2",
                 "-D", f"exo.data.dir={tmp_path}", cwd=tmp_path)

    assert result.returncode == 2
    assert "webconferencing.broker=redis://" in result.stderr


def test_sigterm_closes_websockets_and_stops_the_container(tmp_path):
    server = Server(tmp_path).start()
    openapi = OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json())
    mary = User(server, openapi, "mary")
    ws = websocket.create_connection(server.ws_url, cookie=mary.cookie_header, timeout=10)
    ws.send(json.dumps({"type": "handshake"}))
    ws.recv()

    code = server.stop(signal.SIGTERM)

    assert code == 0
    opcode, frame = ws.recv_data_frame(control_frame=True)
    assert opcode == websocket.ABNF.OPCODE_CLOSE
    assert int.from_bytes(frame.data[:2], "big") == 1001  # going away: the client reconnects
    assert "Container stopped" in server.log()


def test_the_signing_secret_is_created_once_and_kept(tmp_path):
    first = Server(tmp_path).start()
    secret = (tmp_path / "server.secret").read_text()
    openapi = OpenApi(requests.get(f"{first.base}{REST}/openapi.json", timeout=5).json())
    mary = User(first, openapi, "mary")
    first.stop()

    second = Server(tmp_path, port=first.port).start()
    try:
        assert (tmp_path / "server.secret").read_text() == secret
        assert (tmp_path / "server.secret").stat().st_mode & 0o077 == 0
        assert mary.get("/context").status_code == 200  # the session survives the restart
    finally:
        second.stop()
