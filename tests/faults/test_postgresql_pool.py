"""The server on a pooled PostgreSQL connection (``postgresql+pool://``, the recommended production URL) with far
more concurrent clients than pooled connections: requests wait for a connection instead of failing, so none answers
500 (peewee's pool refuses at once with MaxConnectionsExceeded by default)."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from .harness import FAULT_PROPERTIES, CrashableServer

SPACE_CALL = "g/product_team"
MEMBERS = ["john", "mary", "james", "jack", "peter", "alice"]
CLIENTS = 24  # concurrent clients, against a pool of 3 connections
ROUNDS = 5


@pytest.fixture
def pooled_server(tmp_path, postgres_server):
    url = postgres_server.create_database().replace("postgresql://", "postgresql+pool://", 1)
    server = CrashableServer(tmp_path, properties={**FAULT_PROPERTIES, "webconferencing.db.url": url,
                                                   "webconferencing.db.pool.size": "3",
                                                   "webconferencing.db.pool.wait.seconds": "30"}).start()
    yield server
    server.stop()


def test_many_concurrent_clients_on_a_small_pool_get_no_server_error(pooled_server):
    users = [pooled_server.user(member) for member in MEMBERS]
    assert users[0].post(f"/call/{SPACE_CALL}", json={"owner": "product_team", "ownerType": "space",
                                                     "provider": "signal", "participants": MEMBERS}
                         ).status_code == 200

    def client(number: int) -> list[int]:
        user = users[number % len(users)]
        statuses = []
        for _ in range(ROUNDS):
            for state in ("joined", "leaved"):
                statuses.append(user.put(f"/usercall/{SPACE_CALL}",
                                         json={"state": state, "clientId": f"load-{number}"}).status_code)
            statuses.append(user.get("/usercalls").status_code)
        return statuses

    with ThreadPoolExecutor(CLIENTS) as pool:
        statuses = [status for result in pool.map(client, range(CLIENTS)) for status in result]

    assert len(statuses) == CLIENTS * ROUNDS * 3
    assert [s for s in statuses if s >= 500] == []
    assert "MaxConnectionsExceeded" not in pooled_server.log()
