"""A stopping server: websockets already open are closed (1001, covered by the real-server command tests); a tab
that tries to reconnect to the stopping process is refused before the upgrade, so it goes on to the next one."""
from __future__ import annotations

from pathlib import Path

import pytest

from exo_container import boot
from webconferencing.web.app import create_app, shutdown_app
from webconferencing.web.settings import ServerSettings

ROOT = Path(__file__).resolve().parents[2]
UPGRADE = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
           "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}


@pytest.fixture
def app(tmp_path):
    container = boot(ROOT / "configuration.xml", extensions_dirs=[tmp_path / "no-extensions"], environ={},
                     system_properties={"webconferencing.db.url": f"sqlite:///{tmp_path / 'wc.db'}"})
    yield create_app(container, ServerSettings(secret="test-secret", data_dir=tmp_path))
    container.stop()
    container.dispose()


def test_a_websocket_upgrade_during_shutdown_is_refused_with_503(app):
    client = app.test_client()
    assert client.post("/portal/rest/webconferencing/auth/login",
                       json={"username": "mary", "password": "gtn"}).status_code == 200
    shutdown_app(app)

    answer = client.get("/webconferencing/ws", headers=UPGRADE)

    assert answer.status_code == 503
    assert answer.get_json()["code"] == "SERVER_UNAVAILABLE"
