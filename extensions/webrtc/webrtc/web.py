"""The WebRTC provider's REST: ``GET /portal/rest/webconferencing/webrtc/iceservers`` gives the signed-in user (or an
admitted guest of a WebRTC call) the RTCIceServers to use now, TURN included with credentials that expire
(:mod:`.turn`).

Per request and per user on purpose: the credentials must never sit in a cached page or in the anonymous provider
list, and coturn's logs then name who relayed. ``Cache-Control: no-store`` keeps them out of proxies.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Blueprint, abort, jsonify

from webconferencing.web.connector import current_guest_id, current_user_id

if TYPE_CHECKING:
    from .provider import WebRTCProvider


def create_blueprint(provider: "WebRTCProvider") -> Blueprint:
    from .provider import ICE_SERVERS_PATH

    bp = Blueprint(provider.get_type(), __name__)

    @bp.get(ICE_SERVERS_PATH)
    def ice_servers():
        if not provider.is_active():
            abort(404)
        user_id = current_user_id() or current_guest_id()  # a guest in a WebRTC call needs TURN too (issue 12)
        if not user_id:
            abort(401)
        response = jsonify({"iceServers": provider.ice_servers_for(user_id)})
        response.headers["Cache-Control"] = "no-store"
        return response

    return bp
