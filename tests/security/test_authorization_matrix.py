"""Who may do what: every HTTP route and every websocket command, tried as an anonymous visitor, a signed-in
outsider, a party of the call (or the owner of the thing) and an administrator who is not a party.

The route list is read from the application itself, so a new route that is not in :data:`ROUTES` fails
:func:`test_every_route_of_the_application_is_in_the_matrix` until someone decides who may use it. The same holds for
websocket remote commands (:data:`webconferencing.web.ws.REMOTE_COMMANDS`).

Roles: ``bob`` is the party (he places the calls, is in the rooms), ``mary`` an outsider (a plain user, not in any
of it), ``john`` an administrator who is not a party either. Non-parties must learn nothing about a call: they get
exactly the answer of a call that does not exist.
"""
from __future__ import annotations

import itertools
import json
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest
import requests
import websocket

from tests.web.harness import REST, OpenApi, Server, User

REPO = Path(__file__).resolve().parents[2]
ANONYMOUS, OUTSIDER, PARTY, ADMIN = "anonymous", "outsider", "party", "admin"
ROLES = (ANONYMOUS, OUTSIDER, PARTY, ADMIN)
USERS = {OUTSIDER: "mary", PARTY: "bob", ADMIN: "john"}
_counter = itertools.count()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("matrix"), args=["--extensions", str(REPO / "extensions")]).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def openapi(server) -> OpenApi:
    return OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json())


@pytest.fixture(scope="module")
def users(server, openapi) -> dict[str, User]:
    return {role: User(server, openapi, user_id) for role, user_id in USERS.items()}


@dataclass
class World:
    """What one case acts on, made fresh by the party: a chat room of bob and carol, its running group call with
    bob joined, and bob's 1:1 call with carol."""

    server: Server
    party: User
    room: str = field(default_factory=lambda: f"mx-{next(_counter)}-{secrets.token_hex(3)}")

    @property
    def call(self) -> str:
        return f"g/{self.room}"

    def build(self) -> "World":
        assert self.party.get(f"/room/{self.room}", params={"title": "Matrix", "members": "bob,carol"}).ok
        assert self.party.post(f"/call/{self.call}", json={"ownerType": "chat_room", "owner": self.room,
                                                            "provider": "myconnector",
                                                            "participants": ["bob", "carol"]}).ok
        assert self.party.put(f"/usercall/{self.call}", json={"state": "joined", "clientId": "bob-" + self.room}).ok
        return self


@dataclass(frozen=True)
class Route:
    method: str
    rule: str
    target: Callable[[World], str]        # the concrete path, made from the world
    expected: dict[str, int | tuple[int, ...]]  # role -> status(es)
    body: Callable[[World, str], dict] | None = None  # (world, requesting user id) -> body
    form: bool = False


def _rest(rule: str) -> str:
    return REST + rule


