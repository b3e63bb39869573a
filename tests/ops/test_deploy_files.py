"""The deploy/ files that cannot run here (systemd, nginx, coturn) agree with the server and with each other."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
SYSTEMD_ANALYZE = shutil.which("systemd-analyze")


def properties(path: Path) -> dict[str, str]:
    pairs = (line.split("=", 1) for line in path.read_text(encoding="utf-8").splitlines()
             if "=" in line and not line.lstrip().startswith("#"))
    return {name.strip(): value.strip() for name, value in pairs}


def conf_values(path: Path, name: str) -> list[str]:
    return re.findall(rf"^{re.escape(name)}=(.*)$", path.read_text(encoding="utf-8"), re.MULTILINE)


UNITS = {"exo-server.service": "exo-server.service", "exo-server@.service": "exo-server@8080.service"}


@pytest.mark.skipif(SYSTEMD_ANALYZE is None, reason="systemd-analyze is not installed")
@pytest.mark.parametrize("unit_file", sorted(UNITS))
def test_the_systemd_unit_passes_systemd_analyze_verify(tmp_path, unit_file):
    unit = (DEPLOY / "systemd" / unit_file).read_text(encoding="utf-8")
    # this machine's exo-server and user in place of the installed ones: verify checks that they exist
    unit = unit.replace("/opt/exo-webconf/venv/bin/exo-server", str(Path(sys.executable).with_name("exo-server")))
    unit = re.sub(r"^(User|Group)=exo$", r"\1=root", unit, flags=re.MULTILINE)
    installed = tmp_path / unit_file
    installed.write_text(unit, encoding="utf-8")
    if UNITS[unit_file] != unit_file:  # a template is verified as one of its instances
        (tmp_path / UNITS[unit_file]).symlink_to(installed)

    result = subprocess.run([SYSTEMD_ANALYZE, "verify", str(tmp_path / UNITS[unit_file])],
                            capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("unit_file", sorted(UNITS))
def test_the_systemd_unit_keeps_the_metrics_directory_in_its_runtime_directory(unit_file):
    unit = (DEPLOY / "systemd" / unit_file).read_text(encoding="utf-8")

    runtime = re.search(r"^RuntimeDirectory=(\S+)$", unit, re.MULTILINE).group(1)
    assert f"Environment=PROMETHEUS_MULTIPROC_DIR=/run/{runtime}/" in unit


def test_each_instance_of_the_template_serves_the_port_it_is_named_after():
    unit = (DEPLOY / "systemd" / "exo-server@.service").read_text(encoding="utf-8")

    assert "--port %i" in unit and "RuntimeDirectory=exo-webconf-%i" in unit


def test_coturn_and_the_server_share_the_turn_secret():
    server = properties(DEPLOY / "exo.properties")
    coturn = DEPLOY / "coturn" / "turnserver.conf"

    assert "use-auth-secret" in coturn.read_text(encoding="utf-8").splitlines()
    assert conf_values(coturn, "static-auth-secret") == [server["webconferencing.webrtc.turn.secret"]]


def test_nginx_sets_the_one_forwarded_address_the_server_is_told_to_trust():
    site = (DEPLOY / "nginx" / "exo-webconf.conf").read_text(encoding="utf-8")

    assert properties(DEPLOY / "exo.properties")["exo.server.trusted.proxies"] == "1"
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site  # set, never appended to a client's value


def test_nginx_upgrades_the_websocket_and_reads_longer_than_the_ping_interval():
    site = (DEPLOY / "nginx" / "exo-webconf.conf").read_text(encoding="utf-8")
    ws = re.search(r"location = /webconferencing/ws \{(.*?)\}", site, re.DOTALL).group(1)

    assert "proxy_set_header Upgrade $http_upgrade;" in ws
    # a location setting headers inherits none of the server's: the forwarded ones are repeated there
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in ws and "proxy_set_header Host $http_host;" in ws
    assert "proxy_set_header Connection $connection_upgrade;" in ws
    assert int(re.search(r"proxy_read_timeout (\d+)s;", ws).group(1)) > 25 * 3  # three pings of silence


def test_nginx_never_serves_metrics_to_the_public():
    site = (DEPLOY / "nginx" / "exo-webconf.conf").read_text(encoding="utf-8")

    assert re.search(r"location = /metrics \{\s*return 404;\s*\}", site)
