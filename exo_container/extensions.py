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

**Boot order** (what :func:`exo_container.boot.boot` does; phase 1 fills the root
container, phase 2 each portal container, see :mod:`exo_container.hierarchy`):

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
2. *Phase 2, the components.* After the files of phase 1, for each portal container,
   the ``WEB-INF/conf/configuration.xml`` of each extension that belongs to it is loaded
   with the extension folder as its context (``war:/conf/x.xml`` is
   ``<extension>/WEB-INF/conf/x.xml``), in that portal's dependency order: extensions listed in the dependency list by their index there, unlisted ones
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
from typing import Any, Iterable, Protocol, Sequence, TypeVar

from .aliases import java_name
from .errors import ConfigurationError, ContainerError
from .jvm import EXO_CONF_DIR
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
    """The portal container definitions, changed by the extensions' plugins (the kernel's rules).

    The **default definition** comes from the object-param ``default.portal.definition``
    (if any), its name, rest context and realm from that object, else from the value-params
    ``default.portal.container`` / ``default.rest.context`` / ``default.realm.name``, else
    ``portal`` / ``rest`` / ``exo-domain``. A value that was only the built-in fallback is
    replaced, at ``start()``, by the **first registered definition**'s (so a deployment that
    registers ``intranet`` alone gets ``intranet`` as its default portal); one given
    explicitly is honoured. The same happens when the default portal is disabled.

    Plugins register until ``start()``; ``start()`` applies the change plugins (in
    registration order, each plugin's changes in init-params order) to every enabled
    definition and to the default one, computes each portal's **settings** and freezes it.
    Settings of a portal: the default definition's ``settings``, then its own, then the
    properties of the ``externalSettingsPath`` files (the default's, then its own; a bare
    file name is looked for first in ``${exo.conf.dir}/portal/`` (the default definition)
    or ``${exo.conf.dir}/portal/<name>/``, then as a URL), resolved against the settings and
    then the properties, each typed like the setting it replaces (``Integer.valueOf`` ...;
    an empty or unparsable value leaves the old one); last ``name``, ``rest`` and ``realm``.

    Deviation: the kernel lists the default portal's built-in name (``portal``) among the
    portal containers even when the first definition renamed the default; here the list is
    the default's final name, then the other enabled definitions.
    """

    DEFAULT_PORTAL_CONTAINER_NAME = "portal"
    DEFAULT_REST_CONTEXT_NAME = "rest"
    DEFAULT_REALM_NAME = "exo-domain"

    def __init__(self, params: InitParams | None = None, properties: PropertyStore | None = None):
        self._properties = properties if properties is not None else PropertyStore(defaults={})
        default = params.get_object_param("default.portal.definition") if params else None
        base = default.object if default is not None and isinstance(default.object, PortalContainerDefinition) else None
        if default is not None and base is None:
            log.warning("The object-param 'default.portal.definition' must be a PortalContainerDefinition: ignored")
        base = base or PortalContainerDefinition()
        self._implicit: set[str] = set()
        self._default = PortalContainerDefinition(
            name=self._initial(params, base.name, "default.portal.container", self.DEFAULT_PORTAL_CONTAINER_NAME, "name"),
            restContextName=self._initial(params, base.restContextName, "default.rest.context",
                                          self.DEFAULT_REST_CONTEXT_NAME, "rest"),
            realmName=self._initial(params, base.realmName, "default.realm.name", self.DEFAULT_REALM_NAME, "realm"),
            externalSettingsPath=base.externalSettingsPath,
            dependencies=list(base.dependencies) if base.dependencies is not None else None,
            settings=dict(base.settings) if base.settings else None,
        )
        ignore = params.get_value_param("ignore.unregistered.webapp") if params else None
        self.ignore_unregistered_webapp = ignore is not None and _boolean(self._resolve(ignore.value))
        self._definitions: dict[str, PortalContainerDefinition] = {}  # registered by plugins, in order
        self._change_plugins: list[PortalContainerDefinitionChangePlugin] = []
        self._disabled: set[str] = set()
        self._profiles: list[str] = []
        self._names: list[str] = []
        self._scopes: dict[str, list[str]] = {}
        self._settings: dict[str, dict[str, Any]] = {}
        self.problems: list[ConfigurationError] = []  # external settings files that could not be read
        self._started = False

    def _resolve(self, text: str) -> str:
        return java_trim(resolve_variables(text, self._properties.lookup))

    def _initial(self, params: InitParams | None, given: str | None, param: str, fallback: str, what: str) -> str:
        if given and java_trim(given):
            return java_trim(given)
        p = params.get_value_param(param) if params else None
        if p is not None and java_trim(p.value):
            return self._resolve(p.value)
        self._implicit.add(what)
        return fallback

    # -- the defaults --

    @property
    def default_portal_container(self) -> str:
        return self._default.name  # type: ignore[return-value]

    @property
    def default_rest_context(self) -> str:
        return self._default.restContextName  # type: ignore[return-value]

    @property
    def default_realm_name(self) -> str:
        return self._default.realmName  # type: ignore[return-value]

    def has_definition(self) -> bool:
        """True when plugins registered definitions (else the kernel's "old behaviour": one default portal)."""
        return bool(self._definitions)

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
            self._definitions[name] = definition  # the same name again: the later one wins (first position kept)

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
        self._started = True
        default = self._default
        default_disabled = default.name in self._disabled
        enabled = [d for name, d in self._definitions.items() if name not in self._disabled]
        if enabled:
            first = enabled[0]
            if "name" in self._implicit or default_disabled:
                default.name = first.name
            for attribute, what in (("restContextName", "rest"), ("realmName", "realm")):
                value = java_trim(getattr(first, attribute) or "")
                if value and (what in self._implicit or default_disabled):
                    setattr(default, attribute, value)
        for definition in enabled:
            self._apply_changes(definition)
            self._register_scope(definition)
            self._settings[definition.name] = self._settings_of(definition, with_default=True)  # type: ignore[index]
        if default.name not in self._definitions:
            self._apply_changes(default)
            self._settings[default.name] = self._settings_of(default, with_default=False)  # type: ignore[index]
            if default.dependencies:
                self._register_scope(default)
            if not self._definitions:
                self._disabled.clear()  # the old behaviour: nothing can be disabled
        names = [default.name] if not self._definitions or default.name not in self._disabled else []
        self._names = names + [d.name for d in enabled if d.name not in names]  # type: ignore[misc]

    def stop(self) -> None:
        pass

    def _apply_changes(self, definition: PortalContainerDefinition) -> None:
        applicable = [p for p in self._change_plugins if p.applies_to(definition.name or "", self.default_portal_container)]
        if definition.dependencies is None and applicable:
            definition.dependencies = list(self._default.dependencies or []) if definition is not self._default else []
        for plugin in applicable:
            for change in plugin.changes:
                try:
                    change.apply(definition)
                except Exception:
                    log.exception("Change %r of plugin %s on portal %s failed; skipped", change, plugin.name, definition.name)

    def _register_scope(self, definition: PortalContainerDefinition) -> None:
        for context in definition.dependencies or self._default.dependencies or []:
            context = java_trim(context or "")
            if context:
                self._scopes.setdefault(context, []).append(definition.name)  # type: ignore[arg-type]

    # -- settings --

    def _main_settings(self, definition: PortalContainerDefinition) -> dict[str, Any]:
        return {"name": definition.name, "rest": definition.restContextName or self._default.restContextName,
                "realm": definition.realmName or self._default.realmName}

    def _settings_of(self, definition: PortalContainerDefinition, with_default: bool) -> dict[str, Any]:
        sources = [self._default, definition] if with_default else [definition]
        settings: dict[str, Any] = {}
        for source in sources:
            settings.update(source.settings or {})
        for name, value in list(settings.items()):  # properties set since parsing (PropertyConfigurator)
            if isinstance(value, str):
                settings[name] = resolve_variables(value, self._properties.lookup)
        external: dict[str, str] = {}
        for source in sources:
            path = java_trim(source.externalSettingsPath or "")
            if path:
                external.update(self._external_settings(path, source is self._default, definition))
        if external:
            context: dict[str, Any] = {**settings, **external, **self._main_settings(definition)}

            def lookup(key: str) -> str | None:
                return java_string(context[key]) if context.get(key) is not None else self._properties.lookup(key)

            for name, value in external.items():
                external[name] = context[name] = resolve_variables(value, lookup)
            _merge_settings(settings, external, self._properties)
        settings.update(self._main_settings(definition))
        return settings

    def _external_settings(self, path: str, of_default: bool, definition: PortalContainerDefinition) -> dict[str, str]:
        from .properties import load_properties_file
        from .urls import file_url_to_path, path_to_url, resolve_url

        conf_dir = self._properties.get(EXO_CONF_DIR)
        target: Path | None = None
        if ":" not in path and conf_dir:
            candidate = Path(conf_dir) / "portal" / ("" if of_default else str(definition.name)) / path
            target = candidate if candidate.is_file() else None
        if target is None:
            context = path_to_url(Path(conf_dir)) + "/" if conf_dir else None
            url = resolve_url(path, context_path=context, lookup=self._properties.lookup)
            target = file_url_to_path(url) if url else None
        try:
            if target is None or not target.is_file():
                raise ConfigurationError(f"external settings {path} of portal {definition.name} not found",
                                         str(target) if target else None)
            return load_properties_file(target)
        except ConfigurationError as e:
            log.error("Cannot load property file %s: %s", path, e)
            self.problems.append(e)
            return {}

    # -- queries --

    @property
    def started(self) -> bool:
        return self._started

    def get_portal_container_names(self) -> list[str]:
        """The portal containers to create: the default one, then every enabled definition."""
        if not self._started:
            return [n for n in [self.default_portal_container, *self._definitions] if n not in self._disabled]
        return list(self._names)

    def get_definition(self, name: str | None = None) -> PortalContainerDefinition | None:
        name = name or self.default_portal_container
        return self._definitions.get(name) or (self._default if name == self.default_portal_container else None)

    def get_dependencies(self, name: str | None = None) -> list[str] | None:
        """The ordered webapps of a portal (None when it declares none: then they are unordered)."""
        definition = self.get_definition(name)
        if definition is None:
            return None
        dependencies = definition.dependencies or self._default.dependencies or definition.dependencies
        return None if dependencies is None else list(dependencies)

    def get_setting(self, name: str, portal: str | None = None) -> Any:
        """A setting of a portal (``name``, ``rest``, ``realm`` or one of its settings), typed; None if unknown."""
        portal = portal or self.default_portal_container
        if portal in self._settings:
            return self._settings[portal].get(name)
        definition = self.get_definition(portal)
        if definition is None:
            return None
        return self._settings_of(definition, with_default=definition is not self._default).get(name)

    def get_portal_container_names_of(self, context: str) -> list[str]:
        """The portal containers a webapp (extension) belongs to: those listing it as a dependency; with no
        definition, the default one; unlisted: every portal, or none with ``ignore.unregistered.webapp``."""
        if not self._definitions:
            return [context if context in self.get_portal_container_names() else self.default_portal_container]
        scoped = [n for n in self._scopes.get(context, []) if n not in self._disabled]
        if scoped:
            return scoped
        if context in self.get_portal_container_names():
            return [context]
        if context in self._disabled or self.ignore_unregistered_webapp:
            return []
        return self.get_portal_container_names()

    def container_name_suffix(self) -> str:
        """``${container.name.suffix}`` in the default portal container: ``_<name>`` once definitions exist."""
        return f"_{self.default_portal_container}" if self.has_definition() else ""

    def is_portal_container_name_disabled(self, name: str) -> bool:
        return name in self._disabled

    @property
    def added_profiles(self) -> list[str]:
        """Profiles added by ``add.profiles``: active for configuration parsed afterwards."""
        return list(self._profiles)