NOT_FOUND = 404
ROUTES: list[Route] = [
    # ---- portal pages ----
    *[Route("GET", rule, lambda w, r=rule: r, {ANONYMOUS: (302, 303), OUTSIDER: 200, PARTY: 200, ADMIN: 200})
      for rule in ("/portal/people", "/portal/rooms", "/portal/spaces", "/portal/calls")],  # calls: issue 11
    *[Route("GET", rule, lambda w, r=rule: r, {ANONYMOUS: (302, 303), OUTSIDER: (200, 302, 303),
                                                PARTY: (200, 302, 303), ADMIN: (200, 302, 303)})
      for rule in ("/", "/portal", "/portal/")],
    Route("GET", "/portal/admin", lambda w: "/portal/admin", {ANONYMOUS: (302, 303), OUTSIDER: 403, PARTY: 403,
                                                              ADMIN: 200}),
    Route("GET", "/portal/profile/<user_id>", lambda w: "/portal/profile/bob",
          {ANONYMOUS: (302, 303), OUTSIDER: 200, PARTY: 200, ADMIN: 200}),
    Route("POST", "/portal/profile/<user_id>/ims", lambda w: "/portal/profile/bob/ims",
          {ANONYMOUS: (302, 303, 401, 403), OUTSIDER: 403, PARTY: (200, 302, 303), ADMIN: 403},
          body=lambda w, u: {"im_myconnector": "bob.matrix"}, form=True),
    Route("POST", "/portal/profile/<user_id>/language", lambda w: "/portal/profile/bob/language",  # issue 11
          {ANONYMOUS: (302, 303, 401, 403), OUTSIDER: 403, PARTY: (200, 302, 303), ADMIN: 403},
          body=lambda w, u: {"language": "fr"}, form=True),
    Route("GET", "/portal/rooms/<room_id>", lambda w: f"/portal/rooms/{w.room}",
          {ANONYMOUS: (302, 303), OUTSIDER: (403, 404), PARTY: 200, ADMIN: (403, 404)}),
    Route("GET", "/portal/spaces/<pretty_name>", lambda w: "/portal/spaces/product_team",  # bob is not in it
          {ANONYMOUS: (302, 303), OUTSIDER: 200, PARTY: 200, ADMIN: 200}),  # shown, without calls, to non-members
    Route("GET", "/portal/login", lambda w: "/portal/login", {role: 200 for role in ROLES}),
    Route("POST", "/portal/login", lambda w: "/portal/login", {role: 401 for role in ROLES},
          body=lambda w, u: {"username": "nobody-" + w.room, "password": "wrong"}, form=True),
    Route("POST", "/portal/logout", lambda w: "/portal/logout",
          {ANONYMOUS: (303, 403), OUTSIDER: (303, 403), PARTY: (303, 403), ADMIN: (303, 403)}, form=True),
    Route("POST", "/csp-report", lambda w: "/csp-report", {role: (204, 400) for role in ROLES},
          body=lambda w, u: {"csp-report": {"violated-directive": "script-src"}}),
    Route("GET", "/static/<path:filename>", lambda w: "/static/js/webconferencing/api.js", {role: 200 for role in ROLES}),
    Route("GET", "/extensions/<extension>/<path:path>", lambda w: "/extensions/myconnector/js/myconnector-call.js",
          {role: (200, 404) for role in ROLES}),
    Route("GET", "/webconferencing/ws", lambda w: "/webconferencing/ws",
          {ANONYMOUS: (400, 401), OUTSIDER: (400, 426), PARTY: (400, 426), ADMIN: (400, 426)}),  # not an upgrade
    # ---- connector pages ----
    Route("GET", "/myconnector/call/<path:call_id>", lambda w: f"/myconnector/call/{w.call}",
          {ANONYMOUS: (302, 303), OUTSIDER: NOT_FOUND, PARTY: 200, ADMIN: NOT_FOUND}),
    Route("GET", "/myconnector/settings", lambda w: "/myconnector/settings",
          {ANONYMOUS: (302, 303, 401), OUTSIDER: 403, PARTY: 403, ADMIN: 200}),
    # ---- REST: session ----
    Route("POST", _rest("/auth/login"), lambda w: _rest("/auth/login"), {role: 401 for role in ROLES},
          body=lambda w, u: {"username": "nobody-" + w.room, "password": "wrong"}),
    Route("POST", _rest("/auth/token"), lambda w: _rest("/auth/token"), {role: 401 for role in ROLES},
          body=lambda w, u: {"username": "nobody-" + w.room, "password": "wrong"}),
    Route("POST", _rest("/auth/logout"), lambda w: _rest("/auth/logout"),
          {ANONYMOUS: (200, 204, 401), OUTSIDER: (200, 204), PARTY: (200, 204), ADMIN: (200, 204)}),
    Route("GET", _rest("/openapi.json"), lambda w: _rest("/openapi.json"), {role: 200 for role in ROLES}),
    # ---- REST: identities ----
    Route("GET", _rest("/user/<user_id>"), lambda w: _rest("/user/carol"),
          {ANONYMOUS: 401, OUTSIDER: 200, PARTY: 200, ADMIN: 200}),
    Route("GET", _rest("/space/<space_name>"), lambda w: _rest("/space/product_team"),
          {ANONYMOUS: 401, OUTSIDER: 200, PARTY: (403, 404), ADMIN: 200}),
    Route("GET", _rest("/room/<room_id>"), lambda w: _rest(f"/room/{w.room}"),
          {ANONYMOUS: 401, OUTSIDER: (403, 404), PARTY: 200, ADMIN: (403, 404)}),
    Route("GET", _rest("/context"), lambda w: _rest("/context"),
          {ANONYMOUS: 401, OUTSIDER: 200, PARTY: 200, ADMIN: 200}),
    Route("GET", _rest("/userstatus/<user_id>"), lambda w: _rest("/userstatus/carol"),
          {ANONYMOUS: 401, OUTSIDER: 200, PARTY: 200, ADMIN: 200}),
    Route("PUT", _rest("/userstatus"), lambda w: _rest("/userstatus"),
          {ANONYMOUS: 401, OUTSIDER: 200, PARTY: 200, ADMIN: 200}, body=lambda w, u: {"status": "available"}),
    # ---- REST: calls ----
    Route("GET", _rest("/call/<path:call_id>"), lambda w: _rest(f"/call/{w.call}"),
          {ANONYMOUS: 401, OUTSIDER: NOT_FOUND, PARTY: 200, ADMIN: NOT_FOUND}),
    Route("POST", _rest("/call/<path:call_id>"), lambda w: _rest(f"/call/g/{w.room}/again"),
          {ANONYMOUS: 401, OUTSIDER: NOT_FOUND, PARTY: 200, ADMIN: NOT_FOUND},
          body=lambda w, u: {"ownerType": "chat_room", "owner": w.room, "provider": "signal",
                             "participants": list(dict.fromkeys(["bob", "carol", u]))}),
    Route("PUT", _rest("/call/<path:call_id>"), lambda w: _rest(f"/call/{w.call}"),
          {ANONYMOUS: 401, OUTSIDER: NOT_FOUND, PARTY: 200, ADMIN: NOT_FOUND}, body=lambda w, u: {"state": "stopped"}),
    Route("DELETE", _rest("/call/<path:call_id>"), lambda w: _rest(f"/call/{w.call}"),
          {ANONYMOUS: 401, OUTSIDER: NOT_FOUND, PARTY: 204, ADMIN: NOT_FOUND}),
    Route("PUT", _rest("/usercall/<path:call_id>"), lambda w: _rest(f"/usercall/{w.call}"),
          {ANONYMOUS: 401, OUTSIDER: NOT_FOUND, PARTY: 200, ADMIN: NOT_FOUND},
          body=lambda w, u: {"state": "joined", "clientId": "tab-" + w.room}),
    Route("GET", _rest("/usercalls"), lambda w: _rest("/usercalls"),
          {ANONYMOUS: 401, OUTSIDER: 200, PARTY: 200, ADMIN: 200}),
    Route("GET", _rest("/history"), lambda w: _rest("/history?limit=5"),  # issue 11: one's own calls only
          {ANONYMOUS: 401, OUTSIDER: 200, PARTY: 200, ADMIN: 200}),
    Route("GET", _rest("/history/missed"), lambda w: _rest("/history/missed"),  # the badge's count: one's own
          {ANONYMOUS: 401, OUTSIDER: 200, PARTY: 200, ADMIN: 200}),
    # ---- REST: providers ----
    Route("GET", _rest("/providers"), lambda w: _rest("/providers"),
          {ANONYMOUS: 401, OUTSIDER: 200, PARTY: 200, ADMIN: 200}),
    Route("GET", _rest("/providers/configuration"), lambda w: _rest("/providers/configuration"),
          {ANONYMOUS: 401, OUTSIDER: 403, PARTY: 403, ADMIN: 200}),
    Route("GET", _rest("/provider/<provider_type>/configuration"), lambda w: _rest("/provider/signal/configuration"),
          {ANONYMOUS: 401, OUTSIDER: 403, PARTY: 403, ADMIN: 200}),
    Route("POST", _rest("/provider/<provider_type>/configuration"),
          lambda w: _rest("/provider/signal/configuration"),
          {ANONYMOUS: 401, OUTSIDER: 403, PARTY: 403, ADMIN: 200}, body=lambda w, u: {"active": True}),
    Route("GET", _rest("/provider/<provider_type>/log"), lambda w: _rest("/provider/signal/log"),
          {ANONYMOUS: 401, OUTSIDER: 403, PARTY: 403, ADMIN: 200}),
    Route("POST", _rest("/provider/<provider_type>/log"), lambda w: _rest("/provider/signal/log"),
          {ANONYMOUS: 401, OUTSIDER: 403, PARTY: 403, ADMIN: 200}, body=lambda w, u: {"enabled": True}),
    Route("GET", _rest("/webrtc/iceservers"), lambda w: _rest("/webrtc/iceservers"),
          {ANONYMOUS: 401, OUTSIDER: (200, 404), PARTY: (200, 404), ADMIN: (200, 404)}),
    # ---- issue 12: per-space settings (product_team: mary a plain member, bob not in it, john its manager) ----
    Route("GET", _rest("/<space_id>/providers"), lambda w: _rest("/product_team/providers"),
          {ANONYMOUS: 401, OUTSIDER: 200, PARTY: 403, ADMIN: 200}),
    Route("POST", _rest("/provider"), lambda w: _rest("/provider?spaceId=product_team"),
          {ANONYMOUS: 401, OUTSIDER: 403, PARTY: 403, ADMIN: 200},
          body=lambda w, u: {"connectorId": "mx", "name": "Matrix room", "url": "https://meet.example/mx"}),
    Route("DELETE", _rest("/provider"), lambda w: _rest(f"/provider?spaceId=product_team&connectorId={w.room}"),
          {ANONYMOUS: 401, OUTSIDER: 403, PARTY: 403, ADMIN: 404}),
    Route("POST", _rest("/updateVideoConferenceEnabled"),
          lambda w: _rest("/updateVideoConferenceEnabled?spaceId=product_team&enabled=true"),
          {ANONYMOUS: 401, OUTSIDER: 403, PARTY: 403, ADMIN: 200}),
    Route("GET", _rest("/isVideoConferenceEnabled"), lambda w: _rest("/isVideoConferenceEnabled?spaceId=product_team"),
          {ANONYMOUS: 401, OUTSIDER: 200, PARTY: 403, ADMIN: 200}),
    # ---- issue 12: invites and guests (a wrong invitation id admits nobody, whoever asks) ----
    Route("GET", _rest("/invites/<path:call_id>"), lambda w: _rest(f"/invites/{w.call}"),
          {ANONYMOUS: 401, OUTSIDER: NOT_FOUND, PARTY: 200, ADMIN: NOT_FOUND}),
    Route("PUT", _rest("/invites/<path:call_id>"), lambda w: _rest(f"/invites/{w.call}"),
          {ANONYMOUS: 401, OUTSIDER: NOT_FOUND, PARTY: 200, ADMIN: NOT_FOUND},
          body=lambda w, u: {"invites": [{"id": "dave", "type": "user"}]}),
    Route("POST", _rest("/revokeinvite/<path:call_id>"), lambda w: _rest(f"/revokeinvite/{w.call}"),
          {ANONYMOUS: 401, OUTSIDER: NOT_FOUND, PARTY: 200, ADMIN: NOT_FOUND}),
    Route("GET", _rest("/checkinvite/<path:call_id>"), lambda w: _rest(f"/checkinvite/{w.call}?inviteId=wrong"),
          {ANONYMOUS: 401, OUTSIDER: 200, PARTY: 200, ADMIN: 200}),
    Route("POST", _rest("/acceptinvite/<path:call_id>"), lambda w: _rest(f"/acceptinvite/{w.call}"),
          {ANONYMOUS: 401, OUTSIDER: 403, PARTY: 403, ADMIN: 403}, body=lambda w, u: {"inviteId": "wrong"}),
    Route("GET", _rest("/orgidentities"), lambda w: _rest("/orgidentities?name=car"),
          {ANONYMOUS: 401, OUTSIDER: 200, PARTY: 200, ADMIN: 200}),
    Route("POST", _rest("/guest/<path:call_id>"), lambda w: _rest(f"/guest/{w.call}"),
          {role: NOT_FOUND for role in ROLES}, body=lambda w, u: {"inviteId": "wrong", "displayName": "Probe"}),
    Route("GET", "/portal/call/<path:call_id>", lambda w: f"/portal/call/{w.call}",
          {ANONYMOUS: (302, 303), OUTSIDER: NOT_FOUND, PARTY: 200, ADMIN: NOT_FOUND}),
    Route("POST", "/portal/guest/<path:call_id>", lambda w: f"/portal/guest/{w.call}",
          {role: NOT_FOUND for role in ROLES}, body=lambda w, u: {"inviteId": "wrong", "displayName": "Probe"},
          form=True),
]
ROUTE_KEYS = {(r.method, r.rule) for r in ROUTES}

