"""The websocket of a guest (issue 12): the same protocol as a user's (:mod:`.ws`), narrowed to the guest's call.

A guest may read their call (``get``) and join or leave it (``update`` with ``joined`` / ``leaved``), use its call
channel and their own user channel (the hub checks both, as for anyone), send client logs and pings; every other
command is refused. The socket closes (1008) at the first ping interval after the guest lost their admission
(:func:`.guest_sessions.still_admitted`); their call channel is taken away at once already, since revocation removes
them from the call and the hub follows the ``call_leaved`` it causes.
"""
from __future__ import annotations

from typing import Any, Callable

from webconferencing.errors import AccessDenied, CallNotFound
from webconferencing.invites import GuestInfo

from .commands import parse_call_id
from .context import WebContext
from .guest_sessions import require_guest, still_admitted
from .ws import WebSocketSession

GUEST_COMMANDS = ("get", "update")
GUEST_STATES = ("joined", "leaved")


class GuestWebSocketSession(WebSocketSession):
    def __init__(self, ctx: WebContext, guest: GuestInfo, ws, signed_in: Callable[[], bool]) -> None:
        super().__init__(ctx, guest.id, ws, signed_in)
        self.guest = guest

    def on_call(self, frame: dict, request_id: Any) -> None:
        command = frame.get("command")
        if command not in GUEST_COMMANDS:
            raise AccessDenied(f"A guest may only {' and '.join(GUEST_COMMANDS)} their call")
        if parse_call_id(frame.get("callId")) != self.guest.call_id:
            raise CallNotFound(f"call '{frame.get('callId')}' not found")
        if command == "update" and frame.get("state") not in GUEST_STATES:
            raise AccessDenied("A guest may only join or leave their call")
        super().on_call(frame, request_id)


def serve_guest(ctx: WebContext, ws, signed_in: Callable[[], bool]) -> None:
    """The upgrade was made by an admitted guest (ws.authenticate_upgrade): serve them until they lose it."""
    guest = require_guest()
    GuestWebSocketSession(ctx, guest, ws, still_admitted(guest, signed_in)).run()
