"""Guest sessions (issue 12): an external guest admitted by a call's invite link gets a short-lived session that
reaches that call's page and websocket, and nothing else.

Built on the server-side sessions (:mod:`.sessions`): a guest session is a browser session whose owner is the guest's
id (``guest~...``). :func:`.auth.identify_request` puts that id in ``g.guest_id`` and never in ``g.user_id``, so every
route that asks :func:`.auth.require_user` (the portal, the directory, other calls, REST) refuses a guest as it
refuses an anonymous visitor. The routes meant for guests ask :func:`require_guest`, which also checks that the guest
is still admitted (link not revoked, still inviting everyone, call running): the moment that ends, the session is
ended too.
"""
from __future__ import annotations

import secrets
from typing import Callable

from flask import g, session

from webconferencing.invites import GuestInfo

from .context import web_context
from .errors import NotAuthenticated
from .sessions import ServerSession


def start_guest_session(guest: GuestInfo) -> str:
    """A new session for the guest (whatever session the browser had is ended first); returns its CSRF token."""
    current: ServerSession = session  # type: ignore[assignment]
    current.end()
    current["user_id"] = guest.id
    current["csrf"] = secrets.token_urlsafe(32)
    return current["csrf"]


def current_guest() -> GuestInfo | None:
    """The guest of this request while still admitted; a guest session that lost its admission is ended."""
    guest_id = g.get("guest_id")
    if not guest_id:
        return None
    guest = web_context().service.get_guest(guest_id)
    if guest is None:
        current: ServerSession = session  # type: ignore[assignment]
        current.end()
        g.guest_id = None
    return guest


def require_guest(call_id: str | None = None) -> GuestInfo:
    """The admitted guest of this request, for ``call_id`` when given; anyone else is not authenticated here."""
    guest = current_guest()
    if guest is None or (call_id is not None and guest.call_id != call_id):
        raise NotAuthenticated("A guest session for this call is required (the invite link may have been revoked, "
                               "or the call ended)")
    return guest


def still_admitted(guest: GuestInfo, signed_in: Callable[[], bool]) -> Callable[[], bool]:
    """For a guest's websocket: alive while its session is and the guest is still admitted. Asked once per ping
    interval, which is also when a call left to its guests for the grace period is ended (the server does what the
    original's connector did in the browser)."""
    ctx = web_context()
    grace = ctx.settings.grace_seconds

    def check() -> bool:
        if not signed_in() or ctx.service.get_guest(guest.id) is None:
            return False
        ctx.service.end_if_guests_alone(guest.call_id, grace)
        return ctx.service.get_guest(guest.id) is not None

    return check
