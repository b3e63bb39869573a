"""Java class names as aliases of Python classes.

Configuration written for the Java add-on names Java classes
(``org.exoplatform.webconferencing.WebConferencingService``); a Python class
declares those names so the same XML ports unchanged.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator, Mapping, TypeVar

T = TypeVar("T", bound=type)

_ALIASES: dict[str, str] = {}


def java_name(*names: str) -> Callable[[T], T]:
    """Class decorator: register ``names`` as aliases of the decorated class."""

    def register(cls: T) -> T:
        target = f"{cls.__module__}.{cls.__qualname__}"
        for name in names:
            _ALIASES[name] = target
        cls.__java_names__ = tuple(names)  # type: ignore[attr-defined]
        return cls

    return register


def register_alias(java: str, python_path: str) -> None:
    """Declare an alias without importing the target (for modules that must stay lazy)."""
    _ALIASES[java] = python_path


@contextmanager
def aliases_declared(aliases: Mapping[str, str]) -> Iterator[None]:
    """Declare ``java -> python_path`` aliases for a while, then put back what was there.

    For a harness that stands in for another product's classes (the kernel's own tests declare a stand-in
    ``org.exoplatform.webconferencing.WebConferencingService``): a lasting declaration would shadow the real
    product's alias for everything that runs later in the same process.
    """
    saved = {name: _ALIASES.get(name) for name in aliases}
    _ALIASES.update(aliases)
    try:
        yield
    finally:
        for name, previous in saved.items():
            if previous is None:
                _ALIASES.pop(name, None)
            else:
                _ALIASES[name] = previous


_ENTRY_POINT_GROUP = "exo_container.aliases"
_entry_points: dict[str, str] | None = None


def _declared_aliases() -> dict[str, str]:
    """Aliases installed packages declare as entry points (group ``exo_container.aliases``, ``java = module:Class``),
    so a Java name resolves before the module that carries its ``@java_name`` was ever imported."""
    global _entry_points
    if _entry_points is None:
        from importlib.metadata import entry_points

        _entry_points = {ep.name: ep.value.replace(":", ".") for ep in entry_points(group=_ENTRY_POINT_GROUP)}
    return _entry_points


def resolve_alias(name: str) -> str:
    """The Python dotted path for ``name`` (itself when it is no alias)."""
    return _ALIASES.get(name) or _declared_aliases().get(name, name)


def known_aliases() -> dict[str, str]:
    return {**_declared_aliases(), **_ALIASES}
