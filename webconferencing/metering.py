"""Metering of service operations: each operation is timed into the ``webconferencing_operation_duration_seconds``
histogram (by operation and outcome), and, for operators who want it, one ``webconferencing.metrics`` DEBUG line
(operation, user, call, status, duration).

Kept apart from the service so that what is measured, and where it goes, changes in one place without touching the
rules of calls. While an operation runs, its call and user are bound to the log context
(:mod:`webconferencing.observability.logs`): every line logged inside it carries them as fields.
"""
from __future__ import annotations

import functools
import inspect
import logging
import time
from typing import Any, Callable

from .errors import WebConferencingError
from .limits import escape_controls
from .observability import logs
from .observability.metrics import record_operation

metrics = logging.getLogger("webconferencing.metrics")

SERVER_ERROR = "SERVER_ERROR"


def metered(operation: Callable[..., Any]) -> Callable[..., Any]:
    """Time every call of ``operation``; the user and call are read from its arguments by name."""
    names = list(inspect.signature(operation).parameters)[1:]
    call_index = names.index("call_id") if "call_id" in names else None
    user_index = names.index("user_id") if "user_id" in names else None
    name = operation.__name__

    def argument(index: int | None, key: str, args: tuple, kwargs: dict) -> Any:
        if key in kwargs:
            return kwargs[key]
        return args[index] if index is not None and index < len(args) else None

    @functools.wraps(operation)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        call_id = argument(call_index, "call_id", args, kwargs)
        user_id = argument(user_index, "user_id", args, kwargs)
        started = time.perf_counter()
        status = "ok"
        tokens = logs.bind(call_id=call_id, user=user_id)  # as logs.bound, without a generator per operation
        try:
            return operation(self, *args, **kwargs)
        except WebConferencingError as e:
            status = e.code
            raise
        except Exception:
            status = SERVER_ERROR
            raise
        finally:
            logs.unbind(tokens)
            seconds = time.perf_counter() - started
            record_operation(name, status, seconds)
            if metrics.isEnabledFor(logging.DEBUG):
                # the ids are the caller's text: escaped, so a line break in one cannot forge another line
                metrics.debug("operation=%s user=%s call=%s status=%s duration=%.3fms", name,
                              escape_controls(str(user_id or "-")), escape_controls(str(call_id or "-")), status,
                              seconds * 1000, extra={k: v for k, v in (("call_id", call_id), ("user", user_id)) if v})

    return wrapper
