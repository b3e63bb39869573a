"""How sessions end: logout is final (for a saved copy of the cookie, a bearer token, an open websocket, another
worker), a login opens a new session, and sessions die after their idle and absolute lifetimes.

Every test drives real ``exo-server`` processes on loopback; the multi-process ones share a SQLite file, a real
``redis-server`` or a throw-away PostgreSQL cluster, as a deployment would."""
from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import time
import zlib
from pathlib import Path

import pytest
import requests
import websocket

from exo_container import InitParams, ValueParam, boot
from tests.redis_server import REDIS_SERVER, RedisProcess
from tests.web.harness import PASSWORD, REST, OpenApi, Server, User
from webconferencing.storage import Database
from webconferencing.storage.models import SessionRecord
from webconferencing.web.sessions import SessionStore

COOKIE = "exo_webconf_session"
SESSION_ENDED = 1008
PING_SECONDS = 0.5


def openapi_of(server: Server) -> OpenApi:
    return OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json())


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("sessions"),
                 properties={"webconferencing.ws.ping.seconds": str(PING_SECONDS)}).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def openapi(server) -> OpenApi:
    return openapi_of(server)


@pytest.fixture
def start_server(tmp_path):
    """Servers of one test, stopped after it."""
    started: list[Server] = []

    def start(name: str = "server", data_dir: Path | None = None, **properties: str) -> Server:
        srv = Server(data_dir or tmp_path / name, properties=properties).start()
        started.append(srv)
        return srv

    yield start
    for srv in started:
        srv.stop()


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory):
    if REDIS_SERVER is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server): Redis sessions untested")
    redis = RedisProcess(tmp_path_factory.mktemp("redis")).start()
    yield redis.url
    redis.stop()


