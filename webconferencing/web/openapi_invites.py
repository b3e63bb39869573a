"""The OpenAPI paths and schemas of issue 12 (per-space settings, invites, guests), merged into :mod:`.openapi`'s
document. Apart so that the call document's module stays one idea; the helpers are shared."""
from __future__ import annotations

from typing import Any

from .openapi import (CALL_ID, NULLABLE_STRING, PARTICIPANT, SCHEMAS, _json, _object, _operation, _path_param,
                      _query, _ref)

SPACE_ID = _query("spaceId", "space pretty name (required)")

INVITE_SCHEMAS: dict[str, Any] = {
    # a call's participants include guests (type guest: no avatar, profile or IM accounts of their own)
    "ParticipantInfo": {**PARTICIPANT, "properties": {**PARTICIPANT["properties"],
                                                      "type": {"enum": ["user", "guest"]}}},
    "ActiveCallProvider": _object({
        "connectorId": {"type": "string"}, "name": {"type": "string"},
        "url": {**NULLABLE_STRING, "description": "external meeting links: an http(s) URL; installed connectors: null"},
        "integratedConnector": {"type": "boolean"},
    }),
    "NewMeetingLink": _object({
        "connectorId": {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]{0,63}$"},
        "name": {"type": "string", "maxLength": 100},
        "url": {"type": "string", "description": "http or https, with a host"},
        "integratedConnector": {"const": False},
    }, required=["connectorId", "name", "url"]),
    "VideoConferenceEnabled": _object({"spaceId": {"type": "string"}, "videoConferenceEnabled": {"type": "boolean"}}),
    "Invite": _object({"id": {"type": "string", "description": "user id, space pretty name, or * (everyone with the "
                                                               "link)"},
                       "type": {"enum": ["user", "group"]}}, required=["id"]),
    "GuestInfo": _object({"id": {"type": "string"}, "type": {"const": "guest"}, "title": {"type": "string"},
                          "callId": {"type": "string"}}),
    "Invitation": _object({
        "callId": {"type": "string"}, "invitationId": {"type": "string"},
        "link": {"type": "string", "description": "/portal/call/{callId}?invite={invitationId}"},
        "invites": {"type": "array", "items": _ref("Invite")},
        "guests": {"type": "array", "items": _ref("GuestInfo")},
        "guestsSupported": {"type": "boolean"},
    }),
    "CallWithInvitation": {**SCHEMAS["CallInfo"], "description": "CallInfo plus its invitation",
                           "properties": {**SCHEMAS["CallInfo"]["properties"], "invitation": _ref("Invitation")},
                           "required": [*SCHEMAS["CallInfo"]["required"], "invitation"]},
    "OrgIdentity": _object({"id": {"type": "string"}, "type": {"enum": ["user", "group"]},
                            "title": {"type": "string"}}),
    "InviteCheck": _object({"allowed": {"type": "boolean"}}),
    "GuestAdmitted": _object({"guest": _ref("GuestInfo"), "call": _ref("CallInfo"), "csrfToken": {"type": "string"}}),
}


def invite_paths() -> dict[str, Any]:
    invitation = _json(_ref("Invitation"), "The call's invitation")
    return {
        "/{spaceId}/providers": {"get": _operation(
            "A space's active providers: installed connectors switched on, then its external meeting links "
            "(members and administrators)", _json({"type": "array", "items": _ref("ActiveCallProvider")}, "They"),
            "400", "403", "404", params=[_path_param("spaceId", "space pretty name")])},
        "/provider": {
            "post": _operation("Save an external meeting link of a space (its managers and administrators)",
                               _json(_ref("ActiveCallProvider"), "Saved"), "403", "404", body=_ref("NewMeetingLink"),
                               params=[SPACE_ID]),
            "delete": _operation("Remove an external meeting link of a space (its managers and administrators)",
                                 None, "400", "403", "404", status="204",
                                 params=[SPACE_ID, _query("connectorId", "the link's id (required)")]),
        },
        "/updateVideoConferenceEnabled": {"post": _operation(
            "Switch video conferencing on or off in a space (its managers and administrators); members' pages are "
            "told on their user channels", _json(_ref("VideoConferenceEnabled"), "The new state"), "400", "403", "404",
            params=[SPACE_ID, _query("enabled", "true or false (required)")])},
        "/isVideoConferenceEnabled": {"get": _operation(
            "Whether a space allows video calls (members and administrators; default true)",
            _json({"type": "boolean"}, "true or false"), "400", "403", "404", params=[SPACE_ID])},
        "/invites/{callId}": {
            "parameters": [CALL_ID],
            "get": _operation("A group call's invitation (its parties only; the id is made on first use)", invitation,
                              "400", "404"),
            "put": _operation("Replace the invited identities (update_invites); no longer inviting * ends the guests",
                              _json(_ref("CallWithInvitation"), "The call and its invitation"), "404",
                              body=_object({"invites": {"type": "array", "items": _ref("Invite")}})),
        },
        "/revokeinvite/{callId}": {"parameters": [CALL_ID], "post": _operation(
            "Revoke the invite link: a new invitation id; the guests the old one admitted are out at once",
            invitation, "400", "404")},
        "/checkinvite/{callId}": {"parameters": [CALL_ID], "get": _operation(
            "May the current user join by this invitation id (check_invite)", _json(_ref("InviteCheck"), "Allowed?"),
            "400", params=[_query("inviteId", "the link's invitation id (required)")])},
        "/acceptinvite/{callId}": {"parameters": [CALL_ID], "post": _operation(
            "Join the call's participants by the link (a signed-in user it invites); then join as usual",
            _json(_ref("CallInfo"), "The call"), "403", "404",
            body=_object({"inviteId": {"type": "string"}}))},
        "/orgidentities": {"get": _operation(
            "Users and spaces whose name matches, for the invite dialog (get_org_identities)",
            _json({"type": "array", "items": _ref("OrgIdentity")}, "Matches"), "400",
            params=[_query("name", "text to look for (required)")])},
        "/guest/{callId}": {"parameters": [CALL_ID], "post": _operation(
            "An external guest joins by the link (add_guest): the link must invite everyone and the connector "
            "support guests; opens a guest session for that call only (403: Origin of another site)",
            _json(_ref("GuestAdmitted"), "Admitted"), "403", "404", "409", public=True,
            body=_object({"inviteId": {"type": "string"}, "displayName": {"type": "string", "maxLength": 100}}))},
    }
