"""deploy/nginx/exo-webconf.conf, run by a real nginx (when installed) in front of a real exo-server configured as
deploy/exo.properties says for it (``exo.server.trusted.proxies=1``): TLS, the websocket upgrade a browser makes,
the login throttle that a forged ``X-Forwarded-For`` cannot escape, ``/metrics`` kept off the public site, one
request id from nginx to the server."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path

import pytest
import requests
import websocket

from tests.web.harness import REST, WS_PATH, Server, free_port

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/bin")
SITE = Path(__file__).resolve().parents[2] / "deploy" / "nginx" / "exo-webconf.conf"
TOKEN = "scrape-token"

pytestmark = [pytest.mark.skipif(NGINX is None, reason="nginx is not installed (apt-get install nginx-light)"),
              # the test's own self-signed certificate
              pytest.mark.filterwarnings("ignore::urllib3.exceptions.InsecureRequestWarning")]


def replaced(text: str, old: str, new: str, *, pattern: bool = False) -> str:
    """``text`` with ``old`` (present exactly once: the test follows the file) replaced."""
    count = len(re.findall(old, text, re.DOTALL)) if pattern else text.count(old)
    assert count == 1, f"{old!r} is not in {SITE} exactly once"
    return re.sub(old, new, text, flags=re.DOTALL) if pattern else text.replace(old, new)


def render_site(directory: Path, upstream_port: int, http_port: int, https_port: int) -> Path:
    """The site with this machine's ports, a self-signed certificate and logs in ``directory``."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-keyout", str(directory / "key.pem"), "-out", str(directory / "cert.pem")],
                   check=True, capture_output=True)
    site = SITE.read_text(encoding="utf-8")
    site = replaced(site, r"upstream exo_webconf \{.*?\n\}",
                    f"upstream exo_webconf {{\n    server 127.0.0.1:{upstream_port};\n    keepalive 32;\n}}",
                    pattern=True)
    site = replaced(site, "    listen 80;\n    listen [::]:80;\n", f"    listen 127.0.0.1:{http_port};\n")
    site = replaced(site, "    listen [::]:443 ssl http2;\n", "")
    site = replaced(site, "listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;")
    site = replaced(site, "/etc/letsencrypt/live/webconf.example.org/fullchain.pem", str(directory / "cert.pem"))
    site = replaced(site, "/etc/letsencrypt/live/webconf.example.org/privkey.pem", str(directory / "key.pem"))
    site = replaced(site, "/var/log/nginx/exo-webconf.access.log", str(directory / "access.log"))
    (directory / "site.conf").write_text(site, encoding="utf-8")
    temp = "\n".join(f"    {kind}_temp_path {directory / kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                                               "uwsgi", "scgi"))
    conf = directory / "nginx.conf"
    conf.write_text(f"""{"user root root;" if os.getuid() == 0 else ""}
worker_processes 1;
daemon off;
pid {directory / "nginx.pid"};
error_log {directory / "error.log"} info;
events {{ worker_connections 256; }}
http {{
{temp}
    include {directory / "site.conf"};
}}
""", encoding="utf-8")
    return conf


def nginx_test(conf: Path) -> subprocess.CompletedProcess:
    return subprocess.run([NGINX, "-t", "-c", str(conf), "-p", str(conf.parent)], capture_output=True, text=True)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(https base URL, http base URL, nginx directory) of nginx in front of one exo-server."""
    server = Server(tmp_path_factory.mktemp("upstream"), properties={
        "exo.server.trusted.proxies": "1", "exo.server.login.max.failures.address": "1",
        "webconferencing.metrics.token": TOKEN}).start()
    directory = tmp_path_factory.mktemp("nginx")
    http_port, https_port = free_port(), free_port()
    conf = render_site(directory, server.port, http_port, https_port)
    checked = nginx_test(conf)
    assert checked.returncode == 0, checked.stderr
    nginx = subprocess.Popen([NGINX, "-c", str(conf), "-p", str(directory)], stdout=subprocess.DEVNULL,
                             stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=0.2).close()
            break
        except OSError:
            assert time.monotonic() < deadline and nginx.poll() is None, (directory / "error.log").read_text()
            time.sleep(0.05)
    yield f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}", directory, conf
    nginx.send_signal(signal.SIGQUIT)
    nginx.wait(10)
    server.stop()


def test_nginx_accepts_the_site(site):
    *_, conf = site

    checked = nginx_test(conf)

    assert checked.returncode == 0, checked.stderr


def test_plain_http_is_redirected_to_https(site):
    _, http_base, *_ = site

    answer = requests.get(f"{http_base}/portal", allow_redirects=False, timeout=5)

    assert answer.status_code == 301 and answer.headers["Location"].startswith("https://")


def test_a_browser_websocket_is_upgraded_through_nginx_and_answers(site):
    https_base, *_ = site
    browser = requests.Session()
    login = browser.post(f"{https_base}{REST}/auth/login", json={"username": "mary", "password": "gtn"},
                         headers={"Origin": https_base}, verify=False, timeout=5)
    assert login.status_code == 200, login.text
    cookies = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)

    ws = websocket.create_connection(https_base.replace("https://", "wss://") + WS_PATH, cookie=cookies,
                                     origin=https_base, sslopt={"cert_reqs": ssl.CERT_NONE}, timeout=5)
    try:
        ws.send(json.dumps({"type": "handshake"}))
        answer = json.loads(ws.recv())
    finally:
        ws.close()

    assert answer["type"] == "handshake" and answer["userId"] == "mary"


def test_metrics_are_not_served_through_the_public_site(site):
    https_base, *_ = site

    answer = requests.get(f"{https_base}/metrics", headers={"Authorization": f"Bearer {TOKEN}"}, verify=False,
                          timeout=5)

    assert answer.status_code == 404


def test_the_request_id_nginx_gives_is_the_one_the_server_answers_with(site):
    https_base, _, directory, _ = site

    answer = requests.get(f"{https_base}{REST}/openapi.json", verify=False, timeout=5)

    request_id = answer.headers["X-Request-Id"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)  # nginx's $request_id
    time.sleep(0.2)  # the access log line is written as the request ends
    assert f"request_id={request_id}" in (directory / "access.log").read_text()


def test_a_forged_forwarded_address_does_not_escape_the_login_throttle(site):
    """Last: it uses up this client's failed logins (one per address here)."""
    https_base, *_ = site

    def login(user: str, forged: str) -> int:
        return requests.post(f"{https_base}{REST}/auth/login", json={"username": user, "password": "wrong"},
                             headers={"X-Forwarded-For": forged, "Origin": https_base}, verify=False,
                             timeout=5).status_code

    assert login("nobody-1", "203.0.113.7") == 401
    assert login("nobody-2", "198.51.100.9") == 429  # counted by the address nginx saw, not the one claimed
