"""JSON from clients, parsed the same way at every edge: REST bodies (including the anonymous login and token
requests), the login form's JSON variant and websocket frames.

Why not plain ``json.loads``: a few kilobytes of ``[[[[...`` make CPython's parser raise ``RecursionError``, which no
``except ValueError`` catches, so each edge answered 500 with a traceback in the log. Here the nesting is measured
before parsing (a linear scan that stops as soon as the limit is passed), and every refusal is a
:class:`JsonRejected`, a ``ValueError``: each edge maps it once to its own client error (``BAD_REQUEST_ERROR`` on
REST, ``CLIENT_ERROR`` / ``FRAME_TOO_LARGE`` on the websocket).
"""
from __future__ import annotations

import json
import re
from typing import Any

from flask import request

from webconferencing.errors import InvalidCallArgument
from webconferencing.limits import MAX_JSON_BYTES, MAX_JSON_DEPTH

# a string literal (unrolled loop: no nested quantifier, so no catastrophic backtracking), or one bracket
_STRUCTURE = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


class JsonRejected(ValueError):
    """Not a JSON document this server accepts: malformed, too deep or too large."""


class JsonTooLarge(JsonRejected):
    pass


def nesting_exceeds(text: str, max_depth: int) -> bool:
    depth = 0
    for match in _STRUCTURE.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif token in "]}":
            depth -= 1
    return False


def parse_json(raw: str | bytes, *, max_bytes: int = MAX_JSON_BYTES, max_depth: int = MAX_JSON_DEPTH) -> Any:
    size = len(raw) if isinstance(raw, bytes) else len(raw.encode("utf-8", "surrogatepass"))
    if size > max_bytes:
        raise JsonTooLarge(f"JSON of {size} bytes exceeds the limit of {max_bytes} bytes")
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise JsonRejected("JSON is not UTF-8 text") from None
    if nesting_exceeds(raw, max_depth):
        raise JsonRejected(f"JSON nested deeper than {max_depth} levels")
    try:
        return json.loads(raw)
    except RecursionError:  # the scan above makes this unreachable; kept so no input can ever turn into a 500
        raise JsonRejected(f"JSON nested deeper than {max_depth} levels") from None
    except ValueError as exc:
        raise JsonRejected(f"not valid JSON ({exc.msg if isinstance(exc, json.JSONDecodeError) else exc})") from None


def request_json_object() -> dict[str, Any]:
    """The current request's JSON object (``{}`` for an empty body); anything else is a 400 naming the problem."""
    data = request.get_data(cache=True)
    if not data:
        return {}
    try:
        body = parse_json(data)
    except JsonRejected as exc:
        raise InvalidCallArgument(f"Request body: {exc}") from None
    if not isinstance(body, dict):
        raise InvalidCallArgument("Request body must be a JSON object")
    return body
