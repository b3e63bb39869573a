"""Extensions: drop-in folders that add configuration, ordered like eXo portal extensions.

An **extension** is a folder whose name is its webapp context name (``myconnector``)::

    extensions/myconnector/
        META-INF/exo-conf/configuration.xml   root-level: declares where it goes in the order
        WEB-INF/conf/configuration.xml        its components and plugins
        WEB-INF/conf/myconnector/...          files it imports with war:/conf/myconnector/...
        myconnector/__init__.py               its Python package (the folder is put on sys.path)

Extensions are found in ``<base>/extensions/`` (``base`` = the folder of the root
``configuration.xml``) and in every folder listed in the property
``exo.extensions.dirs`` (comma separated; relative paths are relative to ``base``).
Each extension folder is *appended* to ``sys.path`` before anything is parsed, because
object-params are built at parse time and connectors ship their package inside their
folder; appending (not prepending) means an extension can never shadow the project.
Installing is dropping a folder in and restarting; uninstalling is removing it.

**Boot order** (what :func:`exo_container.boot.boot` does, the kernel's two containers
flattened into one):

1. *Phase 1, the definitions.* The root ``configuration.xml`` (with its imports) and
   every extension's ``META-INF/exo-conf/configuration.xml`` (extensions sorted by
   folder name: the kernel's archive order is unspecified) are parsed.  The
   ``PortalContainerConfig`` they configure (or a default one, when none is declared)
   is built with only the plugins that target it and started: that applies the
   ``PortalContainerDefinitionChange`` plugins to the definitions and yields the
   **dependency list of the default portal definition**.  When nothing declares a
   definition, the default definition is ``portal`` with no dependencies, so the
   order is decided by the extensions' own change plugins alone (an
   ``AddDependenciesAfter`` whose target is absent appends).  The kernel knows no
   product: a product that wants to come before its connectors declares itself in
   its root configuration (e.g. an ``AddDependencies`` of its own name).
2. *Phase 2, the components.* After the files of phase 1, each extension's
   ``WEB-INF/conf/configuration.xml`` is loaded with the extension folder as its
   context (``war:/conf/x.xml`` is ``<extension>/WEB-INF/conf/x.xml``), in dependency
   order: extensions listed in the dependency list by their index there, unlisted ones
   after them sorted by folder name (TestWebAppInitContextComparator).  A later file
   overrides an earlier one, so a later extension's component replaces an earlier
   one's.  Profiles added by change plugins (``add.profiles``) are active for phase 2.

The definition classes below carry the kernel's Java names so that an extension's
``META-INF/exo-conf/configuration.xml`` written for eXo loads unchanged; their data
attributes keep the Java field names (``restContextName``) because object-params set
fields by the names written in the XML.
"""
from __future__ import annotations

import logging
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from .aliases import java_name
from .errors import ContainerError
from .lifecycle import Startable
from .params import InitParams
from .plugin import ComponentPlugin
from .properties import PropertyStore
from .variables import java_trim, resolve_variables

log = logging.getLogger(__name__)

EXTENSIONS_DIRS = "exo.extensions.dirs"
EXO_CONF = ("META-INF", "exo-conf", "configuration.xml")
WEB_CONF = ("WEB-INF", "conf", "configuration.xml")

_PKG = "org.exoplatform.container.definition"


# ---------------------------------------------------------------------------- definitions


@java_name(f"{_PKG}.PortalContainerDefinition")
@dataclass
class PortalContainerDefinition:
    """One portal container: its name and the ordered webapps (extensions) it depends on."""

    name: str | None = None
    restContextName: str | None = None  # noqa: N815 - the XML field name
    realmName: str | None = None  # noqa: N815
    externalSettingsPath: str | None = None  # noqa: N815
    dependencies: list[str] | None = None
    settings: dict[str, Any] | None = None


class PortalContainerDefinitionChange:
    """A change applied to a definition when ``PortalContainerConfig`` starts."""

    def apply(self, definition: PortalContainerDefinition) -> None:
        raise NotImplementedError


def _insert(dependencies: list[str], index: int, new: Sequence[str]) -> None:
    dependencies[index:index] = list(new)


