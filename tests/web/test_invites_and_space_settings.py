"""Issue 12 over HTTP and the websocket, against a real server with the product's connectors (WebRTC takes guests,
My Connector declines): per-space settings permissions, invites, check_invite, revocation, and guest sessions that
reach their call and nothing else. Every REST answer is checked against the OpenAPI document."""
from __future__ import annotations

import itertools
import json
import time
from pathlib import Path

import pytest
import requests
import websocket

from .harness import REST, OpenApi, Server, User, call_channel, is_event, user_channel

REPO = Path(__file__).resolve().parents[2]
SPACE = "product_team"  # manager john; members john, mary, james, jack, peter, alice
_rooms = itertools.count()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("issue12"), args=["--extensions", str(REPO / "extensions")],
                 properties={"webconferencing.ws.ping.seconds": "0.5"}).start()
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def openapi(server) -> OpenApi:
    return OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json())


class Guest(User):
    """A visitor without an account: admitted by the link, they hold a guest session (cookie + CSRF token)."""

    def __init__(self, server: Server, openapi: OpenApi):
        super().__init__(server, openapi, "guest", login=False)

    def join(self, call_id: str, invite_id: str, name: str = "Zoe Visitor") -> requests.Response:
        response = self.post(f"/guest/{call_id}", json={"inviteId": invite_id, "displayName": name})
        if response.ok:
            self.csrf = response.json()["csrfToken"]
            self.id = response.json()["guest"]["id"]
        return response


