"""The one place where exceptions become wire errors ``{code, message}`` (REST bodies and websocket error frames).

The core raises meaningful exceptions (:class:`~webconferencing.errors.WebConferencingError` subclasses carry their
wire ``code`` and HTTP ``status``); the web layer adds the few that only exist at the edge (not authenticated, CSRF,
malformed frames). Anything unexpected becomes ``SERVER_ERROR`` with a neutral message: the details go to the server
log, never to the client.

One difference between the transports, kept from the two specifications: a refusal (HTTP 403) is
``FORBIDDEN_ERROR`` in REST bodies and ``ACCESS_ERROR`` in websocket frames (the original's channel error code). A
missing or bad login is ``UNAUTHORIZED_ERROR`` with HTTP 401 (REST, and the refused websocket upgrade).
"""
from __future__ import annotations

import logging
from typing import Any

from flask import Flask, jsonify, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from webconferencing.errors import AccessDenied, WebConferencingError
from webconferencing.storage import is_unavailable

log = logging.getLogger("webconferencing.web")

SERVER_ERROR = "SERVER_ERROR"
CLIENT_ERROR = "CLIENT_ERROR"
ACCESS_ERROR = "ACCESS_ERROR"
FORBIDDEN_ERROR = "FORBIDDEN_ERROR"
UNAUTHORIZED_ERROR = "UNAUTHORIZED_ERROR"
FRAME_TOO_LARGE = "FRAME_TOO_LARGE"
SERVER_UNAVAILABLE = "SERVER_UNAVAILABLE"

_HTTP_CODES = {
    400: "BAD_REQUEST_ERROR",
    401: UNAUTHORIZED_ERROR,
    403: FORBIDDEN_ERROR,
    404: "NOT_FOUND_ERROR",
    409: "CALL_CONFLICT_ERROR",
}


class NotAuthenticated(WebConferencingError):
    """No valid session cookie or bearer token, or wrong credentials."""

    code = UNAUTHORIZED_ERROR
    status = 401


class CsrfRejected(AccessDenied):
    """A cookie-authenticated state-changing request without the session's CSRF token."""


class ClientError(WebConferencingError):
    """A websocket frame the server cannot understand (not JSON, not an object, unknown type)."""

    code = CLIENT_ERROR
    status = 400


class FrameTooLarge(WebConferencingError):
    code = FRAME_TOO_LARGE
    status = 413


class ShuttingDown(WebConferencingError):
    """The process is stopping: a websocket it accepted now would be closed at once (or hold up the stop), so the
    client is told to try again (it reconnects to the next process with its client id)."""

    code = SERVER_UNAVAILABLE
    status = 503


class ChannelAccessDenied(WebConferencingError):
    """A subscription or publication to a channel the user may not use (the original's channel access error)."""

    code = ACCESS_ERROR
    status = 403


# The error pages' titles and what they tell a person, in the page's language (issue 11); the ``{code, message}``
# bodies stay English: they are for developers (see web/i18n.py).
PAGE_TITLES = {400: _l("Bad Request"), 401: _l("Unauthorized"), 403: _l("Forbidden"), 404: _l("Not Found"),
               405: _l("Method Not Allowed"), 409: _l("Conflict"), 413: _l("Request Entity Too Large"),
               429: _l("Too Many Requests"), 500: _l("Internal Server Error"), 503: _l("Service Unavailable")}
PAGE_EXPLANATIONS = {
    401: _l("Sign in to see this page."),
    403: _l("You are not allowed to see this page."),
    404: _l("This page does not exist, or it is not there any more."),
    429: _l("Too many requests: wait a moment and try again."),
    500: _l("Something went wrong on the server. Try again later."),
    503: _l("The server cannot answer right now. Try again shortly."),
}


def error_body(code: str, message: str) -> dict[str, str]:
    return {"code": code, "message": message}


def to_error(exc: BaseException, *, rest: bool = True) -> tuple[int, dict[str, str]]:
    """(HTTP status, ``{code, message}``) for any exception raised while serving a client."""
    if isinstance(exc, WebConferencingError):
        code = FORBIDDEN_ERROR if rest and exc.status == 403 else exc.code
        if not rest and exc.status == 403:
            code = ACCESS_ERROR
        return exc.status, error_body(code, str(exc) or exc.code)
    if isinstance(exc, HTTPException):
        status = exc.code or 500
        code = _HTTP_CODES.get(status, CLIENT_ERROR if 400 <= status < 500 else SERVER_ERROR)
        return status, error_body(code, exc.description or exc.name)
    if is_unavailable(exc):  # not the request's fault, and not worth a traceback per request
        log.warning("Database unavailable serving %s: %s", _where(), exc)
        return 503, error_body(SERVER_UNAVAILABLE, "The database is not available right now: try again shortly")
    log.exception("Unexpected error serving %s", _where())
    return 500, error_body(SERVER_ERROR, "Internal server error")


def _where() -> str:
    try:
        return f"{request.method} {request.path}"
    except RuntimeError:  # outside a request (websocket frame handled after the upgrade, timers)
        return "a websocket client"


def error_response(exc: BaseException) -> Any:
    status, body = to_error(exc)
    response = jsonify(body)
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="webconferencing"'
    retry_after = getattr(exc, "retry_after", None)
    if isinstance(retry_after, int):
        response.headers["Retry-After"] = str(retry_after)
    return response


def error_page(exc: BaseException) -> Any:
    """The HTML page of an error, for browsers. Its message often quotes the request (a call id from the URL), so
    it is only ever rendered as escaped text by the template, never written into the page as markup."""
    status, body = to_error(exc)
    title = PAGE_TITLES.get(status, _l("Error"))
    explanation = PAGE_EXPLANATIONS.get(status, _l("The request could not be served."))
    response = make_response(render_template("error.html", status=status, title=title, explanation=explanation,
                                             message=body["message"]), status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="webconferencing"'
    if isinstance(exc, HTTPException):  # e.g. the Allow header of a 405
        for name, value in exc.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
    return response


def register_error_handlers(app: Flask) -> None:
    """JSON errors for REST paths; pages get an HTML error page (a browser shows them). Redirects raised as
    exceptions (Flask's trailing-slash ``RequestRedirect``) stay redirects."""

    def handle(exc: BaseException):
        if _wants_json():
            return error_response(exc)
        if isinstance(exc, HTTPException) and (exc.code or 500) < 400:
            return exc
        return error_page(exc)

    app.register_error_handler(WebConferencingError, handle)
    app.register_error_handler(HTTPException, handle)
    app.register_error_handler(Exception, handle)


def _wants_json() -> bool:
    path = request.path
    return path.startswith("/portal/rest/") or path.startswith("/webconferencing/") or request.is_json
