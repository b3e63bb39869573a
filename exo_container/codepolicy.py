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

import importlib
import importlib.util
from dataclasses import dataclass, field
from functools import lru_cache
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
    """True when ``type_name`` designates a class *defined* in the kernel (safe to load).

    A name under ``exo_container.`` is not enough: a dotted path may go on through a kernel
    module into whatever that module imported (``exo_container.jvm.tempfile.TemporaryDirectory``
    would build a standard-library class that creates a folder). Only kernel modules are
    imported to find out; the path must then name classes all the way, the last one defined
    in the kernel.
    """
    return _is_kernel_path(python_path(type_name))


@lru_cache(maxsize=4096)
def _is_kernel_path(path: str) -> bool:
    if path != KERNEL_PACKAGE and not path.startswith(KERNEL_PACKAGE + "."):
        return False
    parts = path.split(".")
    for split in range(len(parts), 0, -1):
        module_name = ".".join(parts[:split])
        try:
            found = importlib.util.find_spec(module_name) is not None  # imports kernel parents only
        except (ImportError, ValueError):
            found = False
        if found:
            break
    else:
        return False
    obj: Any = importlib.import_module(module_name)
    for attr in parts[split:]:
        obj = obj.__dict__.get(attr) if isinstance(obj, type) or attr == parts[split] else None
        if not isinstance(obj, type):
            return False
    module = getattr(obj, "__module__", "") or ""
    return split < len(parts) and (module == KERNEL_PACKAGE or module.startswith(KERNEL_PACKAGE + "."))


@dataclass
class UnbuiltObject:
    """An ``<object>`` read without loading its class: the type as written, its fields as read.

    What ``check`` and ``dump`` see without ``--deep``; field values are built as far as
    they are plain values (strings, numbers, collections, maps, other unbuilt objects).
    """

    type: str
    fields: dict[str, Any] = field(default_factory=dict)
