"""The REST API (docs/rest.md) against a real server; every answer is also checked against the OpenAPI document."""
from __future__ import annotations

import re

import requests

from .harness import REPO, REST, User, user_channel, is_event


def anonymous(server, openapi) -> User:
    return User(server, openapi, "anonymous", login=False)


# --- authentication ----------------------------------------------------------------------


def test_request_without_a_session_is_401(server, openapi):
    response = anonymous(server, openapi).get("/context")

    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHORIZED_ERROR"


def test_wrong_password_is_401(server, openapi):
    response = anonymous(server, openapi).post("/auth/login", json={"username": "mary", "password": "nope"})

    assert response.status_code == 401


def test_missing_login_field_is_a_bad_request_naming_it(server, openapi):
    response = anonymous(server, openapi).post("/auth/login", json={"username": "mary"})

    assert response.status_code == 400
    assert "password" in response.json()["message"]


def test_cookie_state_change_without_csrf_token_is_403(login):
    mary = login("mary")

    response = mary.put("/userstatus", json={"status": "away"}, csrf=False)

    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN_ERROR"


def test_cookie_state_change_with_a_wrong_csrf_token_is_403(login):
    response = login("mary").put("/userstatus", json={"status": "away"}, headers={"X-CSRF-Token": "forged"})

    assert response.status_code == 403


def test_bearer_token_authenticates_without_csrf(server, openapi):
    client = anonymous(server, openapi)
    token = client.post("/auth/token", json={"username": "james", "password": "gtn"}).json()

    response = client.put("/userstatus", json={"status": "donotdisturb"},
                          headers={"Authorization": f"Bearer {token['token']}"})

    assert token["tokenType"] == "Bearer" and token["expiresIn"] > 0
    assert response.status_code == 200
    assert response.json() == {"id": "james", "status": "donotdisturb"}


def test_forged_bearer_token_is_401(server, openapi):
    response = anonymous(server, openapi).get("/context", headers={"Authorization": "Bearer not.a.token"})

    assert response.status_code == 401


def test_logout_ends_the_session(login):
    mary = login("mary")

    assert mary.post("/auth/logout").status_code == 204

    assert mary.get("/context").status_code == 401


def test_login_form_sets_the_session_and_redirects_to_a_local_page(server):
    session = requests.Session()

    response = session.post(f"{server.base}/portal/login", allow_redirects=False, headers={"Origin": server.base},
                            data={"username": "mary", "password": "gtn", "next": "https://evil.example/"})

    assert response.status_code == 303
    assert response.headers["Location"].startswith("/portal/")  # the home page, never the foreign "next"
    page = session.get(f"{server.base}{response.headers['Location']}")
    assert page.status_code == 200
    assert re.search(r'<meta name="csrf-token" content="[^"]+">', page.text)


def test_login_form_with_wrong_password_shows_the_form_again_with_401(server):
    response = requests.post(f"{server.base}/portal/login", data={"username": "mary", "password": "bad"},
                             headers={"Origin": server.base})

    assert response.status_code == 401
    assert 'name="password"' in response.text


# --- identities --------------------------------------------------------------------------


def test_user_info(login):
    response = login("mary").get("/user/john")

    assert response.status_code == 200
    assert (response.json()["id"], response.json()["firstName"]) == ("john", "John")


def test_unknown_user_is_404(login):
    response = login("mary").get("/user/nobody")

    assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND_ERROR")


def test_space_info_for_a_member(login):
    response = login("mary").get("/space/marketing")

    assert response.status_code == 200
    assert "mary" in response.json()["members"]


def test_space_info_for_a_non_member_is_403(login):
    response = login("james").get("/space/marketing")

    assert (response.status_code, response.json()["code"]) == (403, "FORBIDDEN_ERROR")


def test_room_info_creates_an_unknown_room_from_title_and_members(login):
    response = login("alice").get("/room/team-new1", params={"title": "New team", "members": "alice,bob"})

    assert response.status_code == 200
    assert sorted(response.json()["members"]) == ["alice", "bob"]