# Routes that need no session by design, and what they are for.
OPERATIONS_RULES = ("/metrics", "/health/live", "/health/ready")


def _app_routes() -> set[tuple[str, str]]:
    """The routes of an application built from the repository's configuration (no server needed to list them)."""
    import tempfile

    from exo_container.boot import boot
    from webconferencing.web.app import create_app

    data = Path(tempfile.mkdtemp())
    container = boot(REPO / "configuration.xml",
                     system_properties={"webconferencing.db.url": f"sqlite:///{data / 'routes.db'}",
                                        "exo.data.dir": str(data),
                                        "webconferencing.identity.password.hash": "pbkdf2:sha256:1000"},
                     extensions_dirs=[REPO / "extensions", REPO / "tests" / "web" / "fixtures" / "extensions"])
    try:
        app = create_app(container)
        return {(method, rule.rule) for rule in app.url_map.iter_rules()
                for method in rule.methods - {"HEAD", "OPTIONS"}}
    finally:
        container.stop() if hasattr(container, "stop") else None


def test_every_route_of_the_application_is_in_the_matrix():
    routes = {key for key in _app_routes() if key[1] not in OPERATIONS_RULES}
    assert routes - ROUTE_KEYS == set(), "routes nobody decided the access of"
    assert ROUTE_KEYS - routes == set(), "matrix entries for routes that no longer exist"


