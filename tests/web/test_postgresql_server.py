"""The real server on PostgreSQL: ``exo-server`` with ``webconferencing.db.url=postgresql://...`` creates its schema
in an empty database and serves a call over REST from it (restarts and concurrency on PostgreSQL are covered by
tests/core, which runs on both backends)."""
from __future__ import annotations

import psycopg
import pytest
import requests

from .harness import REST, OpenApi, Server, User

SPACE_CALL = "g/product_team"  # members: john, mary, james, jack, peter, alice


@pytest.fixture
def empty_database(postgres_server):
    url = postgres_server.create_database()  # a whole database, not a schema: the server's first start gets it bare
    yield url
    postgres_server.drop_database(url)


def start(tmp_path, url: str) -> tuple[Server, OpenApi]:
    server = Server(tmp_path / "server", properties={"webconferencing.db.url": url}).start()
    return server, OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json())


def participant_states(call: dict) -> dict[str, str | None]:
    return {p["id"]: p["state"] for p in call["participants"]}


def test_a_group_call_is_created_joined_and_left_over_rest_and_kept_in_postgresql(tmp_path, empty_database):
    server, openapi = start(tmp_path, empty_database)
    try:
        john, mary = User(server, openapi, "john"), User(server, openapi, "mary")
        created = john.post(f"/call/{SPACE_CALL}", json={"owner": "product_team", "ownerType": "space",
                                                         "provider": "signal", "title": "Weekly",
                                                         "participants": ["john", "mary"]})
        assert (created.status_code, created.json()["state"]) == (200, "started")
        assert john.post(f"/call/{SPACE_CALL}", json={"owner": "product_team", "ownerType": "space",
                                                      "provider": "signal", "participants": ["john"]}
                         ).status_code == 409
        john.put(f"/usercall/{SPACE_CALL}", json={"state": "joined", "clientId": "john-tab"})
        joined = mary.put(f"/usercall/{SPACE_CALL}", json={"state": "joined", "clientId": "mary-tab"}).json()
        assert participant_states(joined) == {"john": "joined", "mary": "joined"}
        mary.put(f"/usercall/{SPACE_CALL}", json={"state": "leaved", "clientId": "mary-tab"})
        left = john.put(f"/usercall/{SPACE_CALL}", json={"state": "leaved", "clientId": "john-tab"}).json()
        assert left["state"] == "stopped" and participant_states(left) == {"john": "leaved", "mary": "leaved"}
    finally:
        assert server.stop() == 0

    with psycopg.connect(empty_database) as conn:  # the rows are in PostgreSQL, nowhere else
        assert conn.execute("SELECT state FROM wc_call WHERE id = %s", (SPACE_CALL,)).fetchall() == [("stopped",)]
        assert conn.execute("SELECT max(version) FROM wc_schema_version").fetchone()[0] >= 1

