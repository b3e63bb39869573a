"""Metering of service operations: one ``webconferencing.metrics`` line per operation (operation, user, call,
status, duration).

Kept apart from the service so that what is measured, and where it goes (log lines today, real metrics later),
changes in one place without touching the rules of calls.
"""
from __future__ import annotations

import functools
import inspect
import logging
import time
from typing import Any, Callable

from .errors import WebConferencingError

metrics = logging.getLogger("webconferencing.metrics")


def metered(operation: Callable[..., Any]) -> Callable[..., Any]:
    """One metrics line per call of ``operation`` (the user and call are read from its arguments by name)."""
    names = list(inspect.signature(operation).parameters)[1:]
    call_index = names.index("call_id") if "call_id" in names else None
    user_index = names.index("user_id") if "user_id" in names else None

    def argument(index: int | None, name: str, args: tuple, kwargs: dict) -> Any:
        if name in kwargs:
            return kwargs[name]
        return args[index] if index is not None and index < len(args) else None

    @functools.wraps(operation)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not metrics.isEnabledFor(logging.INFO):
            return operation(self, *args, **kwargs)
        started = time.perf_counter()
        status = "ok"
        try:
            return operation(self, *args, **kwargs)
        except WebConferencingError as e:
            status = e.code
            raise
        except Exception:
            status = "SERVER_ERROR"
            raise
        finally:
            metrics.info("operation=%s user=%s call=%s status=%s duration=%.3fms", operation.__name__,
                         argument(user_index, "user_id", args, kwargs) or "-",
                         argument(call_index, "call_id", args, kwargs) or "-", status,
                         (time.perf_counter() - started) * 1000)

    return wrapper