def _client(role: str, users: dict[str, User]) -> requests.Session:
    return requests.Session() if role == ANONYMOUS else users[role].http


def _send(route: Route, role: str, world: World, users: dict[str, User]) -> requests.Response:
    http = _client(role, users)
    headers = {"Origin": world.server.base}
    if role != ANONYMOUS and users[role].csrf:
        headers["X-CSRF-Token"] = users[role].csrf
    body = route.body(world, USERS.get(role, "anonymous")) if route.body else None
    kwargs: dict = {"headers": headers, "allow_redirects": False, "timeout": 5}
    if body is not None:
        if route.form:
            kwargs["data"] = {**body, "csrfToken": users[role].csrf if role != ANONYMOUS else ""}
        else:
            kwargs["json"] = body
    elif route.form:
        kwargs["data"] = {"csrfToken": users[role].csrf if role != ANONYMOUS else ""}
    return http.request(route.method, world.server.base + route.target(world), **kwargs)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", [r for r in ROUTES if "logout" not in r.rule],
                         ids=lambda r: f"{r.method} {r.rule}")
def test_route_answers_each_role_as_the_matrix_says(route, role, server, users):
    world = World(server, users[PARTY]).build()
    expected = route.expected[role]
    response = _send(route, role, world, users)
    assert response.status_code in (expected if isinstance(expected, tuple) else (expected,)), \
        f"{route.method} {route.target(world)} as {role}: {response.status_code} {response.text[:300]}"


