"""Log lines that say which request, user, browser tab and call they belong to, as text or as JSON.

Why a context instead of passing ids around: a line logged deep in the service or the storage should still name
the request (``X-Request-Id``) and call it was logged for, without every function taking them as arguments. The
fields live in :mod:`contextvars`, which are per thread and, under gevent, per greenlet: one request's fields never
leak into another's lines. The web layer binds ``request_id`` and ``user`` for a request, the websocket session
its ``client_id``, the service's metering the ``call_id`` and ``user`` of an operation (:func:`bound`).

``exo.server.log.format`` chooses the form: ``text`` (the default; the bound fields are appended as
``name=value``) or ``json`` (one object per line, the fields as keys: what log shippers index without parsing).
"""
from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import logging
import traceback
from typing import Any, Iterator, Mapping

from exo_container.errors import InvalidProperty
from webconferencing.limits import escape_controls

LOG_FORMAT = "exo.server.log.format"
FORMATS = ("text", "json")
#: the fields a line may carry, in the order text lines show them
FIELDS = ("request_id", "user", "client_id", "call_id")
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(name)s] %(message)s"

_context: dict[str, contextvars.ContextVar[str | None]] = {
    name: contextvars.ContextVar(f"exo_log_{name}", default=None) for name in FIELDS}


def bind(**fields: Any) -> list[tuple[contextvars.ContextVar, contextvars.Token]]:
    """Bind fields (None values are skipped) until :func:`unbind` is given the returned tokens."""
    tokens = []
    for name, value in fields.items():
        if name not in _context:
            raise KeyError(f"unknown log field '{name}': expected one of {FIELDS}")
        if value is not None and value != "":
            var = _context[name]
            tokens.append((var, var.set(str(value))))
    return tokens


def unbind(tokens: list[tuple[contextvars.ContextVar, contextvars.Token]]) -> None:
    for var, token in reversed(tokens):
        var.reset(token)


@contextlib.contextmanager
def bound(**fields: Any) -> Iterator[None]:
    """These fields on every line logged inside the block (on this thread or greenlet)."""
    tokens = bind(**fields)
    try:
        yield
    finally:
        unbind(tokens)


def current() -> dict[str, str]:
    """The fields bound here now."""
    return {name: value for name, var in _context.items() if (value := var.get()) is not None}


def _fields(record: logging.LogRecord) -> dict[str, str]:
    """The bound fields, overridden by any given to the call itself (``log.info(..., extra={"call_id": ...})``)."""
    fields = current()
    for name in FIELDS:
        value = getattr(record, name, None)
        if value is not None:
            fields[name] = str(value)
    return fields


class ContextTextFormatter(logging.Formatter):
    """The usual text line, then `` name=value`` for each bound field."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        fields = _fields(record)
        if not fields:
            return line
        # escaped: a user or call id is caller text, and a line break in it must not forge another line
        suffix = " ".join(f"{name}={escape_controls(fields[name])}" for name in FIELDS if name in fields)
        first, newline, rest = line.partition("\n")  # a traceback stays below the line it belongs to
        return f"{first} {suffix}{newline}{rest}"


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the bound fields, and ``exception``
    (the formatted traceback) when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            entry["exception"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(entry, ensure_ascii=False, default=str)


def formatter(name: str) -> logging.Formatter:
    if name == "json":
        return JsonFormatter()
    if name == "text":
        return ContextTextFormatter()
    raise InvalidProperty(LOG_FORMAT, f"'{name}' is not one of {', '.join(FORMATS)}")


def format_of(properties: Mapping[str, str]) -> str:
    """The configured format name (``text`` when unset); an unknown one is an error naming the property."""
    name = (properties.get(LOG_FORMAT) or "text").strip().lower()
    formatter(name)
    return name


_configured = "text"


def configure(name: str, root: logging.Logger | None = None) -> None:
    """Give every handler of the root logger the named formatter (``logging.basicConfig`` made them); gunicorn's
    own loggers follow (:func:`configured_formatter`)."""
    global _configured
    chosen = formatter(name)
    for handler in (root or logging.getLogger()).handlers:
        handler.setFormatter(chosen)
    _configured = name


def console_line(logger: str, message: str) -> str:
    """A line printed outside logging (the "ready" line tools wait for) in the configured form: as is for text, one
    JSON object like every other line for json."""
    if _configured != "json":
        return message
    return JsonFormatter().format(logging.LogRecord(logger, logging.INFO, __file__, 0, message, None, None))


def configured_formatter() -> logging.Formatter:
    """The formatter :func:`configure` chose for this process (text until it runs)."""
    return formatter(_configured)
