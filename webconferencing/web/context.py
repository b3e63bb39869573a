"""What the web layer takes from the booted container, gathered once per app (blueprints reach it through
:func:`web_context` instead of module globals, so several apps - e.g. tests - can live in one process)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

from flask import current_app

if TYPE_CHECKING:
    from webconferencing.broker import Broker
    from webconferencing.calllog import CallLogService
    from webconferencing.identity import IdentityDirectory
    from webconferencing.service import WebConferencingService

    from .commands import CallCommands
    from .hub import ChannelHub
    from .quotas import Quotas
    from .session_sockets import SessionSockets
    from .sessions import SessionStore
    from .settings import ServerSettings
    from .throttle import LoginThrottle

EXTENSION = "webconferencing"


@dataclass
class WebContext:
    service: "WebConferencingService"
    identities: "IdentityDirectory"
    broker: "Broker"
    call_log: "CallLogService"
    settings: "ServerSettings"
    #: login sessions and bearer tokens (server-side, shared by every worker)
    sessions: "SessionStore"
    commands: "CallCommands"
    hub: "ChannelHub"
    login_throttle: "LoginThrottle"
    #: closes this thread's/greenlet's database connection after a request or a websocket frame (see app.py)
    release_database: Callable[[], None]
    #: per-user quotas of call and room creations and of open websockets (shared through Redis when configured)
    quotas: "Quotas"
    #: the open websockets of each login session: a logout closes them at once, in every process
    session_sockets: "SessionSockets"
    #: what the kernel reported at boot, ``(severity, text)``: with --lenient, the files and plugins it skipped
    configuration_problems: tuple[tuple[str, str], ...] = ()


def web_context() -> WebContext:
    return current_app.extensions[EXTENSION]