def close_code(tab, within: float = 10.0) -> int | None:
    """Read the socket until the server closes it: the close code (None if it stays open ``within`` seconds)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        tab.ws.settimeout(max(0.1, deadline - time.monotonic()))
        opcode, frame = tab.ws.recv_data_frame(True)
        if opcode == websocket.ABNF.OPCODE_CLOSE:
            return int.from_bytes(frame.data[:2], "big")
        if opcode == websocket.ABNF.OPCODE_TEXT and json.loads(frame.data).get("type") == "ping":
            tab.send({"type": "pong"})
    return None


def room_call(owner: User, members: str, provider: str = "webrtc") -> str:
    """A fresh chat room of ``members`` and its running group call, joined by its owner (over REST)."""
    room = f"inv-{next(_rooms)}"
    assert owner.get(f"/room/{room}", params={"title": "Invites", "members": members}).ok
    call_id = f"g/{room}"
    created = owner.post(f"/call/{call_id}", json={"ownerType": "chat_room", "owner": room, "provider": provider,
                                                   "participants": members.split(",")})
    assert created.ok, created.text
    assert owner.put(f"/usercall/{call_id}", json={"state": "joined", "clientId": f"{owner.id}-{room}"}).ok
    return call_id


def invite_everyone(user: User, call_id: str) -> str:
    answer = user.put(f"/invites/{call_id}", json={"invites": [{"id": "*", "type": "group"}]})
    assert answer.ok, answer.text
    return answer.json()["invitation"]["invitationId"]


# ---- per-space settings ----


def test_a_member_reads_whether_video_conferencing_is_enabled(login):
    answer = login("mary").get("/isVideoConferenceEnabled", params={"spaceId": SPACE})
    assert answer.status_code == 200 and answer.text.strip() == "true"


def test_a_plain_member_switching_video_conferencing_off_is_forbidden(login):
    answer = login("mary").post("/updateVideoConferenceEnabled", params={"spaceId": SPACE, "enabled": "false"})
    assert answer.status_code == 403 and answer.json()["code"] == "FORBIDDEN_ERROR"


def test_a_manager_switches_it_off_and_a_members_new_call_is_refused_then_allowed_again(login):
    john, mary = login("john"), login("mary")
    off = john.post("/updateVideoConferenceEnabled", params={"spaceId": SPACE, "enabled": "false"})
    try:
        assert off.json() == {"spaceId": SPACE, "videoConferenceEnabled": False}
        refused = mary.post(f"/call/g/{SPACE}", json={"ownerType": "space", "owner": SPACE, "provider": "webrtc",
                                                      "participants": ["mary", "john"]})
        assert refused.status_code == 403 and "switched off" in refused.json()["message"]
    finally:
        john.post("/updateVideoConferenceEnabled", params={"spaceId": SPACE, "enabled": "true"})
    assert mary.get("/isVideoConferenceEnabled", params={"spaceId": SPACE}).json() is True


def test_members_open_pages_are_told_over_their_user_channel(login):
    john, james = login("john"), login("james")
    tab = james.tab()
    tab.subscribe(user_channel("james"))
    john.post("/updateVideoConferenceEnabled", params={"spaceId": SPACE, "enabled": "false"})
    try:
        event = tab.message(user_channel("james"), lambda d: d.get("eventType") == "space_settings")["data"]
        assert event["spaceId"] == SPACE and event["videoConferenceEnabled"] is False
    finally:
        john.post("/updateVideoConferenceEnabled", params={"spaceId": SPACE, "enabled": "true"})


def test_a_manager_adds_and_removes_an_external_meeting_link(login):
    john, mary = login("john"), login("mary")
    link = {"connectorId": "teams", "name": "Teams", "url": "https://teams.example/l/1", "integratedConnector": False}
    assert john.post("/provider", params={"spaceId": SPACE}, json=link).json() == link
    assert link in mary.get(f"/{SPACE}/providers").json()
    assert john.delete("/provider", params={"spaceId": SPACE, "connectorId": "teams"}).status_code == 204
    assert link not in mary.get(f"/{SPACE}/providers").json()


def test_a_javascript_url_is_refused_naming_the_field(login):
    answer = login("john").post("/provider", params={"spaceId": SPACE},
                                json={"connectorId": "evil", "name": "Evil", "url": "javascript:alert(1)"})
    assert answer.status_code == 400 and "'url'" in answer.json()["message"]


def test_a_plain_member_cannot_add_a_link(login):
    answer = login("mary").post("/provider", params={"spaceId": SPACE},
                                json={"connectorId": "zoom", "name": "Zoom", "url": "https://zoom.example/j/1"})
    assert answer.status_code == 403


def test_an_outsider_cannot_read_a_spaces_providers(login):
    assert login("paul").get(f"/{SPACE}/providers").status_code == 403


# ---- invites ----


def test_a_party_reads_the_invitation_and_its_link(login):
    bob = login("bob")
    call_id = room_call(bob, "bob,carol")
    invitation = bob.get(f"/invites/{call_id}").json()
    assert invitation["link"] == f"/portal/call/{call_id}?invite={invitation['invitationId']}"
    assert invitation["guestsSupported"] is True


def test_an_outsider_is_told_the_call_does_not_exist(login):
    call_id = room_call(login("bob"), "bob,carol")
    assert login("mary").get(f"/invites/{call_id}").status_code == 404
    assert login("mary").put(f"/invites/{call_id}", json={"invites": []}).status_code == 404


def test_check_invite_answers_for_the_current_user(login):
    bob = login("bob")
    call_id = room_call(bob, "bob,carol")
    invite_id = bob.put(f"/invites/{call_id}", json={"invites": [{"id": "dave", "type": "user"}]}).json()[
        "invitation"]["invitationId"]
    assert login("dave").get(f"/checkinvite/{call_id}", params={"inviteId": invite_id}).json() == {"allowed": True}
    assert login("paul").get(f"/checkinvite/{call_id}", params={"inviteId": invite_id}).json() == {"allowed": False}


def test_an_invited_user_accepts_then_joins_and_uses_the_call_channel(login):
    bob, dave = login("bob"), login("dave")
    call_id = room_call(bob, "bob,carol")
    invite_id = bob.put(f"/invites/{call_id}", json={"invites": [{"id": "dave", "type": "user"}]}).json()[
        "invitation"]["invitationId"]
    assert dave.post(f"/acceptinvite/{call_id}", json={"inviteId": invite_id}).ok
    assert dave.put(f"/usercall/{call_id}", json={"state": "joined", "clientId": "dave-tab-1"}).json()[
        "participants"][-1]["state"] == "joined"


def test_update_invites_and_check_invite_over_the_websocket(login):
    bob = login("bob")
    call_id = room_call(bob, "bob,carol")
    tab = bob.tab()
    answer = tab.call("update_invites", callId=call_id, invites=[{"id": "*", "type": "group"}])
    invite_id = answer["data"]["invitation"]["invitationId"]
    assert answer["data"]["id"] == call_id
    assert login("paul").tab().call("check_invite", callId=call_id, inviteId=invite_id)["data"] == {"allowed": True}


def test_get_org_identities_over_the_websocket(login):
    found = login("bob").tab().call("get_org_identities", name="car")["data"]
    assert {"id": "carol", "type": "user"}.items() <= found[0].items()


# ---- guests ----


def test_a_guest_joins_by_the_link_and_reaches_the_call_channel(server, openapi, login):
    bob = login("bob")
    call_id = room_call(bob, "bob,carol")
    guest = Guest(server, openapi)
    admitted = guest.join(call_id, invite_everyone(bob, call_id))
    assert admitted.status_code == 200 and admitted.json()["guest"]["title"] == "Zoe Visitor"
    tab = guest.tab()
    tab.call("update", callId=call_id, state="joined")
    assert tab.subscribe(call_channel(call_id))["type"] == "ack"
    bob_tab = bob.tab()
    bob_tab.subscribe(call_channel(call_id))
    tab.request({"type": "publish", "channel": call_channel(call_id), "data": {"hello": "from the guest"}})
    assert bob_tab.message(call_channel(call_id))["data"] == {"hello": "from the guest"}


def test_a_guest_session_reaches_no_rest_route_and_no_other_call(server, openapi, login):
    bob = login("bob")
    call_id = room_call(bob, "bob,carol")
    other = room_call(bob, "bob,dave")
    guest = Guest(server, openapi)
    guest.join(call_id, invite_everyone(bob, call_id))
    for path in ("/context", "/user/bob", f"/call/{call_id}", "/usercalls", f"/invites/{call_id}"):
        assert guest.get(path).status_code == 401, path
    tab = guest.tab()
    assert tab.call("get", callId=other)["code"] == "NOT_FOUND_ERROR"
    assert tab.call("get_calls_state")["code"] == "ACCESS_ERROR"
    assert tab.call("create", callId="g/x", ownerType="chat_room", owner="x", provider="webrtc",
                    participants=["bob"])["code"] == "ACCESS_ERROR"
    assert tab.request({"type": "subscribe", "channel": call_channel(other)})["code"] == "ACCESS_ERROR"
    assert tab.request({"type": "subscribe", "channel": user_channel("bob")})["code"] == "ACCESS_ERROR"


def test_a_guest_has_no_portal_page(server, openapi, login):
    bob = login("bob")
    call_id = room_call(bob, "bob,carol")
    guest = Guest(server, openapi)
    guest.join(call_id, invite_everyone(bob, call_id))
    page = guest.http.get(f"{server.base}/portal/people", allow_redirects=False, timeout=5)
    assert page.status_code in (302, 303) and "/portal/login" in page.headers["Location"]
    assert guest.http.get(f"{server.base}/portal/call/{call_id}", timeout=5).status_code == 200


def test_a_wrong_invitation_id_admits_nobody(server, openapi, login):
    call_id = room_call(login("bob"), "bob,carol")
    assert Guest(server, openapi).join(call_id, "not-the-id").status_code == 404


def test_my_connector_declines_guests(server, openapi, login):
    bob = login("bob")
    call_id = room_call(bob, "bob,carol", provider="myconnector")
    answer = Guest(server, openapi).join(call_id, invite_everyone(bob, call_id))
    assert answer.status_code == 403 and "does not support guests" in answer.json()["message"]


def test_a_guest_from_another_site_is_refused(server, openapi, login):
    bob = login("bob")
    call_id = room_call(bob, "bob,carol")
    answer = Guest(server, openapi).post(f"/guest/{call_id}", headers={"Origin": "https://evil.example"},
                                         json={"inviteId": invite_everyone(bob, call_id), "displayName": "Eve"})
    assert answer.status_code == 403


def test_revoking_the_link_cuts_a_connected_guest_off_at_once(server, openapi, login):
    bob = login("bob")
    call_id = room_call(bob, "bob,carol")
    guest = Guest(server, openapi)
    guest.join(call_id, invite_everyone(bob, call_id))
    tab = guest.tab()
    tab.subscribe(user_channel(guest.id))
    tab.call("update", callId=call_id, state="joined")
    tab.subscribe(call_channel(call_id))
    assert bob.post(f"/revokeinvite/{call_id}").ok
    tab.message(user_channel(guest.id), is_event("call_leaved", call_id))
    unsubscribed = tab.wait_for(lambda f: f.get("type") == "unsubscribed")
    assert unsubscribed["channel"] == call_channel(call_id)
    refused = tab.request({"type": "publish", "channel": call_channel(call_id), "data": {"x": 1}})
    assert refused["code"] == "ACCESS_ERROR"
    assert close_code(tab) == 1008
    assert guest.http.get(f"{server.base}/portal/call/{call_id}", allow_redirects=False, timeout=5).status_code in (
        302, 303)


def test_the_guest_appears_in_the_invitation_and_the_call(server, openapi, login):
    bob = login("bob")
    call_id = room_call(bob, "bob,carol")
    guest = Guest(server, openapi)
    guest.join(call_id, invite_everyone(bob, call_id), name="Zed")
    assert [g["title"] for g in bob.get(f"/invites/{call_id}").json()["guests"]] == ["Zed"]
    part = bob.get(f"/call/{call_id}").json()["participants"][-1]
    assert part["type"] == "guest" and part["title"] == "Zed"


def test_a_call_left_to_its_guest_ends_after_the_grace_period(server, openapi, login):
    bob = login("bob")
    call_id = room_call(bob, "bob,carol")
    guest = Guest(server, openapi)
    guest.join(call_id, invite_everyone(bob, call_id))
    tab = guest.tab()
    tab.subscribe(user_channel(guest.id))
    tab.call("update", callId=call_id, state="joined")
    assert bob.put(f"/usercall/{call_id}", json={"state": "leaved", "clientId": f"bob-{call_id[2:]}"}).ok
    # the harness's grace period is 1 s, the ping interval 0.5 s: the guest's socket checks at every ping
    tab.message(user_channel(guest.id), is_event("call_state", call_id, callState="stopped"), timeout=10)
    assert bob.get(f"/call/{call_id}").json()["state"] == "stopped"
    assert close_code(tab) == 1008


def test_a_guest_gets_the_webrtc_ice_servers_of_their_call(server, openapi, login):
    bob = login("bob")
    call_id = room_call(bob, "bob,carol")
    guest = Guest(server, openapi)
    guest.join(call_id, invite_everyone(bob, call_id))
    answer = guest.http.get(f"{server.base}{REST}/webrtc/iceservers", timeout=5)
    assert answer.status_code == 200 and "iceServers" in answer.json()
    assert requests.get(f"{server.base}{REST}/webrtc/iceservers", timeout=5).status_code == 401


def test_the_space_page_hides_the_call_button_while_video_conferencing_is_off(server, login):
    john, mary = login("john"), login("mary")
    page = f"{server.base}/portal/spaces/{SPACE}"
    john.post("/updateVideoConferenceEnabled", params={"spaceId": SPACE, "enabled": "false"})
    try:
        assert f'data-space-id="{SPACE}" hidden' in mary.http.get(page, timeout=5).text
    finally:
        john.post("/updateVideoConferenceEnabled", params={"spaceId": SPACE, "enabled": "true"})
    assert f'data-space-id="{SPACE}" hidden' not in mary.http.get(page, timeout=5).text


def test_only_managers_get_the_settings_panel_on_the_space_page(server, login):
    page = f"{server.base}/portal/spaces/{SPACE}"
    assert 'id="space-settings"' in login("john").http.get(page, timeout=5).text
    assert 'id="space-settings"' not in login("mary").http.get(page, timeout=5).text