@java_name(f"{_PKG}.PortalContainerDefinitionChange$AddDependencies")
@dataclass
class AddDependencies(PortalContainerDefinitionChange):
    """Append ``dependencies``."""

    dependencies: list[str] | None = None

    def apply(self, definition: PortalContainerDefinition) -> None:
        if self.dependencies:
            definition.dependencies.extend(self.dependencies)  # type: ignore[union-attr]


@java_name(f"{_PKG}.PortalContainerDefinitionChange$AddDependenciesBefore")
@dataclass
class AddDependenciesBefore(PortalContainerDefinitionChange):
    """Insert before the *last* occurrence of ``target``; prepend when it is empty or absent."""

    dependencies: list[str] | None = None
    target: str | None = None

    def apply(self, definition: PortalContainerDefinition) -> None:
        deps: list[str] = definition.dependencies  # type: ignore[assignment]
        if not self.dependencies:
            return
        target = java_trim(self.target or "")
        index = len(deps) - 1 - deps[::-1].index(target) if target and target in deps else 0
        _insert(deps, index, self.dependencies)


@java_name(f"{_PKG}.PortalContainerDefinitionChange$AddDependenciesAfter")
@dataclass
class AddDependenciesAfter(PortalContainerDefinitionChange):
    """Insert after the *first* occurrence of ``target``; append when it is empty or absent."""

    dependencies: list[str] | None = None
    target: str | None = None

    def apply(self, definition: PortalContainerDefinition) -> None:
        deps: list[str] = definition.dependencies  # type: ignore[assignment]
        if not self.dependencies:
            return
        target = java_trim(self.target or "")
        index = deps.index(target) + 1 if target and target in deps else len(deps)
        _insert(deps, index, self.dependencies)


@java_name(f"{_PKG}.PortalContainerDefinitionChange$AddSettings")
@dataclass
class AddSettings(PortalContainerDefinitionChange):
    """``putAll`` into the definition's settings."""

    settings: dict[str, Any] | None = None

    def apply(self, definition: PortalContainerDefinition) -> None:
        if self.settings:
            if definition.settings is None:
                definition.settings = {}
            definition.settings.update(self.settings)


# ---------------------------------------------------------------------------- plugins


@java_name(f"{_PKG}.PortalContainerDefinitionPlugin")
class PortalContainerDefinitionPlugin(ComponentPlugin):
    """Registers the ``PortalContainerDefinition`` object-params it is given."""

    def __init__(self, params: InitParams | None = None):
        self.definitions = [
            p.object for p in (params.get_object_param_iterator() if params else ())
            if isinstance(p.object, PortalContainerDefinition)
        ]


def _boolean(value: str | None) -> bool:
    """Java's ``Boolean.valueOf``: ``true`` in any case, everything else false."""
    return value is not None and java_trim(value).lower() == "true"


@java_name(f"{_PKG}.PortalContainerDefinitionChangePlugin")
class PortalContainerDefinitionChangePlugin(ComponentPlugin):
    """Changes for the definitions it applies to (``apply.all`` / ``apply.default`` /
    ``apply.specific``), plus ``add.profiles`` for the configuration parsed afterwards.

    The ``apply.*`` values are resolved again here, against the properties as they are
    now (the kernel does the same at construction).
    """

    def __init__(self, params: InitParams | None = None, properties: PropertyStore | None = None):
        lookup = properties.lookup if properties is not None else (lambda key: None)

        def value(name: str) -> str | None:
            p = params.get_value_param(name) if params else None
            return None if p is None else java_trim(resolve_variables(p.value, lookup))

        def values(name: str) -> list[str] | None:
            p = params.get_values_param(name) if params else None
            return None if p is None else [java_trim(resolve_variables(v, lookup)) for v in p.values]

        self.apply_all = _boolean(value("apply.all"))
        self.apply_default = _boolean(value("apply.default"))
        self.apply_specific = values("apply.specific")
        self.add_profiles = [p for p in (values("add.profiles") or []) if p]
        self.changes = [
            p.object for p in (params.get_object_param_iterator() if params else ())
            if isinstance(p.object, PortalContainerDefinitionChange)
        ]

    def applies_to(self, name: str, default_name: str) -> bool:
        if self.apply_all:
            return True
        if (self.apply_specific is None or self.apply_default) and name == default_name:
            return True
        return self.apply_specific is not None and name in self.apply_specific


