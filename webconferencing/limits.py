"""The documented limits on what clients send: how long a title, a name or an id may be, which characters are never
accepted, and how deep a JSON document may nest.

Why here, in one module: the same rule must hold on every edge (REST, websocket commands, login) and on every
database. PostgreSQL refuses a NUL byte and a ``VARCHAR(255)`` overflow with an error (a 500 if it gets that far)
while SQLite silently stores a 100 kB title; checking at the edge, against these constants, gives the same 400 naming
the field on both. The service may import them too.

Lengths count characters (code points), as PostgreSQL's ``VARCHAR(n)`` does. Control characters (C0, DEL, C1), the
Unicode line and paragraph separators and lone surrogates are refused in every title, name and id: none belongs in
one, and each can forge a log line, break a terminal or fail a database encoder. Free text that may legitimately
hold a line break (a client's log message) is escaped with :func:`escape_controls` instead of refused.
"""
from __future__ import annotations

import re

from .errors import InvalidCallArgument

#: call ids, user ids (login names), space names, chat room ids, call owners: the ``VARCHAR(255)`` id columns
MAX_ID_LENGTH = 255
#: call titles and chat room titles: the ``VARCHAR(255)`` title columns
MAX_TITLE_LENGTH = 255
#: a browser tab's client id (the hub generates 8 to 64 of ``[A-Za-z0-9_-]``)
MAX_CLIENT_ID_LENGTH = 64
#: a provider type (``webrtc``, ``myconnector``): the ``VARCHAR(64)`` provider columns
MAX_PROVIDER_TYPE_LENGTH = 64
#: participants of one call, members of one chat room created by a client
MAX_PARTICIPANTS = 500
#: a password: hashing is deliberately slow, and its cost grows with the input
MAX_PASSWORD_LENGTH = 1024
#: one client log record's message (longer ones are cut), and its other fields (level, provider, prefix, timestamp)
MAX_LOG_MESSAGE_LENGTH = 8192
MAX_LOG_FIELD_LENGTH = 64
#: nesting of a JSON body or frame: the protocol needs 3; Python's parser fails (RecursionError) near 1000
MAX_JSON_DEPTH = 32
#: a JSON request body (the app's MAX_CONTENT_LENGTH); websocket frames have their own, smaller limit
MAX_JSON_BYTES = 1024 * 1024

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def has_control(value: str) -> bool:
    return _CONTROL.search(value) is not None


def check_text(value: str, field: str, max_length: int) -> str:
    """``value`` if it fits the rules for ``field``; else :class:`InvalidCallArgument` naming the field and the rule
    (never echoing the value: it may be megabytes long, or hold the very characters refused)."""
    if len(value) > max_length:
        raise InvalidCallArgument(f"Field '{field}' is longer than {max_length} characters", field=field)
    if has_control(value):
        raise InvalidCallArgument(f"Field '{field}' must not contain control characters (NUL, line breaks, ...)",
                                  field=field)
    return value


def escape_controls(text: str) -> str:
    """``text`` on one line: backslashes and control characters become escapes (``\\n``, ``\\x00``, ``\\u2028``), so
    client text written to a log can neither end the line nor forge the next one, and stays readable."""
    return re.sub(r"[\\\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]", _escape, text)


def _escape(match: re.Match) -> str:
    char = match.group()
    if char in _ESCAPES:
        return _ESCAPES[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
