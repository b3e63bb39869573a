"""Requests gunicorn itself refuses (a request line over ``limit_request_line``: 414; a malformed request line or
header: 400; too many or too large headers: 431), answered in the project's JSON error shape ``{code, message}``
instead of gunicorn's HTML page.

Why here and not in the Flask app: these requests never reach it, gunicorn refuses them while parsing. Raising
gunicorn's limits to enforce them in the app instead is not possible (``limit_request_line`` has a hard maximum of
8190 bytes) and would let megabyte lines into every worker. The worker's error hook (:mod:`.runner`) calls
:func:`answer_client_error`.

Why JSON for every path: gunicorn refuses before it has read a path (a 414 is a line it stopped reading), so REST
clients cannot be told apart from pages; REST clients parse the body, and a browser shows a short JSON text just as
well. The status and code come from the same mapping as every other error (:func:`.errors.to_error`).
"""
from __future__ import annotations

import json
from http import HTTPStatus

from gunicorn.http import errors as http_errors
from werkzeug.exceptions import default_exceptions

from .errors import to_error

MAX_MESSAGE = 200  # gunicorn's message may quote the refused line: enough to recognise it, never the whole of it

_STATUS: list[tuple[type[Exception], int]] = [
    (http_errors.LimitRequestLine, 414),
    (http_errors.LimitRequestHeaders, 431),
    (http_errors.ExpectationFailed, 417),
    (http_errors.ForbiddenProxyRequest, 403),
    (http_errors.UnsupportedTransferCoding, 501),
]


def client_error_status(exc: BaseException) -> int | None:
    """The HTTP status for a request gunicorn could not parse; ``None`` for anything else (a server-side failure,
    a response the application got wrong: gunicorn's own handling stays)."""
    if not isinstance(exc, http_errors.ParseException) or isinstance(
            exc, (http_errors.InvalidResponseHeader, http_errors.InvalidResponseHeaderName,
                  http_errors.ConfigurationProblem)):
        return None
    for kind, status in _STATUS:
        if isinstance(exc, kind):
            return status
    return 400


def error_response(status: int, exc: BaseException) -> bytes:
    """A complete HTTP/1.1 response carrying ``{code, message}``; the connection is closed after it."""
    phrase = HTTPStatus(status).phrase
    detail = str(exc)[:MAX_MESSAGE]
    _status, body = to_error(default_exceptions[status](f"{phrase}: {detail}" if detail else phrase))
    payload = json.dumps(body).encode("utf-8")
    head = (f"HTTP/1.1 {status} {phrase}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"X-Content-Type-Options: nosniff\r\nContent-Length: {len(payload)}\r\n\r\n")
    return head.encode("latin-1") + payload


def answer_client_error(client, exc: BaseException) -> bool:
    """Write the JSON answer for a request gunicorn refused; False when ``exc`` is not such a refusal."""
    status = client_error_status(exc)
    if status is None:
        return False
    try:
        client.sendall(error_response(status, exc))
    except OSError:
        pass  # the client is gone already: nobody to tell
    return True