@pytest.mark.parametrize("role", [OUTSIDER, ADMIN])
@pytest.mark.parametrize("method, path, body", [
    ("GET", "/call/{call}", None),
    ("PUT", "/call/{call}", {"state": "stopped"}),
    ("PUT", "/call/{call}", {"state": "joined", "clientId": "probe-tab-1"}),
    ("PUT", "/usercall/{call}", {"state": "leaved", "clientId": "probe-tab-1"}),
    ("DELETE", "/call/{call}", None),
])
def test_a_hidden_call_answers_exactly_as_a_call_that_does_not_exist(method, path, body, role, server, users):
    world = World(server, users[PARTY]).build()
    user = users[role]
    hidden = user.request(method, path.format(call=world.call), json=body)
    unknown = user.request(method, path.format(call=f"g/{world.room}-nothing"), json=body)
    assert hidden.status_code == unknown.status_code
    assert hidden.text.replace(world.call, "<id>") == unknown.text.replace(f"g/{world.room}-nothing", "<id>")
    call = users[PARTY].get(f"/call/{world.call}").json()
    assert call["state"] == "started" and [p["state"] for p in call["participants"]] == ["joined", None]


def test_a_call_shows_other_participants_client_ids_to_nobody(server, users):
    world = World(server, users[PARTY]).build()
    carol = User(server, users[PARTY].openapi, "carol")
    assert carol.put(f"/usercall/{world.call}", json={"state": "joined", "clientId": "carol-tab-" + world.room}).ok
    seen_by_bob = {p["id"]: p["clientId"] for p in users[PARTY].get(f"/call/{world.call}").json()["participants"]}
    assert seen_by_bob == {"bob": "bob-" + world.room, "carol": None}


