"""PostgreSQL stopped under a running server: requests answer 503 SERVER_UNAVAILABLE (try again), never a 500 with a
traceback per request, and once the database is back everything committed before is there and the server serves
again without a restart."""
from __future__ import annotations

import pytest

from tests.postgres_server import PostgresServer, find_bindir, unavailable_reason

from .harness import FAULT_PROPERTIES, CrashableServer

SPACE_CALL = "g/product_team"


@pytest.fixture
def own_postgres():
    """A cluster of this test alone: it gets stopped and started again."""
    reason = unavailable_reason()
    if reason:
        pytest.skip(reason)
    server = PostgresServer(find_bindir()).start()
    yield server
    server.stop()


@pytest.fixture
def server(tmp_path, own_postgres):
    url = own_postgres.create_database().replace("postgresql://", "postgresql+pool://", 1)
    srv = CrashableServer(tmp_path, properties={**FAULT_PROPERTIES, "webconferencing.db.url": url,
                                                "webconferencing.db.pool.wait.seconds": "2"}).start()
    yield srv
    srv.stop()


def test_a_stopped_database_answers_503_and_nothing_is_lost_when_it_returns(server, own_postgres):
    mary = server.user("mary")
    tab = mary.tab()
    assert mary.post(f"/call/{SPACE_CALL}", json={"owner": "product_team", "ownerType": "space",
                                                  "provider": "signal", "participants": ["mary", "john"]}).ok
    assert mary.put(f"/usercall/{SPACE_CALL}", json={"state": "joined", "clientId": tab.client_id}).ok

    own_postgres.halt()
    try:
        during = mary.http.get(f"{server.base}/portal/rest/webconferencing/call/{SPACE_CALL}", timeout=30)
        assert (during.status_code, during.json()["code"]) == (503, "SERVER_UNAVAILABLE")
    finally:
        own_postgres.resume()

    after = mary.http.get(f"{server.base}/portal/rest/webconferencing/call/{SPACE_CALL}", timeout=30)
    assert after.status_code == 200
    assert {p["id"]: p["state"] for p in after.json()["participants"]}["mary"] == "joined"
    assert "Traceback" not in server.log()
    tab.close()
