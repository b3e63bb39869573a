"""The OpenAPI 3.1 document of the REST API, served at ``/portal/rest/webconferencing/openapi.json``.

Built from Python rather than kept as a hand-edited JSON file so that the shared parts (error responses, the info
schemas) are written once. The schemas follow the ``to_json()`` forms of :mod:`webconferencing.info`; the tests
validate real responses against them, so the document cannot silently drift from the code.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any

from .auth import REST_BASE

NULLABLE_STRING = {"type": ["string", "null"]}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], required: list[str] | None = None, *, extra: bool = False) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties,
                              "required": list(properties) if required is None else required}
    if not extra:
        schema["additionalProperties"] = False
    return schema


USER = _object({
    "id": {"type": "string"},
    "type": {"const": "user"},
    "title": {"type": "string"},
    "firstName": {"type": "string"},
    "lastName": {"type": "string"},
    "avatarLink": NULLABLE_STRING,
    "profileLink": NULLABLE_STRING,
    "status": {"type": "string"},
    "imAccounts": {"type": "object", "additionalProperties": {"type": "array", "items": _object(
        {"type": {"type": "string"}, "id": {"type": "string"}})}},
})

PARTICIPANT = {**USER, "properties": {**USER["properties"],
                                      "state": {"enum": ["joined", "leaved", None]},
                                      "clientId": NULLABLE_STRING},
               "required": [*USER["required"], "state", "clientId"]}

OWNER = _object({
    "id": {"type": "string"},
    "type": {"enum": ["user", "space", "chat_room"]},
    "title": {"type": "string"},
    "avatarLink": NULLABLE_STRING,
    "profileLink": NULLABLE_STRING,
})

MEMBERS = {"type": "object", "additionalProperties": _ref("UserInfo")}

SCHEMAS: dict[str, Any] = {
    "Error": _object({"code": {"type": "string", "enum": [
        "UNAUTHORIZED_ERROR", "FORBIDDEN_ERROR", "BAD_REQUEST_ERROR", "NOT_FOUND_ERROR", "CALL_CONFLICT_ERROR",
        "CALL_FULL_ERROR", "CALL_STATE_ERROR", "CLIENT_ERROR", "SERVER_ERROR", "TOO_MANY_REQUESTS"]}, "message": {"type": "string"}}),
    "UserInfo": USER,
    "ParticipantInfo": PARTICIPANT,
    "OwnerInfo": OWNER,
    "SpaceInfo": _object({
        "id": {"type": "string"}, "type": {"const": "space"}, "title": {"type": "string"},
        "prettyName": {"type": "string"}, "groupId": {"type": "string"}, "callId": {"type": "string"},
        "avatarLink": NULLABLE_STRING, "profileLink": NULLABLE_STRING, "members": MEMBERS,
        "managers": {"type": "array", "items": {"type": "string"}},
    }),
    "RoomInfo": _object({
        "id": {"type": "string"}, "type": {"const": "chat_room"}, "name": {"type": "string"},
        "title": {"type": "string"}, "callId": {"type": "string"}, "avatarLink": NULLABLE_STRING,
        "profileLink": NULLABLE_STRING, "members": MEMBERS,
    }),
    "CallInfo": _object({
        "id": {"type": "string"}, "title": {"type": "string"}, "owner": _ref("OwnerInfo"),
        "ownerType": {"enum": ["user", "space", "chat_room"]}, "ownerLink": NULLABLE_STRING,
        "avatarLink": NULLABLE_STRING, "providerType": {"type": "string"},
        "state": {"enum": ["started", "stopped", "paused"]},
        "created": NULLABLE_STRING, "lastDate": NULLABLE_STRING,
        "participants": {"type": "array", "items": _ref("ParticipantInfo")},
    }),
    "CallInfoOrGone": {"oneOf": [_ref("CallInfo"), {"type": "object", "maxProperties": 0}],
                       "description": "The call, or {} when the operation removed it (a 1:1 call nobody is in)"},
    "ProviderSettings": _object({
        "type": {"type": "string"}, "supportedTypes": {"type": "array", "items": {"type": "string"}},
        "title": {"type": "string"}, "version": {"type": "string"}, "description": {"type": "string"},
        "active": {"type": "boolean"},
    }, extra=True),
    "ProviderConfiguration": _object({
        "type": {"type": "string"}, "title": {"type": "string"}, "description": {"type": "string"},
        "active": {"type": "boolean"}, "logEnabled": {"type": "boolean"},
    }, extra=True),
    "ProviderLog": _object({"type": {"type": "string"}, "logEnabled": {"type": "boolean"}}),
    "ContextInfo": _object({
        "currentUserId": {"type": "string"}, "currentUser": _ref("UserInfo"), "spaceId": NULLABLE_STRING,
        "roomId": NULLABLE_STRING, "roomTitle": NULLABLE_STRING, "isAdmin": {"type": "boolean"},
        "providersConfig": {"type": "array", "items": _ref("ProviderSettings")},
        "csrfToken": NULLABLE_STRING,
    }),
    "UserStatus": _object({"id": {"type": "string"}, "status": {"type": "string"}}),
    "Login": _object({"user": _ref("UserInfo"), "csrfToken": {"type": "string"}}),
    "Token": _object({"token": {"type": "string"}, "tokenType": {"const": "Bearer"},
                      "expiresIn": {"type": "integer"}}),
    "Credentials": _object({"username": {"type": "string"}, "password": {"type": "string"}}),
    "NewCall": _object({
        "owner": {"type": "string", "description": "user id, space pretty name or room id (default: you, for 1:1)"},
        "ownerType": {"enum": ["user", "space", "chat_room"]},
        "provider": {"type": "string"},
        "title": {"type": "string"},
        "participants": {"oneOf": [{"type": "array", "items": {"type": "string"}},
                                   {"type": "string", "description": "';'-separated user ids"}]},
    }, required=["ownerType", "provider", "participants"]),
    "CallStateChange": _object({
        "state": {"enum": ["started", "stopped", "joined", "leaved", "declined"]},
        "clientId": {"type": "string", "description": "required for started, joined and leaved"},
    }, required=["state"]),
    "UserCallChange": _object({"state": {"enum": ["joined", "leaved", "declined"]}, "clientId": {"type": "string"}}),
}

_ERROR_TEXT = {
    "400": "Bad request (the message names the field)",
    "401": "Not authenticated",
    "403": "Forbidden (not allowed, or CSRF token missing)",
    "404": "Not found",
    "409": "Conflict: the call exists (create), is full (join: CALL_FULL_ERROR), or the action is not allowed in its "
           "state (CALL_STATE_ERROR)",
    "429": "Too many requests (failed logins, or a quota of calls or rooms used up): wait Retry-After seconds",
}

RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again",
                               "schema": {"type": "integer", "minimum": 1}}}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation(summary: str, ok: dict | None, *errors: str, status: str = "200", body: dict | None = None,
               public: bool = False, params: list | None = None, form: bool = False) -> dict:
    responses: dict[str, Any] = {}
    responses[status] = ok if ok is not None else {"description": "Done, no content"}
    for code in ("400", *errors) if body is not None else errors:
        responses[code] = _json(_ref("Error"), _ERROR_TEXT[code])
        if code == "429":
            responses[code]["headers"] = RETRY_AFTER
    if not public:
        responses.setdefault("401", _json(_ref("Error"), _ERROR_TEXT["401"]))
    op: dict[str, Any] = {"summary": summary, "responses": responses}
    if public:
        op["security"] = []
    if params:
        op["parameters"] = params
    if body is not None:
        content = {"application/json": {"schema": body}}
        if form:
            content["application/x-www-form-urlencoded"] = {"schema": body}
        op["requestBody"] = {"required": True, "content": content}
    return op


def _path_param(name: str, description: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": {"type": "string"}, "description": description}


def _query(name: str, description: str) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": {"type": "string"}, "description": description}


CALL_ID = _path_param("callId", "call id, '/' included as-is (p/john-mary, g/marketing)")
PROVIDER = _path_param("type", "provider type")


@lru_cache(maxsize=1)
def document() -> dict:
    call = _json(_ref("CallInfo"), "The call")
    paths = {
        "/auth/login": {"post": _operation("Log in: a new session cookie + CSRF token (403: Origin of another site)",
                                           _json(_ref("Login"), "Logged in"), "401", "403", "429",
                                           body=_ref("Credentials"), public=True, form=True)},
        "/auth/logout": {"post": _operation("Log out: ends the session, or revokes the bearer token used", None, "403",
                                            status="204")},
        "/auth/token": {"post": _operation("Bearer token for non-browser clients (403: Origin of another site)",
                                           _json(_ref("Token"), "A token"), "401", "403", "429",
                                           body=_ref("Credentials"), public=True)},
        "/user/{id}": {"get": _operation("User info", _json(_ref("UserInfo"), "The user"), "400", "404",
                                         params=[_path_param("id", "user id")])},
        "/space/{prettyName}": {"get": _operation("Space info (members only)", _json(_ref("SpaceInfo"), "The space"),
                                                  "400", "403", "404",
                                                  params=[_path_param("prettyName", "space")])},
        "/room/{id}": {"get": _operation(
            "Chat room info; an unknown room is created from title and members", _json(_ref("RoomInfo"), "The room"),
            "400", "403", "404", "429", params=[_path_param("id", "room id"), _query("title", "room title"),
                                         _query("members", "comma-separated user ids")])},
        "/context": {"get": _operation("The current user's context, CSRF token and active providers",
                                       _json(_ref("ContextInfo"), "The context"), "400", "404",
                                       params=[_query("spaceId", "space pretty name"), _query("roomId", "room id")])},
        "/call/{callId}": {
            "parameters": [CALL_ID],
            "get": _operation("A call (its parties only)", call, "400", "403", "404"),
            "post": _operation("Create a call (state started; participants told)", call, "403", "404", "409", "429",
                               body=_ref("NewCall")),
            "put": _operation("Change the call state, or yours (the original update command)",
                              _json(_ref("CallInfoOrGone"), "The call, or {} when removed"), "403", "404", "409",
                              body=_ref("CallStateChange")),
            "delete": _operation("Delete a call (its parties only; participants told it stopped)", None, "400", "403",
                                 "404",
                                 status="204"),
        },
        "/usercall/{callId}": {
            "parameters": [CALL_ID],
            "put": _operation("Join or leave a call from one client (tab)",
                              _json(_ref("CallInfoOrGone"), "The call, or {} when removed"), "403", "404", "409",
                              body=_ref("UserCallChange")),
        },
        "/usercalls": {"get": _operation("Your group calls with their state", _json(
            {"type": "array", "items": _ref("CallInfo")}, "Group calls, newest first"))},
        "/userstatus/{id}": {"get": _operation("A user's status", _json(_ref("UserStatus"), "The status"), "400",
                                               "404",
                                               params=[_path_param("id", "user id")])},
        "/userstatus": {"put": _operation("Set your status", _json(_ref("UserStatus"), "The new status"), "403",
                                          body=_object({"status": {"enum": ["available", "away", "donotdisturb",
                                                                            "offline"]}}))},
        "/providers": {"get": _operation("Settings of the active providers", _json(
            {"type": "array", "items": _ref("ProviderSettings")}, "Active providers"))},
        "/providers/configuration": {"get": _operation("Admin: every provider's configuration", _json(
            {"type": "array", "items": _ref("ProviderConfiguration")}, "All providers"), "403")},
        "/provider/{type}/configuration": {
            "parameters": [PROVIDER],
            "get": _operation("Admin: a provider's configuration", _json(_ref("ProviderConfiguration"), "It"),
                              "403", "404"),
            "post": _operation("Admin: change active and/or provider settings (form field active, or JSON)",
                               _json(_ref("ProviderConfiguration"), "Updated"), "403", "404",
                               body={"type": "object", "properties": {"active": {"type": ["boolean", "string"]},
                                                                      "logEnabled": {"type": ["boolean", "string"]}},
                                     "additionalProperties": True}, form=True),
        },
        "/provider/{type}/log": {
            "parameters": [PROVIDER],
            "get": _operation("Admin: is the remote log of this provider on", _json(_ref("ProviderLog"), "It"),
                              "403", "404"),
            "post": _operation("Admin: switch the remote log", _json(_ref("ProviderLog"), "Updated"), "403", "404",
                               body=_object({"enabled": {"type": ["boolean", "string"]}}), form=True),
        },
        "/openapi.json": {"get": {"summary": "This document", "security": [],
                                  "responses": {"200": {"description": "OpenAPI 3.1",
                                                        "content": {"application/json": {"schema": {}}}}}}},
    }
    from .openapi_invites import INVITE_SCHEMAS, invite_paths  # issue 12 (imports this module's helpers)

    paths.update(invite_paths())
    from .openapi_history import HISTORY_SCHEMAS, history_paths  # issue 11

    paths.update(history_paths())
    return {
        "openapi": "3.1.0",
        "info": {"title": "eXo Web Conferencing REST API", "version": "1.0.0",
                 "description": "See docs/rest.md. Cookie-authenticated POST/PUT/DELETE need the X-CSRF-Token "
                                "header; websocket protocol: docs/protocol.md."},
        "servers": [{"url": REST_BASE}],
        "security": [{"session": []}, {"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": {**SCHEMAS, **INVITE_SCHEMAS, **HISTORY_SCHEMAS},
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "exo_webconf_session"},
                "bearer": {"type": "http", "scheme": "bearer"},
            },
        },
    }
