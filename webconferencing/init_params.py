"""Numbers read from a component's value-params (``<value-param>`` in configuration.xml), checked once.

Why one helper: every component with a tunable (the call log's flush interval, the ring timeout, session lifetimes)
needs the same rules, and a bad value must stop the boot with the same kind of message: the component, the
parameter, the property an admin sets, and the value that is wrong.
"""
from __future__ import annotations

from exo_container import InitParams
from exo_container.errors import InvalidParam


def value_param(params: InitParams | None, name: str) -> str:
    """The stripped text of value-param ``name`` ("" when absent or empty)."""
    param = params.get_value_param(name) if params else None
    return param.get_value().strip() if param else ""


def positive_number(params: InitParams | None, name: str, default: float, *, component: str,
                    prop: str | None = None, unit: str = "number") -> float:
    """Value-param ``name`` as a number above zero; ``default`` when absent or empty. A bad value is a
    :class:`InvalidParam` naming ``component``, the parameter and, when given, the property ``prop``."""
    raw = value_param(params, name)
    if not raw:
        return default
    where = f"{component}: {name}" + (f" ({prop})" if prop else "")
    try:
        value = float(raw)
    except ValueError:
        raise InvalidParam(f"{where} must be a {unit}, not '{raw}'", name) from None
    if not value > 0:
        raise InvalidParam(f"{where} must be positive, not '{raw}'", name)
    return value
