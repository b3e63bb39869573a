"""REST resources of issue 12 under ``/portal/rest/webconferencing/``: per-space video-conference settings (the
original's wire names) and call invites and guests (ours, next to the websocket commands of :mod:`.invite_commands`).

Space settings: ``GET {spaceId}/providers``, ``POST provider?spaceId=`` (an external meeting link), ``DELETE
provider?spaceId=&connectorId=``, ``POST updateVideoConferenceEnabled?spaceId=&enabled=``, ``GET
isVideoConferenceEnabled?spaceId=`` (``true`` or ``false``: JSON, which is the original's text too).

Invites: ``GET|PUT invites/{callId}``, ``POST revokeinvite/{callId}``, ``GET checkinvite/{callId}?inviteId=``,
``POST acceptinvite/{callId}``, ``GET orgidentities?name=``; ``POST guest/{callId}`` is the one public route: an
external guest with the link joins under a display name and gets a guest session (:mod:`.guest_sessions`).
"""
from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from webconferencing.errors import InvalidCallArgument
from webconferencing.limits import MAX_ID_LENGTH, check_text
from webconferencing.provider import parse_flag

from .auth import REST_BASE, check_csrf, check_login_origin, require_user
from .context import web_context
from .guest_sessions import start_guest_session
from .invite_commands import InviteCommands
from .safejson import request_json_object

bp = Blueprint("invites_rest", __name__, url_prefix=REST_BASE)

PUBLIC_ENDPOINTS = frozenset({"invites_rest.add_guest"})


@bp.before_request
def authenticate() -> None:
    if request.endpoint in PUBLIC_ENDPOINTS:
        return
    require_user()
    check_csrf()


def _commands() -> InviteCommands:
    return InviteCommands(web_context().service)


def _space_id() -> str:
    value = request.args.get("spaceId", "")
    if not value.strip():
        raise InvalidCallArgument("Query parameter 'spaceId' is required", field="spaceId")
    return check_text(value.strip(), "spaceId", MAX_ID_LENGTH)


# --- per-space settings ------------------------------------------------------------------


@bp.get("/<space_id>/providers")
def get_space_providers(space_id: str):
    check_text(space_id, "spaceId", MAX_ID_LENGTH)
    providers = web_context().service.get_active_providers_for_space(space_id, g.user_id)
    return jsonify([p.to_json() for p in providers])


@bp.post("/provider")
def save_space_provider():
    saved = web_context().service.save_active_call_provider(_space_id(), g.user_id, request_json_object())
    return jsonify(saved.to_json())


@bp.delete("/provider")
def remove_space_provider():
    connector_id = check_text(request.args.get("connectorId", ""), "connectorId", MAX_ID_LENGTH)
    if not connector_id:
        raise InvalidCallArgument("Query parameter 'connectorId' is required", field="connectorId")
    web_context().service.remove_active_call_provider(_space_id(), g.user_id, connector_id)
    return "", 204


@bp.post("/updateVideoConferenceEnabled")
def update_video_conference_enabled():
    space_id = _space_id()
    enabled = parse_flag(request.args.get("enabled"), "enabled")
    if enabled is None:
        raise InvalidCallArgument("Query parameter 'enabled' must be true or false", field="enabled")
    enabled = web_context().service.update_video_conference_enabled(space_id, g.user_id, enabled)
    return jsonify({"spaceId": space_id, "videoConferenceEnabled": enabled})


@bp.get("/isVideoConferenceEnabled")
def is_video_conference_enabled():
    return jsonify(web_context().service.is_video_conference_enabled(_space_id(), g.user_id))


# --- invites -----------------------------------------------------------------------------


@bp.get("/invites/<path:call_id>")
def get_invites(call_id: str):
    return jsonify(_commands().get_invites(g.user_id, call_id))


@bp.put("/invites/<path:call_id>")
def update_invites(call_id: str):
    return jsonify(_commands().update_invites(g.user_id, call_id, request_json_object()))


@bp.post("/revokeinvite/<path:call_id>")
def revoke_invite(call_id: str):
    return jsonify(_commands().revoke_invite(g.user_id, call_id))


@bp.get("/checkinvite/<path:call_id>")
def check_invite(call_id: str):
    return jsonify(_commands().check_invite(g.user_id, call_id, request.args))


@bp.post("/acceptinvite/<path:call_id>")
def accept_invite(call_id: str):
    return jsonify(_commands().accept_invite(g.user_id, call_id, request_json_object()))


@bp.get("/orgidentities")
def get_org_identities():
    return jsonify(_commands().get_org_identities(g.user_id, request.args))


@bp.post("/guest/<path:call_id>")
def add_guest(call_id: str):
    """Anonymous, by the link: the Origin check of a login (a cross-site page must not make a visitor a guest)."""
    check_login_origin(browser_form=False)
    guest, call = _commands().add_guest(call_id, request_json_object())
    csrf = start_guest_session(guest)
    return jsonify({"guest": guest.to_json(), "call": call.to_json(guest.id), "csrfToken": csrf})