@java_name(f"{_PKG}.PortalContainerDefinitionDisablePlugin")
class PortalContainerDefinitionDisablePlugin(ComponentPlugin):
    """Portal containers (values-param ``names``) that must not be created."""

    def __init__(self, params: InitParams | None = None):
        p = params.get_values_param("names") if params else None
        self.names = [java_trim(n) for n in p.values] if p else []


# ---------------------------------------------------------------------------- the config component


@java_name(f"{_PKG}.PortalContainerConfig")
class PortalContainerConfig(Startable):
    """The portal container definitions, changed by the extensions' plugins.

    Plugins register until ``start()``; ``start()`` applies the change plugins (in
    registration order, each plugin's changes in init-params order) and freezes it.
    """

    DEFAULT_PORTAL_CONTAINER_NAME = "portal"
    DEFAULT_REST_CONTEXT_NAME = "rest"
    DEFAULT_REALM_NAME = "exo-domain"

    def __init__(self, params: InitParams | None = None, properties: PropertyStore | None = None):
        lookup = properties.lookup if properties is not None else (lambda key: None)

        def value(name: str, default: str) -> str:
            p = params.get_value_param(name) if params else None
            text = java_trim(resolve_variables(p.value, lookup)) if p is not None else ""
            return text or default

        self.default_portal_container = value("default.portal.container", self.DEFAULT_PORTAL_CONTAINER_NAME)
        self.default_rest_context = value("default.rest.context", self.DEFAULT_REST_CONTEXT_NAME)
        self.default_realm_name = value("default.realm.name", self.DEFAULT_REALM_NAME)
        self.ignore_unregistered_webapp = _boolean(value("ignore.unregistered.webapp", "false"))
        default = params.get_object_param("default.portal.definition") if params else None
        self._default_definition = default.object if default and isinstance(default.object, PortalContainerDefinition) else None
        self._definitions: dict[str, PortalContainerDefinition] = {}
        self._change_plugins: list[PortalContainerDefinitionChangePlugin] = []
        self._disabled: set[str] = set()
        self._profiles: list[str] = []
        self._started = False

    # -- registration (set-methods) --

    def _check_open(self) -> None:
        if self._started:
            raise ContainerError("PortalContainerConfig is started: plugins must be registered before")

    def register_plugin(self, plugin: PortalContainerDefinitionPlugin) -> None:
        self._check_open()
        for definition in plugin.definitions:
            name = java_trim(definition.name or "")
            if not name:
                log.warning("A PortalContainerDefinition without a name is ignored (plugin %s)", plugin.name)
                continue
            definition.name = name
            self._definitions.pop(name, None)
            self._definitions[name] = definition  # the same name again: the later one wins

    def register_change_plugin(self, plugin: PortalContainerDefinitionChangePlugin) -> None:
        self._check_open()
        self._change_plugins.append(plugin)
        self._profiles.extend(p for p in plugin.add_profiles if p not in self._profiles)

    def register_disable_plugin(self, plugin: PortalContainerDefinitionDisablePlugin) -> None:
        self._check_open()
        self._disabled.update(plugin.names)

    # -- lifecycle --

    def start(self) -> None:
        if self._started:
            return
        if self.default_portal_container not in self._definitions:
            base = self._default_definition or PortalContainerDefinition()
            self._definitions = {
                self.default_portal_container: PortalContainerDefinition(
                    name=self.default_portal_container,
                    restContextName=base.restContextName,
                    realmName=base.realmName,
                    externalSettingsPath=base.externalSettingsPath,
                    dependencies=list(base.dependencies) if base.dependencies is not None else None,
                    settings=dict(base.settings) if base.settings else None,
                ),
                **self._definitions,
            }
        default_deps = self._definitions[self.default_portal_container].dependencies
        if default_deps is None and self._default_definition is not None:
            default_deps = self._default_definition.dependencies
        default_deps = list(default_deps or [])  # a copy: changes to the default must not leak
        for name, definition in self._definitions.items():
            definition.restContextName = definition.restContextName or self.default_rest_context
            definition.realmName = definition.realmName or self.default_realm_name
            applicable = [p for p in self._change_plugins if p.applies_to(name, self.default_portal_container)]
            if definition.dependencies is None and applicable:
                definition.dependencies = list(default_deps)
            for plugin in applicable:
                for change in plugin.changes:
                    try:
                        change.apply(definition)
                    except Exception:
                        log.exception("Change %r of plugin %s on portal %s failed; skipped", change, plugin.name, name)
        self._started = True

    def stop(self) -> None:
        pass

    # -- queries --

    @property
    def started(self) -> bool:
        return self._started

    def get_portal_container_names(self) -> list[str]:
        return [n for n in self._definitions if n not in self._disabled]

    def get_definition(self, name: str | None = None) -> PortalContainerDefinition | None:
        return self._definitions.get(name or self.default_portal_container)

    def get_dependencies(self, name: str | None = None) -> list[str] | None:
        """The ordered webapps of a portal (None when it declares none: then they are unordered)."""
        definition = self.get_definition(name)
        return None if definition is None or definition.dependencies is None else list(definition.dependencies)

    def get_setting(self, name: str, portal: str | None = None) -> Any:
        definition = self.get_definition(portal)
        if definition is None:
            return None
        builtin = {"name": definition.name, "rest": definition.restContextName, "realm": definition.realmName}
        if name in builtin:
            return builtin[name]
        default = self.get_definition(None)
        settings = dict(default.settings or {}) if default is not None else {}
        settings.update(definition.settings or {})
        return settings.get(name)

    def is_portal_container_name_disabled(self, name: str) -> bool:
        return name in self._disabled

    @property
    def added_profiles(self) -> list[str]:
        """Profiles added by ``add.profiles``: active for configuration parsed afterwards."""
        return list(self._profiles)


