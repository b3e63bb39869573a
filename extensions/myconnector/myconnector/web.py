"""My Connector's own pages, mounted by the server under the provider's URL (``/myconnector``).

* ``GET /myconnector/call/<callId>``: the call window ``webConferencing.showCallPopup()`` opens. It joins the call
  from its own tab (so closing the window is leaving the call), lists the participants and has a hang-up button.
* ``GET /myconnector/settings``: the settings form the admin page loads when the provider's ``showSettings()`` runs;
  the form saves through the core's ``POST /portal/rest/webconferencing/provider/myconnector/configuration``.

A provider switched off by an admin has no call window (404), as it has no call buttons.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from flask import Blueprint, abort, render_template

from webconferencing.web.connector import (
    current_user_id, extension_static_url, party_call, render_call_page, require_admin, sign_in_redirect,
)

if TYPE_CHECKING:
    from .provider import MyConnectorProvider

TEMPLATES = Path(__file__).parent / "templates"
STATIC_URL = extension_static_url(__file__)


def create_blueprint(provider: "MyConnectorProvider") -> Blueprint:
    bp = Blueprint(provider.get_type(), __name__, url_prefix=provider.url, template_folder=str(TEMPLATES))

    @bp.get("/call/<path:call_id>")
    def call_window(call_id: str):
        if not provider.is_active():
            abort(404)
        user_id = current_user_id()
        if not user_id:
            return sign_in_redirect()
        call = party_call(call_id, provider.get_type())  # not a party, or no such call: 404 alike
        return render_call_page("myconnector/call.html", call=call, call_title=call_title(call, user_id),
                                provider=provider.get_settings(), static_url=STATIC_URL)

    @bp.get("/settings")
    def settings_form():
        require_admin()
        return render_template("myconnector/settings.html", provider=provider.get_configuration())

    return bp


def call_title(call: dict, viewer: str) -> str:
    """What the viewer's window calls the call: a 1:1 call by the *other* party's name (its stored title is the
    callee's name, which the callee's own window must not show, issue 11), a group call by its title."""
    if call["ownerType"] == "user":
        other = next((p for p in call["participants"] if p["id"] != viewer), None)
        if other is not None:
            return other["title"]
    return call["title"]