def context_with(server: Server, *, cookies: dict | None = None, token: str | None = None) -> requests.Response:
    """``GET context`` presenting only the given cookie or bearer token (a fresh client, as an attacker would)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(f"{server.base}{REST}/context", cookies=cookies or {}, headers=headers, timeout=5)


def bearer_token(server: Server, user_id: str) -> str:
    response = requests.post(f"{server.base}{REST}/auth/token", json={"username": user_id, "password": PASSWORD},
                             timeout=5)
    assert response.status_code == 200, response.text
    return response.json()["token"]


def session_cookie(user: User) -> dict[str, str]:
    return {COOKIE: user.http.cookies[COOKIE]}


# --- logout ------------------------------------------------------------------------------------


def test_a_cookie_saved_before_logout_is_refused_after_it(server, openapi):
    mary = User(server, openapi, "mary")
    saved = session_cookie(mary)
    assert context_with(server, cookies=saved).status_code == 200

    assert mary.post("/auth/logout").status_code == 204

    replayed = context_with(server, cookies=saved)
    assert replayed.status_code == 401
    assert "Set-Cookie" not in replayed.headers or f"{COOKIE}=;" in replayed.headers["Set-Cookie"]


def test_the_logout_form_ends_the_session_for_good(server, openapi):
    james = User(server, openapi, "james")
    saved = session_cookie(james)

    out = james.http.post(f"{server.base}/portal/logout", data={"csrfToken": james.csrf}, allow_redirects=False,
                          timeout=5)

    assert out.status_code == 303
    assert context_with(server, cookies=saved).status_code == 401


def test_logout_with_a_bearer_token_revokes_that_token_only(server, openapi):
    token, other = bearer_token(server, "john"), bearer_token(server, "john")
    assert context_with(server, token=token).status_code == 200

    out = requests.post(f"{server.base}{REST}/auth/logout", headers={"Authorization": f"Bearer {token}"}, timeout=5)

    assert out.status_code == 204
    refused = context_with(server, token=token)
    assert refused.status_code == 401 and refused.json()["code"] == "UNAUTHORIZED_ERROR"
    assert context_with(server, token=other).status_code == 200


def test_a_websocket_upgrade_with_a_logged_out_cookie_is_refused(server, openapi):
    alice = User(server, openapi, "alice")
    cookie = alice.cookie_header
    assert alice.post("/auth/logout").status_code == 204

    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(server.ws_url, cookie=cookie, timeout=5)

    assert refused.value.status_code == 401


def close_code(ws: websocket.WebSocket) -> int | None:
    """The close code the server sends within ten ping intervals (None: still open), answering its pings as an
    attentive tab does, so that only the end of the session may close it."""
    deadline = time.monotonic() + 10 * PING_SECONDS
    try:
        while time.monotonic() < deadline:
            ws.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                opcode, frame = ws.recv_data_frame(True)
            except websocket.WebSocketTimeoutException:
                return None
            if opcode == websocket.ABNF.OPCODE_CLOSE:
                return int.from_bytes(frame.data[:2], "big")
            if json.loads(frame.data).get("type") == "ping":
                ws.send(json.dumps({"type": "pong"}))
        return None
    finally:
        ws.close()


def test_an_open_websocket_is_closed_when_its_session_logs_out(server, openapi):
    bob = User(server, openapi, "bob")
    tab = bob.tab()

    assert bob.post("/auth/logout").status_code == 204

    assert close_code(tab.ws) == SESSION_ENDED


def test_a_websocket_opened_with_a_bearer_token_is_closed_when_the_token_is_revoked(server):
    token = bearer_token(server, "dave")
    ws = websocket.create_connection(server.ws_url, header=[f"Authorization: Bearer {token}"], timeout=5)
    ws.send(json.dumps({"type": "handshake"}))
    assert json.loads(ws.recv())["type"] == "handshake"

    requests.post(f"{server.base}{REST}/auth/logout", headers={"Authorization": f"Bearer {token}"}, timeout=5)

    assert close_code(ws) == SESSION_ENDED


# --- what the cookie is, and when a new one is made ------------------------------------------


def _readable_parts(value: str) -> list[bytes]:
    """Every piece of the cookie that base64 (and zlib, as signed cookies use) can turn into bytes."""
    found = [value.encode()]
    for part in value.split("."):
        try:
            raw = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
        except ValueError:
            continue
        found.append(raw)
        try:
            found.append(zlib.decompress(raw))
        except zlib.error:
            pass
    return found


def test_the_session_cookie_is_an_opaque_id_that_says_nothing_of_the_user(server, openapi):
    peter = User(server, openapi, "peter")
    value = peter.http.cookies[COOKIE]

    assert not any(b"peter" in part or b"user_id" in part or peter.csrf.encode() in part
                   for part in _readable_parts(value))


def test_a_login_ends_the_session_the_browser_had_and_opens_a_new_one(server, openapi):
    """Session fixation: whatever id the browser held before signing in (planted, or another user's) is worthless
    after, and the signed-in session has an id of its own."""
    browser = User(server, openapi, "mary")
    before = session_cookie(browser)

    again = browser.post("/auth/login", json={"username": "jack", "password": PASSWORD})

    assert again.status_code == 200
    after = session_cookie(browser)
    assert after != before
    assert context_with(server, cookies=before).status_code == 401
    assert context_with(server, cookies=after).json()["currentUser"]["id"] == "jack"


# --- lifetimes ------------------------------------------------------------------------------------


@pytest.fixture(params=["database", "redis"])
def session_store(request) -> str:
    """Where the server keeps sessions (exo.server.session.store): the lifetimes must hold the same in both."""
    return request.param if request.param == "database" else request.getfixturevalue("redis_url")


def test_a_session_dies_after_the_idle_limit_counted_from_its_last_request(start_server, session_store):
    idle = 3.0
    srv = start_server(**{"exo.server.session.idle.seconds": str(idle), "exo.server.session.store": session_store})
    user = User(srv, openapi_of(srv), "mary")
    cookie = session_cookie(user)
    for _ in range(6):  # busy for 1.5x the idle limit: still signed in
        time.sleep(idle / 4)
        assert context_with(srv, cookies=cookie).status_code == 200

    time.sleep(idle + 0.5)

    assert context_with(srv, cookies=cookie).status_code == 401


def test_a_session_dies_at_the_absolute_limit_however_busy(start_server, session_store):
    absolute = 3.0
    srv = start_server(**{"exo.server.session.seconds": str(int(absolute)), "exo.server.session.store": session_store})
    user = User(srv, openapi_of(srv), "mary")
    signed_in_at = time.monotonic()
    assert user.get("/context").status_code == 200

    while time.monotonic() - signed_in_at < absolute + 0.5:  # a request every half second, in the same browser
        last = user.http.get(f"{srv.base}{REST}/context", timeout=5)
        time.sleep(0.5)

    assert last.status_code == 401
    assert user.http.get(f"{srv.base}{REST}/context", timeout=5).status_code == 401


# --- every process agrees -------------------------------------------------------------------------


def _logout_on_one_is_final_on_the_other(first: Server, second: Server) -> None:
    mary = User(first, openapi_of(first), "mary")
    cookie = session_cookie(mary)
    assert context_with(second, cookies=cookie).status_code == 200, "the other process does not know the session"

    assert mary.post("/auth/logout").status_code == 204

    assert context_with(second, cookies=cookie).status_code == 401


def test_a_logout_on_one_server_is_final_on_another_sharing_the_database(start_server, tmp_path):
    shared = tmp_path / "shared"  # one SQLite file (and one data dir) for both processes
    first, second = start_server(data_dir=shared), start_server(data_dir=shared)

    _logout_on_one_is_final_on_the_other(first, second)


def test_the_session_store_property_puts_sessions_in_redis_without_the_redis_broker(start_server, redis_url):
    first = start_server("first", **{"exo.server.session.store": redis_url})
    second = start_server("second", **{"exo.server.session.store": redis_url})

    _logout_on_one_is_final_on_the_other(first, second)


@pytest.fixture
def postgres_database(postgres_server):
    url = postgres_server.create_database()  # a whole database: the server's first start creates the schema
    yield url
    postgres_server.drop_database(url)


def test_on_postgresql_a_cookie_saved_before_logout_is_refused(postgres_database, start_server):
    srv = start_server(**{"webconferencing.db.url": postgres_database})
    mary = User(srv, openapi_of(srv), "mary")
    saved = session_cookie(mary)
    assert context_with(srv, cookies=saved).status_code == 200

    assert mary.post("/auth/logout").status_code == 204

    assert context_with(srv, cookies=saved).status_code == 401


# --- the store stays bounded ---------------------------------------------------------------------

DATABASE_XML = """<?xml version="1.0" encoding="UTF-8"?>
<configuration xmlns="http://www.exoplatform.org/xml/ns/kernel_1_3.xsd">
  <component>
    <key>webconferencing.storage.Database</key>
    <type>webconferencing.storage.Database</type>
    <init-params><value-param><name>url</name><value>${test.db.url}</value></value-param></init-params>
  </component>
</configuration>
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def database(request, tmp_path):
    url = (f"sqlite:///{tmp_path / 'wc.db'}" if request.param == "sqlite"
           else request.getfixturevalue("postgres_url"))
    configuration = tmp_path / "configuration.xml"
    configuration.write_text(DATABASE_XML, encoding="utf-8")
    container = boot(configuration, system_properties={"test.db.url": url}, extensions_dirs=[])
    yield container.get_component_instance_of_type(Database)
    container.dispose()


def test_dead_sessions_are_purged_from_the_database_when_a_login_opens_one(database):
    """Ended sessions leave no row behind, and expired ones (idle or absolute) are swept at the next login, so the
    table holds about the live sessions whatever the traffic."""
    now = [dt.datetime(2026, 1, 1, 12, 0)]
    store = SessionStore(database, InitParams([ValueParam(name="idle-seconds", value="60")]), clock=lambda: now[0])
    store.start()
    idle_one = store.open("mary", "cookie")
    logged_out = store.open("john", "cookie")
    token = store.open("james", "bearer")
    store.end(logged_out)
    now[0] += dt.timedelta(hours=2)  # mary idle for 2 h, james's token past its hour

    kept = store.open("alice", "cookie")

    with database.read():
        left = [user for (user,) in SessionRecord.select(SessionRecord.user_id).tuples()]
    assert left == ["alice"]
    assert store.resolve(idle_one, "cookie") is None and store.resolve(token, "bearer") is None
    assert store.resolve(kept, "cookie").user_id == "alice"


# --- every store keeps the same rules ---------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 1, 1, 12, 0)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture(params=["sqlite", "postgresql", "redis"])
def store(request, tmp_path, clock):
    """A started SessionStore on each backend (idle limit 60 s, 1 h for cookies, 10 min for tokens) on the test's
    clock. The Redis one still gets a database, as the container always has one."""
    db_url = (request.getfixturevalue("postgres_url") if request.param == "postgresql"
              else f"sqlite:///{tmp_path / 'wc.db'}")
    location = request.getfixturevalue("redis_url") if request.param == "redis" else "database"
    configuration = tmp_path / "configuration.xml"
    configuration.write_text(DATABASE_XML, encoding="utf-8")
    container = boot(configuration, system_properties={"test.db.url": db_url}, extensions_dirs=[])
    params = InitParams([ValueParam(name="store", value=location), ValueParam(name="idle-seconds", value="60"),
                         ValueParam(name="absolute-seconds", value="3600"),
                         ValueParam(name="token-seconds", value="600")])
    sessions = SessionStore(container.get_component_instance_of_type(Database), params, clock=clock)
    sessions.start()
    yield sessions
    sessions.stop()
    container.dispose()


def test_a_stored_session_keeps_its_data_until_it_is_ended(store):
    token = store.open("mary", "cookie", {"csrf": "c1"})
    store.save_data(token, {"csrf": "c1", "_flashes": [["message", "IM accounts saved"]]})

    found = store.resolve(token, "cookie")
    store.end(token)
    store.end(token)  # twice (two tabs logging out): no error

    assert (found.user_id, found.data) == ("mary", {"csrf": "c1", "_flashes": [["message", "IM accounts saved"]]})
    assert store.resolve(token, "cookie") is None
    store.save_data(token, {"csrf": "late"})  # a late write (another worker) never brings an ended session back
    assert store.resolve(token, "cookie") is None


def test_the_idle_clock_restarts_at_each_use_of_a_session(store, clock):
    token = store.open("mary", "cookie")
    for _ in range(3):  # used every 50 s for 150 s: more than the idle limit, never idle for it
        clock.advance(50)
        assert store.resolve(token, "cookie") is not None

    clock.advance(61)

    assert store.resolve(token, "cookie") is None


def test_a_session_ends_at_its_absolute_limit_even_in_use(store, clock):
    token = store.open("mary", "cookie")
    while clock.now < dt.datetime(2026, 1, 1, 12, 59):
        clock.advance(50)
        assert store.resolve(token, "cookie") is not None

    clock.advance(70)

    assert store.resolve(token, "cookie") is None


def test_a_bearer_token_lasts_its_lifetime_without_idle_limit_and_is_no_cookie(store, clock):
    token = store.open("john", "bearer")
    clock.advance(599)  # unused for ten minutes but one second: still valid
    assert store.resolve(token, "bearer").user_id == "john"
    assert store.resolve(token, "cookie") is None

    clock.advance(2)

    assert store.resolve(token, "bearer") is None


def test_only_a_digest_of_the_id_is_stored(store):
    token = store.open("mary", "cookie")

    assert store.backend.get(token) is None
    assert store.backend.get(hashlib.sha256(token.encode()).hexdigest()).user_id == "mary"


def test_a_session_store_that_is_neither_database_nor_redis_stops_the_server_naming_the_property(tmp_path):
    with pytest.raises(RuntimeError) as failed:
        Server(tmp_path, properties={"exo.server.session.store": "memcached://localhost"}).start()

    assert "exo.server.session.store" in str(failed.value) and "memcached://localhost" in str(failed.value)
