"""Installed Python packages as the kernel's classpath: ``pip install`` a connector is an install.

The Java kernel loads every jar's ``conf/configuration.xml`` into the root container and
every jar's ``conf/portal/configuration.xml`` into each portal container. A distribution
takes part the same way by declaring an entry point in the group ``exo_container.packages``:
its name is the package's context name (what dependency lists and change plugins use, like
an extension folder's name), its value the top-level import package that holds ``conf/``::

    [options.entry_points]
    exo_container.packages =
        jitsi = exo_jitsi_connector

Nothing of the package is imported to find its files (``importlib.util.find_spec`` of a
top-level name locates it without running it), so ``exo-container check`` stays free of
project code. ``classpath:`` and ``jar:`` imports already resolve inside installed packages
(:mod:`exo_container.urls`).
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
from dataclasses import dataclass
from pathlib import Path

from .errors import ConfigurationWarning

GROUP = "exo_container.packages"
ROOT_CONF = ("conf", "configuration.xml")
PORTAL_CONF = ("conf", "portal", "configuration.xml")


@dataclass(frozen=True)
class InstalledPackage:
    """One installed package that ships kernel configuration."""

    name: str  # its context name (the entry point's name)
    path: Path  # the package folder, holding conf/

    @property
    def root_conf(self) -> Path:
        return self.path.joinpath(*ROOT_CONF)

    @property
    def portal_conf(self) -> Path:
        return self.path.joinpath(*PORTAL_CONF)


def discover_installed_packages() -> tuple[list[InstalledPackage], list[ConfigurationWarning]]:
    """The packages declared in the entry point group, by name; a declaration that names no
    locatable top-level package is a warning (and left out)."""
    found: dict[str, InstalledPackage] = {}
    problems: list[ConfigurationWarning] = []
    for entry in sorted(importlib.metadata.entry_points(group=GROUP), key=lambda e: e.name):
        where = f"entry point {entry.name} = {entry.value} ({GROUP})"
        module = entry.value.strip()
        if not module.isidentifier():
            problems.append(ConfigurationWarning(f"{where}: the value must be a top-level package name; ignored"))
            continue
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        locations = list(spec.submodule_search_locations or ()) if spec is not None else []
        if not locations:
            problems.append(ConfigurationWarning(f"{where}: no installed package {module}; ignored"))
            continue
        found.setdefault(entry.name, InstalledPackage(entry.name, Path(locations[0])))
    return list(found.values()), problems