# ---------------------------------------------------------------------------- discovery and order


@dataclass(frozen=True)
class Extension:
    """A drop-in folder; its name is its webapp context name."""

    name: str
    path: Path

    @property
    def exo_conf(self) -> Path:
        """``META-INF/exo-conf/configuration.xml``: contributes to phase 1 (definitions)."""
        return self.path.joinpath(*EXO_CONF)

    @property
    def web_conf(self) -> Path:
        """``WEB-INF/conf/configuration.xml``: its components, loaded in dependency order."""
        return self.path.joinpath(*WEB_CONF)


def extension_dirs(base: Path, properties: PropertyStore | None = None, explicit: Iterable[str | Path] | None = None) -> list[Path]:
    """Folders that hold extensions: ``explicit`` (default ``<base>/extensions``) plus ``exo.extensions.dirs``."""
    dirs = [Path(d) for d in explicit] if explicit is not None else [base / "extensions"]
    listed = properties.get(EXTENSIONS_DIRS) if properties is not None else None
    for item in (listed or "").split(","):
        item = item.strip()
        if item:
            path = Path(item).expanduser()
            dirs.append(path if path.is_absolute() else base / path)
    unique: dict[Path, None] = {}
    for d in dirs:
        unique.setdefault(d.resolve(), None)
    return list(unique)


def discover_extensions(dirs: Iterable[Path]) -> list[Extension]:
    """Every extension folder in ``dirs``, sorted by name; a name seen twice keeps the first dir's."""
    found: dict[str, Extension] = {}
    for d in dirs:
        if not d.is_dir():
            continue
        for child in sorted(d.iterdir()):
            if child.is_dir() and not child.name.startswith((".", "_")) and child.name not in found:
                found[child.name] = Extension(child.name, child)
    return [found[name] for name in sorted(found)]


def order_extensions(extensions: Iterable[Extension], dependencies: Sequence[str] | None) -> list[Extension]:
    """Listed extensions by their index in ``dependencies``, then the unlisted ones by name."""
    position = {}
    for index, name in enumerate(dependencies or ()):
        position.setdefault(name, index)
    return sorted(extensions, key=lambda e: (0, position[e.name], "") if e.name in position else (1, 0, e.name))


def add_to_sys_path(extensions: Iterable[Extension]) -> None:
    """Make each extension's own package importable (appended: an extension never shadows the project)."""
    for extension in extensions:
        entry = str(extension.path)
        if entry not in sys.path:
            sys.path.append(entry)