def test_room_info_for_someone_not_in_the_members_is_403(login):
    response = login("carol").get("/room/team-new2", params={"title": "Not mine", "members": "alice,bob"})

    assert response.status_code == 403


def test_context_carries_the_csrf_token_and_active_providers(login):
    mary = login("mary")

    context = mary.get("/context").json()

    assert context["currentUserId"] == "mary"
    assert context["csrfToken"] == mary.csrf
    assert [p["type"] for p in context["providersConfig"]] == ["signal"]


def test_user_sets_own_status_and_others_read_it(login):
    assert login("paul").put("/userstatus", json={"status": "away"}).status_code == 200

    assert login("bob").get("/userstatus/paul").json() == {"id": "paul", "status": "away"}


def test_invalid_status_is_a_bad_request(login):
    response = login("paul").put("/userstatus", json={"status": "sleeping"})

    assert (response.status_code, response.json()["code"]) == (400, "BAD_REQUEST_ERROR")


# --- calls -------------------------------------------------------------------------------


NEW_PEER_CALL = {"ownerType": "user", "provider": "signal", "title": "Sync", "participants": ["dave", "root"]}


def test_call_created_over_rest_reaches_the_callee_user_channel(login):
    root_tab = login("root").tab()
    assert root_tab.subscribe(user_channel("root"))["type"] == "ack"

    response = login("dave").post("/call/p/dave-root", json=NEW_PEER_CALL)

    assert response.status_code == 200
    assert response.json()["state"] == "started"
    root_tab.message(user_channel("root"), is_event("call_state", "p/dave-root", callState="started"))


def test_call_lifecycle_over_rest(login):
    jack, james = login("jack"), login("james")
    body = {**NEW_PEER_CALL, "participants": "jack;james"}

    assert jack.post("/call/p/jack-james", json=body).status_code == 200
    assert jack.post("/call/p/jack-james", json=body).status_code == 409
    joined = james.put("/usercall/p/jack-james", json={"state": "joined", "clientId": "rest-tab-1"})
    assert {p["id"]: p["state"] for p in joined.json()["participants"]}["james"] == "joined"
    assert jack.get("/call/p/jack-james").json()["id"] == "p/jack-james"
    assert jack.delete("/call/p/jack-james").status_code == 204
    assert jack.get("/call/p/jack-james").status_code == 404


def test_stopping_a_peer_call_over_rest_removes_it(login):
    alice = login("alice")
    assert alice.post("/call/p/alice-peter", json={**NEW_PEER_CALL, "participants": ["alice", "peter"]}).ok

    stopped = alice.put("/call/p/alice-peter", json={"state": "stopped"})

    assert (stopped.status_code, stopped.json()["state"]) == (200, "stopped")
    assert alice.get("/call/p/alice-peter").status_code == 404


def test_a_call_is_hidden_from_non_parties(login):
    assert login("bob").post("/call/p/bob-carol", json={**NEW_PEER_CALL, "participants": ["bob", "carol"]}).ok

    hidden = login("mary").get("/call/p/bob-carol")
    unknown = login("mary").get("/call/p/bob-nobody")

    assert (hidden.status_code, hidden.json()["code"]) == (unknown.status_code, unknown.json()["code"]) == \
        (404, "NOT_FOUND_ERROR")
    assert hidden.json()["message"] == unknown.json()["message"].replace("bob-nobody", "bob-carol")


def test_nobody_places_a_call_for_someone_else(login):
    response = login("mary").post("/call/p/bob-dave", json={**NEW_PEER_CALL, "owner": "bob",
                                                             "participants": ["bob", "dave"]})

    assert response.status_code == 403


def test_bad_call_body_names_the_field(login):
    response = login("mary").post("/call/p/james-mary", json={"ownerType": "user", "provider": "signal"})

    assert response.status_code == 400
    assert "participants" in response.json()["message"]


def test_joining_without_a_client_id_is_a_bad_request(login):
    response = login("mary").put("/usercall/g/marketing", json={"state": "joined"})

    assert response.status_code == 400
    assert "clientId" in response.json()["message"]


