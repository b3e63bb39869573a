"""Bad input at the edges (issue 9, "Input limits and abuse"): deeply nested JSON and titles, names and ids that are
too long or hold control characters get a 400 naming the field (an error frame on the websocket), never a 500 with a
traceback, and the same on SQLite and PostgreSQL. The limits are :mod:`webconferencing.limits`."""
from __future__ import annotations

import json
import socket

import pytest
import requests

from tests.web.harness import PASSWORD, REPO, REST, OpenApi, Server, User
from webconferencing.limits import MAX_CLIENT_ID_LENGTH, MAX_ID_LENGTH, MAX_PARTICIPANTS, MAX_TITLE_LENGTH

DEEP = "[" * 100_000  # CPython's parser raises RecursionError near 1000 levels
SPACE_CALL = "g/product_team"  # members: john, mary, james, jack, peter, alice
IM_CONNECTOR = REPO / "tests" / "e2e" / "fixtures" / "extensions"  # its testconnector registers the IM type testcall


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(request, tmp_path_factory):
    """One real exo-server per backend: every rule here must hold the same on both databases."""
    properties = {}
    if request.param == "postgresql":
        postgres = request.getfixturevalue("postgres_server")
        url = postgres.create_database()
        request.addfinalizer(lambda: postgres.drop_database(url))
        properties["webconferencing.db.url"] = url
    srv = Server(tmp_path_factory.mktemp(f"server-{request.param}"), properties=properties,
                 args=["--extensions", str(IM_CONNECTOR)]).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def openapi(server) -> OpenApi:
    return OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json())


@pytest.fixture
def john(server, openapi) -> User:
    return User(server, openapi, "john")


def space_call(**fields) -> dict:
    return {"owner": "product_team", "ownerType": "space", "provider": "signal", "participants": ["john", "mary"],
            **fields}


def assert_bad_request(response: requests.Response, field: str | None = None) -> dict:
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["code"] == "BAD_REQUEST_ERROR", body
    if field is not None:
        assert f"'{field}'" in body["message"], body
    return body


def assert_no_traceback(server: Server) -> None:
    assert "Traceback" not in server.log(), server.log()[-3000:]


# --- deeply nested JSON --------------------------------------------------------------------


def test_deeply_nested_json_to_a_call_resource_is_a_400(server, john):
    response = john.post(f"/call/{SPACE_CALL}/deep", data=DEEP, headers={"Content-Type": "application/json"})

    assert "nested deeper than" in assert_bad_request(response)["message"]
    assert_no_traceback(server)


def test_deeply_nested_json_to_the_anonymous_json_login_is_a_400(server, openapi):
    anonymous = User(server, openapi, "nobody", login=False)

    response = anonymous.post("/auth/login", data=DEEP, headers={"Content-Type": "application/json"})

    assert_bad_request(response)
    assert_no_traceback(server)


def test_deeply_nested_json_to_the_token_request_is_a_400(server, openapi):
    anonymous = User(server, openapi, "nobody", login=False)

    response = anonymous.post("/auth/token", data=DEEP, headers={"Content-Type": "application/json"})

    assert_bad_request(response)
    assert_no_traceback(server)


def test_deeply_nested_json_posted_to_the_login_form_is_a_400_page(server):
    response = requests.post(f"{server.base}/portal/login", data=DEEP, allow_redirects=False, timeout=5,
                             headers={"Content-Type": "application/json", "Origin": server.base})

    assert response.status_code == 400, response.text
    assert_no_traceback(server)


def test_a_deeply_nested_websocket_frame_gets_a_client_error_frame_and_the_socket_goes_on(server, john):
    tab = john.tab()
    tab.send('{"type": "ping", "id": "deep", "data": ' + "[" * 50_000)

    error = tab.wait_for(lambda frame: frame.get("type") == "error")

    assert error["code"] == "CLIENT_ERROR" and "nested deeper than" in error["message"], error
    assert tab.subscribe("/webconferencing/user/john")["type"] == "ack"
    tab.close()
    assert_no_traceback(server)


def test_deeply_nested_json_to_the_anonymous_csp_report_endpoint_is_a_400(server):
    response = requests.post(f"{server.base}/csp-report", data=DEEP, timeout=5,
                             headers={"Content-Type": "application/csp-report"})

    assert response.status_code == 400
    assert_no_traceback(server)


def test_json_nested_within_the_limit_is_still_parsed(server, john):
    response = john.post(f"/call/{SPACE_CALL}/nested", json=space_call(extra=[[[[{"a": [1]}]]]]))

    assert response.status_code == 200, response.text
    john.delete(f"/call/{SPACE_CALL}/nested")


# --- titles, names and ids: the same on SQLite and PostgreSQL ---------------------------------


def test_a_call_title_longer_than_the_limit_is_refused_naming_the_title(server, john):
    response = john.post(f"/call/{SPACE_CALL}/long", json=space_call(title="x" * (MAX_TITLE_LENGTH + 1)))

    assert_bad_request(response, "title")
    assert john.get(f"/call/{SPACE_CALL}/long").status_code == 404  # nothing stored


