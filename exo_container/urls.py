"""Where an ``<import>`` (or a top-level configuration URL) points: eXo's
``ConfigurationManagerImpl.getURL`` with Python packages standing in for the classpath.

=====================  ==================================================================
form                   resolution
=====================  ==================================================================
``file:...``           ``${}`` substituted again, ``\\`` -> ``/``, normalised to
                       ``file:///...``; returned even when the file does not exist.
``ar:...``             like ``file:`` (only plain directories, no archives).
``jar:P``/             The resource ``P`` (one leading ``/`` removed) in the loader's extra
``classpath:P``        resource roots, then inside every installed top-level Python
                       package, each one a jar (``jar:/conf/portal/configuration.xml`` finds
                       ``<package>/conf/portal/configuration.xml``), then in the folders of
                       ``sys.path``, the roots packages are installed in (so
                       ``classpath:/my_connector/conf/x.xml`` names a file of the installed
                       ``my_connector``, the form ``importlib.resources`` uses); first hit wins.
                       ``jar:`` is not a Java jar URL: ``jar:file:/x.jar!/a`` is not found.
``war:/P``             ``<extension folder>/WEB-INF/P`` where the extension folder is the
                       ``context_dir`` of the top-level file being loaded; None when absent.
                       With no extension folder this is the kernel's error.
no ``:`` (relative)    ``<folder of the *top-level* file>/P``: nested imports are relative
                       to the top-level file given to the loader, not to the importing file
                       (kernel behaviour).
``/P`` (absolute)      the file ``/P``. Deviation: the kernel glues it to the folder of the
                       top-level file too, which only ever produces a wrong path; an
                       absolute path typically comes from ``${some.dir}/x.xml``.
anything else          None (``http:``, ``C:\\...``): the caller warns and skips it.
=====================  ==================================================================
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
import pkgutil
import sys
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence
from urllib.parse import unquote

from .errors import ConfigurationError
from .variables import resolve_variables

Lookup = Callable[[str], "str | None"]


def normalize_file_url(url: str, lookup: Lookup | None = None) -> str:
    """``file:`` / ``ar:`` URL with ``${}`` resolved, ``\\`` turned into ``/`` and ``file:///`` form."""
    if lookup is not None:
        url = resolve_variables(url, lookup)
    scheme, _, rest = url.partition(":")
    rest = rest.replace("\\", "/").lstrip("/")
    return f"{scheme}:///{rest}"


def file_url_to_path(url: str) -> Path:
    """The local path of a ``file:`` (or ``ar:``) URL."""
    _, _, rest = normalize_file_url(url).partition(":")
    return Path(unquote(rest[2:]))


def path_to_url(path: Path) -> str:
    return normalize_file_url("file:" + str(path.resolve()))


def context_path_of(url: str) -> str:
    """The folder URL (with its trailing ``/``) that relative imports are resolved against."""
    return url[: url.rfind("/") + 1]


@lru_cache(maxsize=4)
def _package_dirs(path_key: tuple[str, ...]) -> tuple[Path, ...]:
    """Folders of every importable top-level package: ``sys.path`` order, then the
    packages only a meta-path finder knows (editable installs), by name."""
    dirs: list[Path] = []
    seen: set[str] = set()
    for info in pkgutil.iter_modules():
        base = getattr(info.module_finder, "path", None)
        if info.ispkg and base and info.name not in seen:
            seen.add(info.name)
            dirs.append(Path(base) / info.name)
    for name in sorted(importlib.metadata.packages_distributions()):
        if name in seen or not name.isidentifier():
            continue
        seen.add(name)
        try:
            spec = importlib.util.find_spec(name)
        except (ImportError, ValueError):
            continue
        for location in (spec.submodule_search_locations or ()) if spec else ():
            dirs.append(Path(location))
    return tuple(dirs)


def _path_roots(path_key: tuple[str, ...]) -> list[Path]:
    """The folders of ``sys.path`` (the working folder for ``""``), where top-level packages are installed."""
    return [Path(entry or ".") for entry in path_key if Path(entry or ".").is_dir()]


def find_resource(resource: str, resource_roots: Sequence[Path] = ()) -> Path | None:
    """A classpath-style resource: first in ``resource_roots``, then in installed packages."""
    resource = resource[1:] if resource.startswith("/") else resource
    if not resource:
        return None
    for root in [*map(Path, resource_roots), *_package_dirs(tuple(sys.path)), *_path_roots(tuple(sys.path))]:
        candidate = root / resource
        if candidate.is_file():
            return candidate
    return None


def resolve_url(
    url: str | None,
    *,
    context_path: str | None = None,
    context_dir: Path | None = None,
    resource_roots: Sequence[Path] = (),
    lookup: Lookup | None = None,
) -> str | None:
    """The ``file:///`` URL that ``url`` designates, or None when it designates nothing.

    ``context_path`` is the folder URL of the top-level file (relative URLs);
    ``context_dir`` its extension folder (``war:``). Raises ConfigurationError for a
    ``war:`` URL with no extension folder, as the kernel does.
    """
    if url is None:
        return None
    if url.startswith(("jar:", "classpath:")):
        found = find_resource(url.partition(":")[2], resource_roots)
        return path_to_url(found) if found else None
    if url.startswith("war:"):
        if context_dir is None:
            raise ConfigurationError(
                f"cannot resolve {url}: a war: URL needs an extension folder "
                "(unsupport war uri in this configuration service)"
            )
        target = Path(context_dir) / "WEB-INF" / url[len("war:"):].lstrip("/")
        return path_to_url(target) if target.is_file() else None
    if url.startswith(("file:", "ar:")):
        return normalize_file_url("file:" + url.partition(":")[2], lookup)
    if url.startswith("/"):
        return normalize_file_url("file:" + url)
    if ":" not in url:
        if context_path is None:
            return None
        return context_path + url.replace("\\", "/")
    return None
