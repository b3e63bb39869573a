"""Loading and merging the configuration files of one container
(eXo's ``ConfigurationManagerImpl`` and ``Configuration.mergeConfiguration``).

Order is the whole point: each file is merged *after* what was loaded before, then
its ``<import>``s are loaded depth-first, each merged after its importer, so **an
imported file overrides the file that imports it**. Relative imports resolve
against the folder of the last *top-level* file (kernel behaviour, see ``urls``).

Failures follow the kernel: a file that cannot be read or parsed is dropped whole,
logged as "Cannot process the configuration <url>", recorded in ``problems`` (every
problem of the file, then one error saying it was dropped), and the rest of that
top-level file's import tree is skipped; what was merged before stays and other
top-level files go on. An import that designates nothing (``jar:``/``classpath:`` not
found, an unsupported URL) is a warning and only that import is skipped; a ``${}`` no
property answered is a warning. ``strict=True`` raises the first error instead. Unlike the kernel (which recurses until the stack overflows), an import
cycle is reported as a problem.

Merging (``merge``): a component with a key seen before replaces it whole (keeping
its first position); container/component lifecycle plugins are replaced by type;
external plugins accumulate per target; imports and remove-configuration entries
accumulate. ``finish`` then removes the components named by remove-configuration
(their external plugins stay, unused) and sorts the external plugins of each target
and the container lifecycle plugins by priority, stably (ties keep load order).
"""
from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any, Sequence

from .errors import ConfigurationError, ConfigurationWarning, FileRejected
from .properties import PropertyStore
from .urls import context_path_of, file_url_to_path, normalize_file_url, path_to_url, resolve_url
from .xml.model import Configuration, ExternalPluginsConfig, Source
from .xml.parser import parse_configuration

log = logging.getLogger(__name__)


def merge(into: Configuration, other: Configuration) -> Configuration:
    """Merge ``other`` after ``into`` (in place, returned for chaining)."""
    _merge_by_type(into.container_lifecycle_plugins, other.container_lifecycle_plugins)
    _merge_by_type(into.component_lifecycle_plugins, other.component_lifecycle_plugins)
    for key, component in other.components.items():
        into.components[key] = component
    for target, block in other.external_plugins.items():
        existing = into.external_plugins.get(target)
        if existing is None:
            into.external_plugins[target] = ExternalPluginsConfig(target, list(block.plugins), block.source)
        else:
            existing.plugins.extend(block.plugins)
    into.imports.extend(other.imports)
    into.remove_configuration.extend(other.remove_configuration)
    return into


def _merge_by_type(into: list, other: list) -> None:
    positions = {plugin.type: i for i, plugin in enumerate(into)}
    for plugin in other:
        if plugin.type in positions:
            into[positions[plugin.type]] = plugin
        else:
            positions[plugin.type] = len(into)
            into.append(plugin)


def finish_configuration(config: Configuration) -> Configuration:
    """A copy of ``config`` with remove-configuration applied and priorities sorted."""
    removed = set(config.remove_configuration)
    return dataclasses.replace(
        config,
        container_lifecycle_plugins=sorted(config.container_lifecycle_plugins, key=lambda p: p.priority),
        component_lifecycle_plugins=list(config.component_lifecycle_plugins),
        components={k: c for k, c in config.components.items() if k not in removed},
        external_plugins={
            target: ExternalPluginsConfig(target, sorted(block.plugins, key=lambda p: p.priority), block.source)
            for target, block in config.external_plugins.items()
        },
        imports=list(config.imports),
        remove_configuration=list(config.remove_configuration),
        source=None,
    )