def test_a_call_title_of_exactly_the_limit_is_stored_whole(server, john):
    title = "é" * MAX_TITLE_LENGTH  # characters, not bytes: 510 bytes of UTF-8

    created = john.post(f"/call/{SPACE_CALL}/full", json=space_call(title=title))

    assert created.status_code == 200, created.text
    assert john.get(f"/call/{SPACE_CALL}/full").json()["title"] == title
    john.delete(f"/call/{SPACE_CALL}/full")


def test_a_call_title_with_a_nul_is_refused_naming_the_title(server, john):
    response = john.post(f"/call/{SPACE_CALL}/nul", json=space_call(title="Weekly\x00"))

    assert_bad_request(response, "title")
    assert_no_traceback(server)


def test_a_call_title_with_a_line_break_is_refused_naming_the_title(server, john):
    assert_bad_request(john.post(f"/call/{SPACE_CALL}/lf", json=space_call(title="Weekly\nFAKE LOG LINE")), "title")


def test_a_websocket_create_with_an_overlong_title_gets_an_error_frame_naming_the_title(server, john):
    tab = john.tab()

    answer = tab.call("create", callId=f"{SPACE_CALL}/ws-long", **space_call(title="x" * (MAX_TITLE_LENGTH + 1)))

    assert answer["type"] == "error" and answer["code"] == "BAD_REQUEST_ERROR", answer
    assert "'title'" in answer["message"]
    tab.close()


def test_a_call_id_with_a_nul_is_refused_naming_the_call_id(server, john):
    assert_bad_request(john.get("/call/g/product_team%00x"), "callId")
    assert_no_traceback(server)


def test_a_call_id_longer_than_the_limit_is_refused_naming_the_call_id(server, john):
    assert_bad_request(john.get(f"/call/g/{'x' * MAX_ID_LENGTH}"), "callId")


def test_a_user_id_with_a_nul_in_the_path_is_a_400_not_a_500(server, john):
    assert_bad_request(john.get("/user/john%00"), "userId")
    assert_no_traceback(server)


def test_a_participant_with_a_control_character_is_refused_naming_the_participants(server, john):
    response = john.post(f"/call/{SPACE_CALL}/ctl", json=space_call(participants=["john", "mary\x1b[31m"]))

    assert_bad_request(response, "participants")


def test_more_participants_than_the_limit_are_refused(server, john):
    many = ["john"] + [f"user{i}" for i in range(MAX_PARTICIPANTS)]

    assert_bad_request(john.post(f"/call/{SPACE_CALL}/many", json=space_call(participants=many)), "participants")


def test_a_client_id_longer_than_the_limit_is_refused_naming_the_client_id(server, john):
    john.post(f"/call/{SPACE_CALL}/tab", json=space_call())

    response = john.put(f"/usercall/{SPACE_CALL}/tab",
                        json={"state": "joined", "clientId": "t" * (MAX_CLIENT_ID_LENGTH + 1)})

    assert_bad_request(response, "clientId")
    john.delete(f"/call/{SPACE_CALL}/tab")


def test_a_room_title_longer_than_the_limit_is_refused_and_no_room_is_created(server, openapi):
    alice = User(server, openapi, "alice")

    response = alice.get("/room/team-long-title", params={"title": "t" * (MAX_TITLE_LENGTH + 1),
                                                          "members": "alice,bob"})

    assert_bad_request(response, "title")
    assert alice.get("/room/team-long-title").status_code == 404


def test_a_room_member_with_a_nul_is_refused_naming_the_members(server, openapi):
    alice = User(server, openapi, "alice")

    response = alice.get("/room/team-nul-member", params={"title": "Team", "members": "alice,bob\x00"})

    assert_bad_request(response, "members")
    assert_no_traceback(server)


def test_an_im_id_with_a_nul_is_refused_naming_the_field(server, john):
    response = john.http.post(f"{server.base}/portal/profile/john/ims", allow_redirects=False, timeout=5,
                              data={"im_testcall": "john\x00", "csrfToken": john.csrf},
                              headers={"Origin": server.base})

    assert response.status_code == 400, response.text
    assert "im_testcall" in response.text
    assert_no_traceback(server)

def test_a_login_name_longer_than_the_limit_is_a_400_naming_the_username(server, openapi):
    anonymous = User(server, openapi, "nobody", login=False)

    response = anonymous.post("/auth/login", json={"username": "u" * (MAX_ID_LENGTH + 1), "password": PASSWORD})

    assert_bad_request(response, "username")


# --- requests gunicorn refuses before the application sees them ---------------------------------


def raw_request(server: Server, data: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as conn:
        conn.sendall(data)
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    return answer


def test_a_request_line_over_gunicorns_limit_is_a_json_414(server, john):
    response = john.http.get(f"{server.base}{REST}/call/g/{'x' * 9000}", timeout=5)

    assert response.status_code == 414
    assert response.headers["Content-Type"] == "application/json"
    assert response.json()["code"] == "CLIENT_ERROR" and "Request Line is too large" in response.json()["message"]


def test_a_malformed_request_line_is_a_json_400(server):
    answer = raw_request(server, b"G\x01T /portal/rest/webconferencing/context HTTP/1.1\r\nHost: localhost\r\n\r\n")

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 "), answer[:300]
    assert b"Content-Type: application/json" in head
    assert json.loads(body)["code"] == "BAD_REQUEST_ERROR"