# ---- websocket commands ----

WS_CASES: dict[str, dict] = {
    "get": {"args": lambda w, u: {"callId": w.call},
            OUTSIDER: "NOT_FOUND_ERROR", PARTY: None, ADMIN: "NOT_FOUND_ERROR"},
    # everyone gets a result: the call for a party, null for anyone else (as for a call that does not exist, below)
    "find": {"args": lambda w, u: {"callId": w.call}, OUTSIDER: None, PARTY: None, ADMIN: None},
    "create": {"args": lambda w, u: {"callId": f"g/{w.room}/ws", "ownerType": "chat_room", "owner": w.room,
                                     "provider": "signal", "participants": list(dict.fromkeys(["bob", "carol", u]))},
               OUTSIDER: "NOT_FOUND_ERROR", PARTY: None, ADMIN: "NOT_FOUND_ERROR"},
    "update": {"args": lambda w, u: {"callId": w.call, "state": "joined"},
               OUTSIDER: "NOT_FOUND_ERROR", PARTY: None, ADMIN: "NOT_FOUND_ERROR"},
    "delete": {"args": lambda w, u: {"callId": w.call},
               OUTSIDER: "NOT_FOUND_ERROR", PARTY: None, ADMIN: "NOT_FOUND_ERROR"},
    "get_calls_state": {"args": lambda w, u: {}, OUTSIDER: None, PARTY: None, ADMIN: None},
    "get_ringing_calls": {"args": lambda w, u: {}, OUTSIDER: None, PARTY: None, ADMIN: None},  # one's own only
    # issue 12
    "get_invites": {"args": lambda w, u: {"callId": w.call},
                    OUTSIDER: "NOT_FOUND_ERROR", PARTY: None, ADMIN: "NOT_FOUND_ERROR"},
    "update_invites": {"args": lambda w, u: {"callId": w.call, "invites": [{"id": "*"}]},
                       OUTSIDER: "NOT_FOUND_ERROR", PARTY: None, ADMIN: "NOT_FOUND_ERROR"},
    "revoke_invite": {"args": lambda w, u: {"callId": w.call},
                      OUTSIDER: "NOT_FOUND_ERROR", PARTY: None, ADMIN: "NOT_FOUND_ERROR"},
    "check_invite": {"args": lambda w, u: {"callId": w.call, "inviteId": "wrong"},
                     OUTSIDER: None, PARTY: None, ADMIN: None},
    "accept_invite": {"args": lambda w, u: {"callId": w.call, "inviteId": "wrong"},
                      OUTSIDER: "ACCESS_ERROR", PARTY: "ACCESS_ERROR", ADMIN: "ACCESS_ERROR"},
    "get_org_identities": {"args": lambda w, u: {"name": "car"}, OUTSIDER: None, PARTY: None, ADMIN: None},
}


def test_every_websocket_command_is_in_the_matrix():
    from webconferencing.web.ws import REMOTE_COMMANDS

    assert set(REMOTE_COMMANDS) == set(WS_CASES)


@pytest.mark.parametrize("role", [OUTSIDER, PARTY, ADMIN])
@pytest.mark.parametrize("command", sorted(WS_CASES))
def test_websocket_command_answers_each_role_as_the_matrix_says(command, role, server, users):
    world = World(server, users[PARTY]).build()
    tab = users[role].tab()
    try:
        answer = tab.request({"type": "call", "command": command, **WS_CASES[command]["args"](world, USERS[role])})
    finally:
        tab.close()
    expected = WS_CASES[command][role]
    if expected is None:
        assert answer["type"] == "result", answer
    else:
        assert (answer["type"], answer.get("code")) == ("error", expected), answer


@pytest.mark.parametrize("role", [OUTSIDER, ADMIN])
def test_find_answers_a_hidden_call_exactly_as_a_call_that_does_not_exist(role, server, users):
    world = World(server, users[PARTY]).build()
    tab = users[role].tab()
    try:
        hidden = tab.request({"type": "call", "command": "find", "callId": world.call})
        unknown = tab.request({"type": "call", "command": "find", "callId": f"g/{world.room}-nothing"})
    finally:
        tab.close()
    assert {k: v for k, v in hidden.items() if k != "id"} == {k: v for k, v in unknown.items() if k != "id"} \
        == {"type": "result", "data": None}


