"""The Flask application factory: the web front end of one booted container.

``create_app(container)`` receives the core components through dependency-injector's wiring of the container
(``@inject`` + ``Provide["<provider name>"]``, :meth:`exo_container.ExoContainer.wire`): it never builds nor looks
them up by hand, so a provider overridden in the container (a test's, an operator's replacement) is what the web
layer gets. It reads the server settings from the container's property store and registers the blueprints. The app
owns the :class:`~.hub.ChannelHub`; :func:`shutdown_app` closes it (websockets told "going away") before the
container stops.
"""
from __future__ import annotations

import datetime as dt
import logging
import sys
from dataclasses import dataclass

from dependency_injector.wiring import Provide, inject
from flask import Flask

from webconferencing.broker import Broker
from webconferencing.calllog import CallLogService
from webconferencing.identity import IdentityDirectory
from webconferencing.service import WebConferencingService
from webconferencing.storage import Database

from . import auth, call_pages, headers, history_pages, i18n, invite_rest, messages, operations, pages, rest, ws
from .auth import csrf_token, identify_request
from .commands import CallCommands
from .context import EXTENSION, WebContext
from .errors import register_error_handlers
from .quotas import Quotas
from .hub import create_hub
from .session_sockets import SessionSockets
from .sessions import ServerSessionInterface, SessionStore
from .settings import ServerSettings
from .throttle import LoginThrottle

log = logging.getLogger("webconferencing.web")

SESSION_COOKIE = "exo_webconf_session"
TRANSPORT_FRAME_FACTOR = 16  # frames up to 16x the protocol limit get an error frame; beyond, the socket is cut


@dataclass(frozen=True)
class CoreComponents:
    """What the web layer takes from the container."""

    service: WebConferencingService
    identities: IdentityDirectory
    broker: Broker
    call_log: CallLogService
    sessions: SessionStore
    database: Database


@inject
def _core_components(service: WebConferencingService = Provide["web_conferencing_service"],
                     identities: IdentityDirectory = Provide["identity_directory"],
                     broker: Broker = Provide["broker"],
                     call_log: CallLogService = Provide["call_log_service"],
                     sessions: SessionStore = Provide["session_store"],
                     database: Database = Provide["database"]) -> CoreComponents:
    core = CoreComponents(service, identities, broker, call_log, sessions, database)
    missing = [name for name, value in vars(core).items() if isinstance(value, Provide)]
    if missing:  # an unwired marker stays a marker: say which component configuration.xml lacks
        raise LookupError(f"The container has no component for {missing}: check configuration.xml")
    return core


def core_components(container) -> CoreComponents:
    """The core components of ``container``, through its dependency-injector wiring."""
    container.wire(modules=[sys.modules[__name__]])
    return _core_components()


def create_app(container, settings: ServerSettings | None = None) -> Flask:
    """The app serving ``container``'s service; ``settings`` default to the container's properties."""
    if settings is None:
        settings = ServerSettings.from_properties(container.properties.as_dict())
    settings = settings.with_secret()
    core = core_components(container)
    service, broker = core.service, core.broker
    quotas = Quotas.from_settings(settings)  # per-user creation and open-socket quotas, in Redis when configured
    ctx = WebContext(
        service=service,
        identities=core.identities,
        broker=broker,
        call_log=core.call_log,
        settings=settings,
        sessions=core.sessions,
        commands=CallCommands(service, quotas),
        hub=create_hub(container, service, broker, settings.grace_seconds),
        login_throttle=LoginThrottle(settings.login_max_failures, settings.login_max_address_failures,
                                     settings.login_window_seconds),
        release_database=core.database.release,
        quotas=quotas,
        session_sockets=SessionSockets(broker),
        configuration_problems=tuple((p.severity, str(p)) for p in getattr(container, "problems", ())),
    )

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret,
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        PERMANENT_SESSION_LIFETIME=dt.timedelta(seconds=settings.session_seconds),
        MAX_CONTENT_LENGTH=1024 * 1024,
        SOCK_SERVER_OPTIONS={"max_message_size": settings.max_frame_bytes * TRANSPORT_FRAME_FACTOR},
        WEBCONFERENCING_HOME=pages.HOME,
    )
    app.extensions[EXTENSION] = ctx
    # server-side: logout is final (sessions.py), and closes the session's websockets at once (session_sockets.py)
    app.session_interface = ServerSessionInterface(ctx.sessions, on_end=ctx.session_sockets.ended)
    app.before_request(identify_request)
    app.context_processor(lambda: {"csrf_token": csrf_token()})
    app.teardown_request(lambda _exc: ctx.release_database())
    register_error_handlers(app)
    i18n.install(app)  # issue 11: pages in the profile's or the browser's language (en, fr)
    messages.install(app, container)  # issue 11: the JS texts of the core and the connectors (resource bundles)
    operations.install(app, container, ctx)  # /metrics, /health/*, request ids, trusted proxies
    headers.install(app)  # CSP, frame and sniffing headers on every response
    for blueprint in (auth.bp, rest.bp, ws.bp, pages.bp, invite_rest.bp, call_pages.bp):  # the last two: issue 12
        app.register_blueprint(blueprint)
    for blueprint in history_pages.BLUEPRINTS:  # issue 11: call history, Calls page, missed-calls badge
        app.register_blueprint(blueprint)
    pages.install(app, [extension.path for extension in getattr(container, "extensions", ())])
    for provider in service.get_providers():  # connectors' own pages (CallProvider.get_blueprint)
        blueprint = provider.get_blueprint()
        if blueprint is not None:
            app.register_blueprint(blueprint)
    return app


def shutdown_app(app: Flask) -> None:
    """Close every websocket of this app (code 1001, so clients reconnect); the container is stopped after."""
    ctx: WebContext = app.extensions[EXTENSION]
    ctx.session_sockets.close()
    ctx.hub.close(going_away=lambda connection: connection.close(ws.GOING_AWAY, "Server shutting down"))