class ConfigurationLoader:
    """Accumulates the configuration files of one container, in load order."""

    def __init__(
        self,
        properties: PropertyStore,
        profiles: set[str] | None = None,
        strict: bool = False,
        resource_roots: Sequence[Path] = (),
        run_code: bool = True,
    ):
        self.properties = properties
        self.profiles = set(properties.profiles() if profiles is None else profiles)
        self.strict = strict
        self.resource_roots = [Path(r) for r in resource_roots]
        self.run_code = run_code  # False: object-params of project classes are not built (codepolicy)
        # what ${} resolves against: the properties, or a portal container's variables (exo_container.portal)
        self.variables: PropertyStore | Any = properties
        self.configuration = Configuration()
        self.problems: list[ConfigurationError] = []
        self.loaded: list[str] = []  # file paths, in merge order
        self.referenced: set[str] = set()  # every property name a ${} of a loaded file asked for
        self._context_path: str | None = None
        self._context_dir: Path | None = None

    def add_configuration(self, path_or_url: str | Path, context_dir: Path | None = None) -> bool:
        """Load a top-level file and its imports; False when something was dropped.

        ``context_dir`` is the extension folder ``war:`` imports resolve in.
        """
        self._context_dir = Path(context_dir) if context_dir is not None else None
        url = self._top_level_url(path_or_url)
        if url is None:
            return self._problem(ConfigurationError(f"cannot resolve configuration URL {path_or_url}"))
        self._context_path = context_path_of(url)  # set even if loading fails, as the kernel does
        try:
            self._load(url, stack=(), imported_at=None)
        except ConfigurationError as e:
            return self._problem(e)
        return True

    def finish(self) -> Configuration:
        """The merged configuration with remove-configuration applied and plugins sorted."""
        return finish_configuration(self.configuration)

    # --- internals ---------------------------------------------------------------------

    def _top_level_url(self, path_or_url: str | Path) -> str | None:
        text = str(path_or_url)
        if isinstance(path_or_url, Path) or ":" not in text:
            return path_to_url(Path(text))
        if text.startswith(("file:", "ar:")):
            return normalize_file_url("file:" + text.partition(":")[2], self.properties.lookup)
        return resolve_url(text, context_dir=self._context_dir, resource_roots=self.resource_roots,
                           lookup=self.properties.lookup)

    def _load(self, url: str, stack: tuple[str, ...], imported_at: Source | None) -> None:
        path = file_url_to_path(url)
        name = str(path)
        if url in stack:
            raise ConfigurationError("import cycle: " + " -> ".join(map(str, map(file_url_to_path, stack + (url,)))),
                                     name)
        if not path.is_file():
            where = f" (imported at {imported_at})" if imported_at else ""
            raise ConfigurationError(f"configuration file not found{where}", name)
        parsed = parse_configuration(path, url=name, properties=self.variables, profiles=self.profiles,
                                     run_code=self.run_code)
        merge(self.configuration, parsed)
        self.loaded.append(name)
        for warning in parsed.warnings:
            self._warn(warning)
        self.referenced |= parsed.referenced
        for text, source in parsed.imports:
            try:
                target = resolve_url(text, context_path=self._context_path, context_dir=self._context_dir,
                                     resource_roots=self.resource_roots, lookup=self.variables.lookup)
            except ConfigurationError as e:
                raise ConfigurationError(e.message, source.file, source.line) from None
            if target is None:
                log.warning("%s: Couldn't process the URL for %s configuration file ignored", source, text)
                self.problems.append(ConfigurationWarning(
                    f"import {text} not found: nothing there to load (the kernel ignores it too)",
                    source.file, source.line))
                continue
            self._load(target, stack + (url,), source)

    def _problem(self, error: ConfigurationError) -> bool:
        if self.strict:
            raise error
        log.error("Cannot process the configuration: %s", error)
        if isinstance(error, FileRejected):
            count = len(error.problems)
            self.problems.extend(error.problems)
            self.problems.append(ConfigurationError(
                f"file dropped whole, as the kernel does: nothing of it is loaded "
                f"({count} problem{'s' * (count != 1)} listed above)", error.file))
        else:
            self.problems.append(error)
        return False

    def _warn(self, warning: ConfigurationWarning) -> None:
        log.warning("%s", warning)
        self.problems.append(warning)