def java_string(value: Any) -> str:
    """``String.valueOf`` of a setting: ``true``/``false`` for booleans, Java's double form for floats."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if value == value and value not in (float("inf"), float("-inf")) else (
            "NaN" if value != value else ("Infinity" if value > 0 else "-Infinity"))
    return str(value)


def _merge_settings(settings: dict[str, Any], external: dict[str, str], properties: PropertyStore) -> None:
    """External values over internal ones, typed like the value they replace (``valueOf``)."""
    if not settings:
        settings.update(external)
        return
    for name, raw in external.items():
        value = java_trim(resolve_variables(raw, properties.lookup))
        old = settings.get(name)
        if old is None or isinstance(old, str):
            settings[name] = value
            continue
        if not value:
            continue  # an empty value cannot be converted: the old one stays
        try:
            if isinstance(old, bool):
                settings[name] = value.lower() == "true"  # Boolean.valueOf never fails
            elif isinstance(old, int):
                settings[name] = int(value)
            elif isinstance(old, float):
                settings[name] = float(value)
            else:
                settings[name] = value
        except ValueError:
            log.error("Cannot convert the setting %s=%r to %s: ignored", name, value, type(old).__name__)


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


class _Named(Protocol):
    name: str


NamedT = TypeVar("NamedT", bound=_Named)


def order_extensions(extensions: Iterable[NamedT], dependencies: Sequence[str] | None) -> list[NamedT]:
    """Listed extensions (or installed packages) by their index in ``dependencies``, then the unlisted ones by name."""
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