def test_user_group_calls_list_the_calls_with_their_state(login):
    peter = login("peter")
    assert peter.post("/call/g/team-5f3a9c1e2b7d4a60", json={
        "owner": "team-5f3a9c1e2b7d4a60", "ownerType": "chat_room", "provider": "signal",
        "participants": ["peter", "bob"]}).ok
    assert peter.put("/usercall/g/team-5f3a9c1e2b7d4a60", json={"state": "joined", "clientId": "tab-9"}).ok

    calls = peter.get("/usercalls").json()

    assert ("g/team-5f3a9c1e2b7d4a60", "started") in [(c["id"], c["state"]) for c in calls]


# --- providers ---------------------------------------------------------------------------


def test_providers_lists_the_active_providers_settings(login):
    providers = login("mary").get("/providers").json()

    assert [(p["type"], p["title"], p["active"]) for p in providers] == [("signal", "Signal", True)]


def test_non_admin_on_admin_endpoints_is_403(login):
    mary = login("mary")

    answers = [mary.get("/providers/configuration"), mary.get("/provider/signal/configuration"),
               mary.post("/provider/signal/configuration", data={"active": "false"}),
               mary.get("/provider/signal/log"), mary.post("/provider/signal/log", json={"enabled": False})]

    assert [(a.status_code, a.json()["code"]) for a in answers] == [(403, "FORBIDDEN_ERROR")] * 5


def test_admin_deactivates_a_provider_with_the_form_field_and_it_leaves_the_providers_list(login):
    root = login("root")

    off = root.post("/provider/signal/configuration", data={"active": "false", "csrfToken": root.csrf}, csrf=False)
    listed = login("mary").get("/providers").json()
    on = root.post("/provider/signal/configuration", json={"active": True})

    assert off.json()["active"] is False
    assert listed == []
    assert on.json()["active"] is True


def test_admin_reads_and_writes_provider_settings(login):
    john = login("john")

    before = john.get("/provider/signal/configuration").json()
    after = john.post("/provider/signal/configuration", json={"room-prefix": "acme-"}).json()
    bad = john.post("/provider/signal/configuration", json={"room-prefix": ""})

    assert before["room-prefix"] == "wc-"
    assert after["room-prefix"] == "acme-"
    assert john.get("/providers/configuration").json()[0]["room-prefix"] == "acme-"
    assert bad.status_code == 400


def test_admin_switches_the_remote_log(login):
    root = login("root")

    off = root.post("/provider/signal/log", data={"enabled": "false"})
    state = root.get("/provider/signal/log").json()
    on = root.post("/provider/signal/log", json={"enabled": True})

    assert off.json() == {"type": "signal", "logEnabled": False}
    assert state["logEnabled"] is False
    assert on.json()["logEnabled"] is True


def test_unknown_provider_is_404(login):
    assert login("root").get("/provider/skype/configuration").status_code == 404


# --- contract ----------------------------------------------------------------------------


def _documented_endpoints() -> set[tuple[str, str]]:
    """(METHOD, path) of every row of docs/rest.md's REST table, parameters written ``{}``."""
    text = (REPO / "docs" / "rest.md").read_text()
    rows = re.findall(r"^\| (GET|POST|PUT|DELETE) \| `([^`/][^`]*)` \|", text, flags=re.M)
    return {(method, "/" + re.sub(r"\{[^}]*\}", "{}", path)) for method, path in rows}


def test_openapi_document_is_public_and_matches_the_rest_table_both_ways(server):
    document = requests.get(f"{server.base}{REST}/openapi.json").json()
    declared = {(method.upper(), re.sub(r"\{[^}]*\}", "{}", path))
                for path, item in document["paths"].items() for method in item if method != "parameters"}

    assert document["openapi"].startswith("3.")
    assert declared - _documented_endpoints() == set(), "in openapi.json, not in docs/rest.md"
    assert _documented_endpoints() - declared == set(), "in docs/rest.md, not in openapi.json"


def test_unknown_rest_path_is_a_json_404(login, server):
    response = login("mary").http.get(f"{server.base}{REST}/nothing/here", timeout=5)

    assert (response.status_code, response.json()["code"]) == (404, "NOT_FOUND_ERROR")
