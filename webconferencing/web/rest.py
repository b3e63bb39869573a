"""REST resources under ``/portal/rest/webconferencing/`` (the original ``RESTWebConferencingService`` names, plus the
call resources the original only offered over CometD). The endpoint table is docs/rest.md; the contract is
openapi.json. Call operations delegate to :class:`~.commands.CallCommands`, shared with the websocket.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, g, jsonify, request

from webconferencing.errors import AccessDenied, InvalidCallArgument
from webconferencing.identity import USER_STATUSES
from webconferencing.limits import MAX_ID_LENGTH, MAX_PARTICIPANTS, MAX_TITLE_LENGTH, check_text
from webconferencing.provider import parse_flag

from .auth import REST_BASE, check_csrf, csrf_token, require_admin, require_user
from .context import web_context
from .openapi import document
from .safejson import request_json_object

bp = Blueprint("rest", __name__, url_prefix=REST_BASE)

PUBLIC_ENDPOINTS = frozenset({"rest.openapi"})


@bp.before_request
def authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    require_user()
    check_csrf()


def json_body() -> dict[str, Any]:
    """The request's JSON object (``{}`` for an empty body); anything else is a 400 naming the problem (the one
    parser of :mod:`.safejson`: too deep a nesting is a 400 too, never a 500)."""
    return request_json_object()


def identifier(value: str, field: str) -> str:
    """An id from the path or the query string, under :mod:`webconferencing.limits`' rules (a NUL or an overlong id
    would otherwise reach the database: a 500 on PostgreSQL)."""
    return check_text(value, field, MAX_ID_LENGTH)


def form_or_json() -> dict[str, Any]:
    """HTML forms of the admin page post fields; scripts post JSON. Both mean the same."""
    if request.form:
        return request.form.to_dict()
    return json_body()


# --- identities ------------------------------------------------------------------------


@bp.get("/user/<user_id>")
def get_user(user_id: str):
    identifier(user_id, "userId")
    return jsonify(web_context().service.get_user_presence(user_id).to_json())  # "incall" while in a call


@bp.get("/space/<space_name>")
def get_space(space_name: str):
    ctx = web_context()
    space = ctx.service.get_space_info(identifier(space_name, "spaceName"))
    if not space.is_member(g.user_id) and not ctx.service.is_admin(g.user_id):
        raise AccessDenied(f"User {g.user_id} is not a member of space {space_name}")
    return jsonify(space.to_json())


@bp.get("/room/<room_id>")
def get_room(room_id: str):
    identifier(room_id, "roomId")
    members = [identifier(m.strip(), "members") for m in request.args.get("members", "").split(",") if m.strip()]
    if len(members) > MAX_PARTICIPANTS:
        raise InvalidCallArgument(f"Field 'members' names more than {MAX_PARTICIPANTS} users", field="members")
    title = check_text(request.args.get("title", ""), "title", MAX_TITLE_LENGTH) or None
    if members and g.user_id not in members:  # an unknown room would be created with these members
        raise AccessDenied(f"User {g.user_id} is not a member of room {room_id}")
    ctx = web_context()
    if title and members and ctx.identities.get_room(room_id) is None:  # this request creates the room: a quota
        ctx.quotas.room_created(g.user_id)
    room = ctx.service.get_room_info(room_id, title, members)
    if not room.is_member(g.user_id):
        raise AccessDenied(f"User {g.user_id} is not a member of room {room_id}")
    return jsonify(room.to_json())


@bp.get("/context")
def get_context():
    space_id = identifier(request.args.get("spaceId", ""), "spaceId") or None
    room_id = identifier(request.args.get("roomId", ""), "roomId") or None
    context = web_context().service.get_context(g.user_id, space_id=space_id, room_id=room_id)
    return jsonify({**context.to_json(), "csrfToken": csrf_token()})


@bp.get("/userstatus/<user_id>")
def get_user_status(user_id: str):
    identifier(user_id, "userId")
    status = web_context().service.get_user_status(user_id)
    return jsonify({"id": user_id, "status": str(status)})


@bp.put("/userstatus")
def set_user_status():
    status = json_body().get("status")
    if status not in USER_STATUSES:
        raise InvalidCallArgument(f"Field 'status' must be one of {', '.join(USER_STATUSES)}", field="status")
    web_context().identities.set_user_status(g.user_id, status)
    return jsonify({"id": g.user_id, "status": status})


# --- calls -----------------------------------------------------------------------------


@bp.get("/call/<path:call_id>")
def get_call(call_id: str):
    return jsonify(web_context().commands.get(g.user_id, call_id))


@bp.post("/call/<path:call_id>")
def add_call(call_id: str):
    return jsonify(web_context().commands.create(g.user_id, call_id, json_body()))


@bp.put("/call/<path:call_id>")
def update_call(call_id: str):
    ctx = web_context()
    body = json_body()
    answer = ctx.commands.update(g.user_id, call_id, body)
    _note_membership(call_id, body)
    return jsonify(answer)


@bp.delete("/call/<path:call_id>")
def delete_call(call_id: str):
    web_context().commands.delete(g.user_id, call_id)
    return "", 204


@bp.put("/usercall/<path:call_id>")
def update_user_call(call_id: str):
    body = json_body()
    answer = web_context().commands.update_user_call(g.user_id, call_id, body)
    _note_membership(call_id, body)
    return jsonify(answer)


def _note_membership(call_id: str, body: dict) -> None:
    """Tell the hub which tab joined/left (it does the bookkeeping for websocket and REST alike)."""
    client_id = body.get("clientId")
    if isinstance(client_id, str):
        web_context().hub.note_membership(client_id, g.user_id, call_id.strip(), body.get("state"))


@bp.get("/usercalls")
def get_user_calls():
    return jsonify(web_context().commands.get_calls_state(g.user_id))


# --- providers -------------------------------------------------------------------------


@bp.get("/providers")
def get_providers():
    return jsonify([p.get_settings() for p in web_context().service.get_providers() if p.is_active()])


def _provider(provider_type: str):
    return web_context().service.get_provider(provider_type)


@bp.get("/providers/configuration")
def get_providers_configuration():
    require_admin()
    return jsonify([p.get_configuration() for p in web_context().service.get_providers()])


@bp.get("/provider/<provider_type>/configuration")
def get_provider_configuration(provider_type: str):
    require_admin()
    return jsonify(_provider(provider_type).get_configuration())


@bp.post("/provider/<provider_type>/configuration")
def set_provider_configuration(provider_type: str):
    require_admin()
    provider = _provider(provider_type)
    changes = form_or_json()
    changes.pop("csrfToken", None)
    if not changes:
        raise InvalidCallArgument("Nothing to change: send 'active' or provider settings")
    return jsonify(provider.update_configuration(changes))


@bp.get("/provider/<provider_type>/log")
def get_provider_log(provider_type: str):
    require_admin()
    provider = _provider(provider_type)
    return jsonify({"type": provider.get_type(), "logEnabled": provider.is_log_enabled()})


@bp.post("/provider/<provider_type>/log")
def set_provider_log(provider_type: str):
    require_admin()
    provider = _provider(provider_type)
    value = form_or_json().get("enabled")
    enabled = parse_flag(value, "enabled") if value is not None else None
    if enabled is None:
        raise InvalidCallArgument("Field 'enabled' must be true or false", field="enabled")
    provider.set_log_enabled(enabled)
    return jsonify({"type": provider.get_type(), "logEnabled": provider.is_log_enabled()})


# --- contract --------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi():
    return jsonify(document())