def test_find_answers_a_one_to_one_call_of_two_others_exactly_as_one_that_does_not_exist(server, users):
    # 1:1 ids are guessable (p/<a>-<b>, sorted): find must not tell an outsider whether bob and carol are talking
    party, outsider = users[PARTY], users[OUTSIDER]
    created = party.post("/call/p/bob-carol", json={"ownerType": "user", "owner": "bob", "provider": "signal",
                                                     "participants": ["bob", "carol"]})
    assert created.ok, created.text
    tab = outsider.tab()
    try:
        hidden = tab.request({"type": "call", "command": "find", "callId": "p/bob-carol"})
        unknown = tab.request({"type": "call", "command": "find", "callId": "p/bob-dave"})
    finally:
        tab.close()
        assert party.delete("/call/p/bob-carol").status_code == 204
    assert {k: v for k, v in hidden.items() if k != "id"} == {k: v for k, v in unknown.items() if k != "id"} \
        == {"type": "result", "data": None}


@pytest.mark.parametrize("command", ["find", "get"])
def test_a_guest_hears_of_another_call_exactly_as_of_one_that_does_not_exist(command, server, openapi, users):
    # an anonymous visitor with one call's link asks about the other calls of the same people
    party = users[PARTY]
    world = World(server, party).build()
    room = f"{world.room}-guests"
    assert party.get(f"/room/{room}", params={"title": "Guests", "members": "bob,carol"}).ok
    guests_call = f"g/{room}"
    assert party.post(f"/call/{guests_call}", json={"ownerType": "chat_room", "owner": room, "provider": "webrtc",
                                                     "participants": ["bob", "carol"]}).ok
    invitation = party.put(f"/invites/{guests_call}", json={"invites": [{"id": "*", "type": "group"}]})
    guest = User(server, openapi, "guest", login=False)
    admitted = guest.post(f"/guest/{guests_call}", json={"inviteId": invitation.json()["invitation"]["invitationId"],
                                                         "displayName": "Probe"})
    assert admitted.ok, admitted.text
    guest.csrf = admitted.json()["csrfToken"]
    tab = guest.tab()
    try:
        other = tab.request({"type": "call", "command": command, "callId": world.call})
        unknown = tab.request({"type": "call", "command": command, "callId": f"g/{world.room}-nothing"})
    finally:
        tab.close()
    assert other["type"] == "error"
    assert json.dumps({k: v for k, v in other.items() if k != "id"}).replace(world.call, "<id>") == \
        json.dumps({k: v for k, v in unknown.items() if k != "id"}).replace(f"g/{world.room}-nothing", "<id>")


def test_find_answers_a_party_with_the_call(server, users):
    world = World(server, users[PARTY]).build()
    tab = users[PARTY].tab()
    try:
        found = tab.request({"type": "call", "command": "find", "callId": world.call})
    finally:
        tab.close()
    assert (found["type"], found["data"]["id"], found["data"]["state"]) == ("result", world.call, "started")


def test_an_anonymous_websocket_upgrade_is_refused(server):
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(server.ws_url, timeout=5)
    assert refused.value.status_code == 401


@pytest.mark.parametrize("role", [OUTSIDER, ADMIN])
def test_only_parties_subscribe_to_or_publish_on_a_call_channel(role, server, users):
    world = World(server, users[PARTY]).build()
    tab = users[role].tab()
    try:
        subscribed = tab.request({"type": "subscribe", "channel": f"/webconferencing/call/{world.call}"})
        published = tab.request({"type": "publish", "channel": f"/webconferencing/call/{world.call}",
                                 "data": {"probe": 1}})
    finally:
        tab.close()
    assert (subscribed["type"], subscribed.get("code")) == ("error", "ACCESS_ERROR")
    assert (published["type"], published.get("code")) == ("error", "ACCESS_ERROR")


@pytest.mark.parametrize("role", [OUTSIDER, ADMIN])
def test_nobody_subscribes_to_another_users_channel(role, server, users):
    tab = users[role].tab()
    try:
        answer = tab.request({"type": "subscribe", "channel": "/webconferencing/user/bob"})
    finally:
        tab.close()
    assert (answer["type"], answer.get("code")) == ("error", "ACCESS_ERROR")

