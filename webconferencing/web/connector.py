"""The web half of the connector SPI: what a connector's own pages may use.

A connector adds pages (a call window, a settings form) with the Flask blueprint its provider returns from
``CallProvider.get_blueprint()``. Those pages import what they need from here and from nowhere else in the web
layer, so the web layer's modules can change without breaking drop-in connectors.
"""
from __future__ import annotations

from pathlib import Path

from flask import Response, g, redirect, request, url_for

from webconferencing.errors import CallNotFound
from webconferencing.service import WebConferencingService

from .auth import require_admin
from .context import web_context
from .guest_sessions import current_guest
from .pages import render_call_page
from .resources import URL_PREFIX

__all__ = [
    "current_guest_id", "current_user_id", "extension_static_url", "party_call", "render_call_page", "require_admin",
    "service", "sign_in_redirect",
]


def current_user_id() -> str | None:
    """The signed-in user of this request (session cookie or bearer token), or None."""
    return g.get("user_id")


def current_guest_id() -> str | None:
    """The guest of this request while still admitted to their call (issue 12: a connector that supports guests
    serves them what its calls need, e.g. WebRTC's ICE servers), or None. Never a signed-in user."""
    guest = current_guest()
    return guest.id if guest is not None else None


def service() -> WebConferencingService:
    """The running service (calls, participants, identities)."""
    return web_context().service


def party_call(call_id: str, provider_type: str | None = None) -> dict:
    """The call as its party ``current_user_id()`` may see it (other tabs' client ids left out). To anyone else,
    and for a call of another provider, it is :class:`~webconferencing.errors.CallNotFound` (a 404 page), exactly
    as for a call that does not exist, so a call page cannot be used to probe call ids."""
    user_id = current_user_id()
    svc = web_context().service
    if not user_id or not svc.can_access_call(user_id, call_id):
        raise CallNotFound(f"call '{call_id}' not found")
    call = svc.get_call(call_id)
    if provider_type is not None and call.provider_type != provider_type:
        raise CallNotFound(f"call '{call_id}' not found")
    return call.to_json(user_id)


def sign_in_redirect() -> Response:
    """Send an anonymous visitor to the login form, coming back here once signed in."""
    return redirect(url_for("auth.login_page", next=request.full_path.rstrip("?")), code=303)


def extension_static_url(module_file: str) -> str:
    """The URL of the web root (``<extension>/static/``) of the extension whose Python package holds
    ``module_file`` (pass ``__file__``): call pages load their scripts and styles from there."""
    return f"{URL_PREFIX}/{Path(module_file).resolve().parents[1].name}"
