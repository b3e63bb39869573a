"""Whether the kernel may run a class's code: ``exo-container check`` and ``dump`` must not.

Reading a configuration runs code in two places: object-params are built at parse time
(the class is imported, its constructor called, its fields set) and components and
plugins are imported to register them.  A configuration file is data; inspecting one
must not import whatever module it names (a crafted ``<object type="...">`` would
otherwise run at ``check`` time).  Without ``--deep``, only the kernel's own classes
(``exo_container.*``, e.g. the portal-container definitions every extension uses) are
loaded; anything else is kept as written (:class:`UnbuiltObject`) or reported as not
checked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .aliases import resolve_alias

KERNEL_PACKAGE = "exo_container"


class ProjectCodeNotRun(LookupError):
    """A class outside the kernel was needed while project code may not run."""


def python_path(type_name: str) -> str:
    """The dotted path a ``type``/``key`` designates (Java alias resolved; ``Outer$Inner`` allowed)."""
    name = type_name.strip()
    path = resolve_alias(name)
    if path == name and "$" in name:
        path = resolve_alias(name.replace("$", "."))
    return path


def is_kernel_class(type_name: str) -> bool:
    """True when ``type_name`` designates a class of the kernel itself (safe to load)."""
    path = python_path(type_name)
    return path == KERNEL_PACKAGE or path.startswith(KERNEL_PACKAGE + ".")


@dataclass
class UnbuiltObject:
    """An ``<object>`` read without loading its class: the type as written, its fields as read.

    What ``check`` and ``dump`` see without ``--deep``; field values are built as far as
    they are plain values (strings, numbers, collections, maps, other unbuilt objects).
    """

    type: str
    fields: dict[str, Any] = field(default_factory=dict)
