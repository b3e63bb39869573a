"""The request id: taken from the ``X-Request-Id`` header (a proxy's, so one id follows a request through nginx and
here) or generated, bound to every log line of the request with its user (:mod:`webconferencing.observability.logs`)
and echoed in the response's ``X-Request-Id``.

A header value is only accepted when it looks like an id (letters, digits, ``._-``, at most 128 characters): it
ends up in log lines, where a crafted value must not forge line breaks or fields.
"""
from __future__ import annotations

import re
import uuid

from flask import Flask, Response, g, request

from webconferencing.observability import logs

HEADER = "X-Request-Id"
VALID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def request_id_of(header: str | None) -> str:
    """The client's id when it is a valid one, else a new one."""
    if header and VALID.match(header):
        return header
    return uuid.uuid4().hex


def _begin() -> None:
    g.request_id = request_id_of(request.headers.get(HEADER))
    g.request_log_tokens = logs.bind(request_id=g.request_id)


def _identified() -> None:
    """After the app's authentication: the user is known (or nobody)."""
    user_id = g.get("user_id")
    if user_id:
        g.request_log_tokens = g.get("request_log_tokens", []) + logs.bind(user=user_id)


def bind_to_request(**fields: str | None) -> None:
    """More log fields for the rest of this request (a websocket's ``client_id`` once its handshake named it);
    unbound with the request's own at its end."""
    g.request_log_tokens = g.get("request_log_tokens", []) + logs.bind(**fields)


def _echo(response: Response) -> Response:
    response.headers[HEADER] = g.get("request_id") or request_id_of(None)
    return response


def _end(_exc: BaseException | None) -> None:
    tokens = g.pop("request_log_tokens", None)
    if tokens:
        logs.unbind(tokens)


def install(app: Flask) -> None:
    """``_begin`` runs before every other ``before_request`` (authentication logs too, and may refuse the request);
    ``_identified`` after those registered so far, i.e. after the app's authentication."""
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.before_request(_identified)
    app.after_request(_echo)
    app.teardown_request(_end)
