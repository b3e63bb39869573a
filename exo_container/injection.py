"""Constructor selection, the way the eXo kernel (picocontainer) chooses a constructor.

A class states what it needs in its constructor's type hints; the container never
reads attributes or decorators to inject fields.  A class may offer alternative
constructors (classmethods marked with :func:`constructor`); candidates are tried
from the largest parameter count down, and the first one whose parameters can all be
satisfied wins, which is how a component adapts to optional collaborators.

This module only *describes* constructors (:class:`Constructor`, :class:`Parameter`);
deciding whether a parameter is satisfiable needs the registry, so that part lives in
the container.
"""
from __future__ import annotations

import enum
import inspect
import types
import typing
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable

from .errors import ContainerError
from .params import InitParams

_CONSTRUCTOR_MARK = "__exo_constructor__"


def constructor(func: Any) -> Any:
    """Mark a classmethod as an alternative constructor the container may choose.

    Usable above or below ``@classmethod``::

        class Store:
            def __init__(self, params: InitParams): ...

            @constructor
            @classmethod
            def with_cache(cls, params: InitParams, cache: Cache) -> "Store": ...
    """
    target = func.__func__ if isinstance(func, (classmethod, staticmethod)) else func
    setattr(target, _CONSTRUCTOR_MARK, True)
    return func


class ParameterKind(enum.Enum):
    INIT_PARAMS = "init-params"  # the component's own init-params (None when it has none)
    COMPONENT = "component"  # a component looked up by type
    UNSUPPORTED = "unsupported"  # no usable annotation: only a default or Optional can satisfy it


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: ParameterKind
    type: type | None = None  # for COMPONENT: the type looked up
    optional: bool = False  # annotated ``X | None``: None is acceptable when nothing matches
    has_default: bool = False  # may be left to its default when nothing matches
    annotation: str = ""  # as written, for error messages

    def describe(self) -> str:
        return f"{self.name}: {self.annotation}" if self.annotation else self.name


@dataclass(frozen=True)
class Constructor:
    """One way to build instances of ``owner``."""

    owner: type
    factory: Callable[..., Any]  # the class itself, or a bound classmethod
    label: str  # "pkg.Cls" or "pkg.Cls.with_cache", for messages
    parameters: tuple[Parameter, ...]


def qualified_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


@lru_cache(maxsize=None)
def constructors_of(cls: type) -> tuple[Constructor, ...]:
    """Every constructor of ``cls``, largest parameter count first (``__init__`` first on ties).

    Cached per class: parsing type hints is the expensive part of wiring.
    """
    candidates = [Constructor(cls, cls, qualified_name(cls), _parameters(cls, cls.__init__, skip_first=True))]
    for attr_name, raw in _marked_members(cls):
        bound = getattr(cls, attr_name)
        candidates.append(
            Constructor(cls, bound, f"{qualified_name(cls)}.{attr_name}", _parameters(cls, raw, skip_first=isinstance(inspect.getattr_static(cls, attr_name), classmethod)))
        )
    # stable sort keeps __init__ ahead of an alternative with the same arity
    return tuple(sorted(candidates, key=lambda c: -len(c.parameters)))


def _marked_members(cls: type) -> list[tuple[str, Callable[..., Any]]]:
    found: list[tuple[str, Callable[..., Any]]] = []
    seen: set[str] = set()
    for klass in cls.__mro__:
        for attr_name, value in vars(klass).items():
            if attr_name in seen:
                continue
            seen.add(attr_name)
            func = value.__func__ if isinstance(value, (classmethod, staticmethod)) else value
            if getattr(func, _CONSTRUCTOR_MARK, False):
                found.append((attr_name, func))
    return found


def _parameters(owner: type, func: Callable[..., Any], *, skip_first: bool) -> tuple[Parameter, ...]:
    if func is object.__init__:
        return ()
    try:
        signature = inspect.signature(func)
    except (TypeError, ValueError):  # builtins without a signature: treat as no-arg
        return ()
    try:
        hints = typing.get_type_hints(func)
    except Exception as exc:  # a forward reference that does not resolve
        raise ContainerError(
            f"Cannot read the constructor type hints of {qualified_name(owner)}: {exc}"
        ) from exc
    params = list(signature.parameters.values())
    if skip_first and params:
        params = params[1:]
    result = []
    for p in params:
        if p.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
            continue
        result.append(_describe(p, hints.get(p.name, inspect.Parameter.empty)))
    return tuple(result)


def _describe(p: inspect.Parameter, hint: Any) -> Parameter:
    has_default = p.default is not inspect.Parameter.empty
    if hint is inspect.Parameter.empty:
        return Parameter(p.name, ParameterKind.UNSUPPORTED, has_default=has_default)
    annotation = _format(hint)
    optional = False
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        optional = len(args) < len(typing.get_args(hint))
        if len(args) != 1:
            return Parameter(p.name, ParameterKind.UNSUPPORTED, optional=optional, has_default=has_default, annotation=annotation)
        hint = args[0]
    if hint is InitParams:
        return Parameter(p.name, ParameterKind.INIT_PARAMS, InitParams, optional, has_default, annotation)
    if isinstance(hint, type) and typing.get_origin(hint) is None:
        return Parameter(p.name, ParameterKind.COMPONENT, hint, optional, has_default, annotation)
    return Parameter(p.name, ParameterKind.UNSUPPORTED, optional=optional, has_default=has_default, annotation=annotation)


def _format(hint: Any) -> str:
    if isinstance(hint, type) and typing.get_origin(hint) is None:
        return hint.__qualname__
    return str(hint).replace("typing.", "")
