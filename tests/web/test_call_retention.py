"""Stopped group calls are kept for history, then deleted once older than the retention period
(``webconferencing.calls.retention.days``) by the background sweep of the server."""
from __future__ import annotations

import time

import pytest
import requests

from .harness import REST, OpenApi, Server, User

RETENTION_DAYS = 8 / 86400  # eight seconds
SPACE_CALL = "g/product_team"


@pytest.fixture
def server(tmp_path):
    srv = Server(tmp_path, properties={"webconferencing.calls.retention.days": repr(RETENTION_DAYS),
                                       "webconferencing.cluster.lease.seconds": "3"}).start()
    yield srv
    srv.stop()


def test_a_stopped_group_call_is_kept_then_expires_after_the_retention_period(server):
    john = User(server, OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json()), "john")
    assert john.post(f"/call/{SPACE_CALL}", json={"owner": "product_team", "ownerType": "space",
                                                  "provider": "signal", "participants": ["john", "mary"]}
                     ).status_code == 200
    john.put(f"/call/{SPACE_CALL}", json={"state": "stopped"})
    stopped_at = time.monotonic()

    assert john.get(f"/call/{SPACE_CALL}").json()["state"] == "stopped"  # kept for history meanwhile
    deadline = stopped_at + 8 + 15
    while john.get(f"/call/{SPACE_CALL}").status_code != 404:
        assert time.monotonic() < deadline, "the stopped call outlived its retention period"
        time.sleep(0.5)
    assert time.monotonic() - stopped_at >= 7  # not before (a second of slack for the clocks' resolution)
    assert "stopped group calls older than" in server.log()
