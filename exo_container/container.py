"""The container: registers configured components, wires them by constructor, applies
their plugins and runs their lifecycle, with the eXo kernel's semantics (§6 of
kernel-configuration.md).

Every component is a provider of a dependency-injector ``DynamicContainer`` (``di``),
named after its key (see :func:`provider_name_for`), so application code can use
dependency-injector's own wiring (``@inject`` + ``Provide["name"]``, see :meth:`ExoContainer.wire`)
and tests can ``override`` a provider.  Every lookup and every constructor injection of
the kernel goes through those providers, so an override is seen everywhere.  What
dependency-injector does not know (key rules, lookup by assignable type, constructor
choice, plugins, creation-completion order, Startable/Disposable, "class not found: skip
and report") is the thin layer here; the provider of a configured component is a
``providers.Callable`` of that layer, which keeps the singleton (the kernel's creation
context decides when an instance exists: partly built ones are handed to plugin cycles).

Choices where the kernel is unspecified or Java-specific (documented so tests can rely
on them):

* Components are registered in configuration (document) order, and that is the order
  in which independent Startable components are created and started.
* A dependency cycle between constructors is a :class:`ContainerError` naming the
  cycle.  As in the kernel, a cycle that goes through a *plugin* gets the partly built
  instance (its plugins are still being applied).
* External plugins apply when their target equals the component key as written, the
  Python dotted path of a class key, or any Java alias of that class.
* A failing ``start()`` stops the components already started (in reverse) before the
  :class:`ContainerError` propagates, so a failed boot does not leak running services.
* "Assignable" means nominal subclassing (the class hierarchy, as Java assignability),
  indexed by MRO at registration: ABC virtual subclasses (``register``/``__subclasshook__``)
  do not count.
* All creation runs under one re-entrant lock: components are singletons, and the
  kernel's per-thread creation context becomes a single creation stack.
* Like Flask's ``setupmethod``: registering after ``start()`` is an error, and so is
  ``start()`` after ``dispose()`` (a disposed component is not started again).  A stopped
  container may be started again.  The state is read and changed under the lock.
"""
from __future__ import annotations

import importlib
import inspect
import logging
import re
import threading
import typing
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, Mapping, TypeVar

from dependency_injector import containers, providers

from .aliases import known_aliases, resolve_alias
from .codepolicy import is_kernel_class
from .errors import ConfigurationError, ConfigurationWarning, ContainerError
from .injection import Constructor, Parameter, ParameterKind, constructors_of, qualified_name
from .lifecycle import Disposable, Startable
from .params import InitParams
from .xml.model import ComponentConfig, Configuration, ExternalPluginsConfig, LifecyclePluginConfig, PluginConfig, Source

if TYPE_CHECKING:
    from .properties import PropertyStore

log = logging.getLogger("exo_container")

T = TypeVar("T")
Key = str | type

INITIALIZED, STARTED, STOPPED, DISPOSED = "initialized", "started", "stopped", "disposed"


class ClassNotFound(LookupError):
    """A ``type`` (or key) names no importable class; the message says why."""


_WHITESPACE = re.compile(r"\s")
_LOADED: dict[str, type] = {}  # dotted path -> class; only successes (sys.path may grow later)


def load_class(name: str) -> type:
    """The class named ``name``: a Java alias or a Python dotted path (nested classes allowed)."""
    path = resolve_alias(name.strip())
    cached = _LOADED.get(path)
    if cached is not None:
        return cached
    if not path or _WHITESPACE.search(path):
        raise ClassNotFound(f"'{name}' is not a class name")
    parts = path.split(".")
    error: Exception | None = None
    for split in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:split])
        try:
            obj: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and not module_name.startswith(exc.name):
                raise ClassNotFound(f"cannot import {module_name}: {exc}") from exc
            error = exc
            continue
        except Exception as exc:  # the module exists but is broken: say so, do not hide it
            raise ClassNotFound(f"cannot import {module_name}: {type(exc).__name__}: {exc}") from exc
        try:
            for attr in parts[split:]:
                obj = getattr(obj, attr)
        except AttributeError:
            raise ClassNotFound(f"module {module_name} has no class {'.'.join(parts[split:])}") from None
        if not isinstance(obj, type):
            raise ClassNotFound(f"{path} is not a class")
        _LOADED[path] = obj
        return obj
    alias = f" (alias of {path})" if path != name else ""
    raise ClassNotFound(f"no module found for {name}{alias}" + (f": {error}" if error else ""))


_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_CAMEL = re.compile(r"([a-z0-9])([A-Z])")


def snake_case(name: str) -> str:
    """``addPlugin`` -> ``add_plugin``, ``addIMControl`` -> ``add_im_control``."""
    return _CAMEL.sub(r"\1_\2", _ACRONYM.sub(r"\1_\2", name)).lower()


def set_method_names(set_method: str) -> tuple[str, ...]:
    """The names a ``set-method`` (or a lifecycle callback) may have in Python: as written
    first, so an exact Java-style name wins, then its snake_case form."""
    return tuple(dict.fromkeys((set_method, snake_case(set_method))))


def find_set_method(owner: object, set_method: str) -> tuple[str, Callable[..., Any]] | None:
    """The callable ``owner`` (an instance or a class) offers for ``set_method``, with its name."""
    for name in set_method_names(set_method):
        method = getattr(owner, name, None)
        if callable(method):
            return name, method
    return None


_NOT_IDENTIFIER = re.compile(r"\W+")


def provider_name_for(key_name: str) -> str:
    """The dependency-injector provider name of a component key: the snake_case form of its
    last segment (``org.exo.WebConferencingService`` -> ``web_conferencing_service``,
    ``Outer$Inner`` -> ``inner``), a valid identifier for ``Provide["..."]``."""
    last = re.split(r"[.$]", key_name.strip())[-1] or key_name
    name = _NOT_IDENTIFIER.sub("_", snake_case(last)).strip("_") or "component"
    return f"_{name}" if name[0].isdigit() else name


def _qualified_provider_name(key_name: str) -> str:
    """The fallback name when two keys share a last segment: the whole key, snake_cased."""
    return "__".join(provider_name_for(part) for part in re.split(r"[.$]", key_name.strip()) if part)


def _where(source: Source | None) -> tuple[str | None, int | None]:
    return (source.file, source.line) if source else (None, None)


@dataclass(eq=False)
class ComponentAdapter:
    """One registered component: its key, its class, where it was configured."""

    key: Key
    implementation: type
    config: ComponentConfig | None = None
    provider: providers.Provider | None = field(default=None, repr=False)
    provider_name: str = ""  # its name in ``ExoContainer.di``
    instance: Any = field(default=None, repr=False)  # set once created
    created: bool = False

    @property
    def key_name(self) -> str:
        return self.key if isinstance(self.key, str) else qualified_name(self.key)

    @property
    def source(self) -> Source | None:
        return self.config.source if self.config else None

    @property
    def init_params(self) -> InitParams | None:
        return self.config.init_params if self.config else None

    def describe(self) -> str:
        where = f" (declared at {self.source})" if self.source else ""
        return f"{self.key_name}{where}"


@dataclass
class Dependency:
    """How one constructor parameter is satisfied (what ``graph`` prints)."""

    parameter: Parameter
    adapter: ComponentAdapter | None = None  # for a component
    value: str = "component"  # "component" | "init-params" | "none" | "default"


class ExoContainer:
    """The eXo kernel's ``ExoContainer``: configured components wired by constructor.

    Built from a merged :class:`Configuration` (see :func:`exo_container.boot.boot` for
    the whole boot); registration happens in the constructor, instances are created
    lazily, ``start()`` creates and starts the Startable ones.  ``instances`` are
    already built objects registered next to the built-ins (``ExoContainer`` itself and
    the ``PropertyStore``), before the configured components.

    ``parent`` is the container lookups fall back to, as the kernel's ``ExoContainer``
    does (a portal container's parent is the root, see :mod:`exo_container.hierarchy`):
    by key, local then the parent's; by type, the component keyed by the class here or in
    an ancestor, else the unique local one assignable to it, else the parent's answer.
    A parent never sees its children's components, and each container applies only the
    plugins of its own configuration.  Problems are one list for the whole hierarchy.
    """

    def __init__(
        self,
        configuration: Configuration | None = None,
        properties: "PropertyStore | None" = None,
        *,
        strict: bool = False,
        problems: Iterable[ConfigurationError] = (),
        instances: Mapping[Key, Any] | None = None,
        run_code: bool = True,
        parent: "ExoContainer | None" = None,
        name: str | None = None,
    ) -> None:
        from .properties import PropertyStore

        self.parent = parent
        self.name = name
        self.configuration = configuration if configuration is not None else Configuration()
        self.properties = properties if properties is not None else PropertyStore()
        self.strict = strict
        self.run_code = run_code  # False: only the kernel's own classes are loaded (codepolicy)
        self.problems: list[ConfigurationError] = parent.problems if parent is not None else []
        self.problems.extend(problems)
        self._di = containers.DynamicContainer()
        self._adapters: dict[Key, ComponentAdapter] = {}
        self._by_name: dict[str, ComponentAdapter] = {}  # every string that names a class-keyed adapter
        self._by_type: dict[type, list[ComponentAdapter]] = {}  # every class in an implementation's MRO
        self._lock = threading.RLock()
        self._creating: list[ComponentAdapter] = []
        self._partial: dict[int, Any] = {}  # id(adapter) -> instance whose plugins are being applied
        self._completed: list[ComponentAdapter] = []  # creation-completion order
        self._started: list[ComponentAdapter] = []
        self._state = INITIALIZED
        self._wired = False
        self._lifecycle_plugins: list[Any] = []
        self.extensions: list[Any] = []  # the extensions booted, in load order (set by boot)
        self.local_files: list[str] = []  # this container's configuration files, in merge order (set by boot)

        self.register_component_instance(ExoContainer, self)
        self.register_component_instance(PropertyStore, self.properties)
        for key, instance in (instances or {}).items():
            self.register_component_instance(key, instance)
        self._create_lifecycle_plugins()
        self._load_component_lifecycle_plugins()
        for config in self.configuration.components.values():
            self._register_configured(config)
        self._warn_unknown_targets()
        self._call_lifecycle_plugins("init_container")

    @property
    def files(self) -> list[str]:
        """The configuration files this container sees: its parent's, then its own, each in merge order."""
        return [*(self.parent.files if self.parent is not None else ()), *self.local_files]

    # ------------------------------------------------------------------ registration

    def register_component_implementation(
        self, key: Key, implementation: type, config: ComponentConfig | None = None
    ) -> ComponentAdapter:
        """Register a lazily created singleton (what the configuration does for each component)."""
        adapter = ComponentAdapter(key, implementation, config)
        adapter.provider = providers.Callable(self._singleton, adapter)
        with self._lock:
            self._check_setup("register_component_implementation")
            self._add(adapter)
        return adapter

    def register_component_instance(self, key: Key, instance: Any) -> ComponentAdapter:
        """Register an already built object (the built-ins, or objects made by the caller)."""
        adapter = ComponentAdapter(key, type(instance), None, providers.Object(instance), instance=instance, created=True)
        with self._lock:
            self._check_setup("register_component_instance")
            self._add(adapter)
            self._completed.append(adapter)
        return adapter

    def _check_setup(self, method: str) -> None:
        """Flask's ``setupmethod`` guard: the set of components is fixed once the container runs."""
        if self._state != INITIALIZED:
            raise ContainerError(
                f"{method}() can no longer be called: the container is {self._state}; "
                "register every component before start()"
            )

    def _add(self, adapter: ComponentAdapter) -> None:
        if adapter.key in self._adapters:
            raise ContainerError(f"A component is already registered under key {adapter.key_name}")
        self._adapters[adapter.key] = adapter
        name = provider_name_for(adapter.key_name)
        if self._name_taken(name):
            name = base = _qualified_provider_name(adapter.key_name)
            suffix = 2
            while self._name_taken(name):
                name, suffix = f"{base}_{suffix}", suffix + 1
        adapter.provider_name = name
        self._di.set_provider(name, adapter.provider)
        for name in self._names_of(adapter):
            self._by_name.setdefault(name, adapter)
        for cls in adapter.implementation.__mro__:
            self._by_type.setdefault(cls, []).append(adapter)

    def _name_taken(self, name: str) -> bool:
        """A provider name already used, or one that would hide a DynamicContainer attribute (``wire``)."""
        return name in self._di.providers or hasattr(self._di, name)

    def _names_of(self, adapter: ComponentAdapter) -> set[str]:
        """The strings an external-component-plugins target may use for this component."""
        names = {adapter.key_name}
        if adapter.config is not None and adapter.config.key:
            names.add(adapter.config.key)
        if isinstance(adapter.key, type):
            if adapter.config is not None and not adapter.config.key:
                names.add(adapter.config.type)
            names.update(adapter.key.__dict__.get("__java_names__", ()))
            path = adapter.key_name
            names.update(java for java, python in known_aliases().items() if python == path)
        return names

    def _register_configured(self, config: ComponentConfig) -> None:
        if not self.run_code and not is_kernel_class(config.type):
            return  # not loaded, not registered: this container only serves the kernel's own classes
        try:
            implementation = load_class(config.type)
        except ClassNotFound as exc:
            self._problem(
                ConfigurationError(
                    f"Class {config.type} of component {config.effective_key} not found: {exc}; component skipped",
                    *_where(config.source),
                )
            )
            return
        key: Key = config.effective_key
        if config.multi_instance and config.key is None:
            # the kernel throws UnsupportedOperationException from its registration loop: its container does not start
            self._problem(ConfigurationError(
                f"Component {config.effective_key}: <multi-instance>true</multi-instance> is no longer supported "
                "(the kernel refuses it, 'Multi-instance isn't allowed anymore', and its container does not start); "
                "component skipped", *_where(config.source)))
            return
        if config.key is None:
            key = implementation  # key defaults to type, which just loaded
        elif config.multi_instance:
            pass  # the kernel's class-key registration throws for it, and falls back to the String key
        else:
            try:
                key_class = load_class(config.key)
            except ClassNotFound:
                key_class = None
            if key_class is not None and issubclass(implementation, key_class):
                key = key_class
        if key in self._adapters and not isinstance(key, str):
            key = config.effective_key  # the kernel falls back to the String key on a duplicate Class key
        if key in self._adapters:
            self._problem(
                ConfigurationError(
                    f"Component {config.effective_key} is registered twice; the second one is skipped",
                    *_where(config.source),
                )
            )
            return
        self.register_component_implementation(key, implementation, config)

    def _problem(self, problem: ConfigurationError) -> None:
        """Record a tolerated problem; in strict mode an error (not a warning) is fatal."""
        if self.strict and not isinstance(problem, ConfigurationWarning):
            raise problem
        self.problems.append(problem)
        (log.warning if isinstance(problem, ConfigurationWarning) else log.error)("%s", problem)

    # ------------------------------------------------------------------ lookup

    def get_component_adapter(self, key: Key) -> ComponentAdapter | None:
        """The adapter for a key: exact key, or a string naming a class-keyed component; here, else in the parent."""
        adapter = self.get_local_component_adapter(key)
        if adapter is None and self.parent is not None:
            return self.parent.get_component_adapter(key)
        return adapter

    def get_local_component_adapter(self, key: Key) -> ComponentAdapter | None:
        """The adapter registered under ``key`` in this container itself (no fallback to the parent)."""
        adapter = self._adapters.get(key)
        if adapter is None and isinstance(key, str):
            adapter = self._by_name.get(key)
        return adapter

    def get_component_adapters(self) -> list[ComponentAdapter]:
        """Every adapter of this container (not its parent's), built-ins first, then in registration order."""
        return list(self._adapters.values())

    def get_component_instance(self, key: Key) -> Any:
        """The component registered under ``key`` (string key, class key, or a class's name); None if none."""
        adapter = self.get_component_adapter(key)
        return None if adapter is None else self._instance_of(adapter)

    def get_component_instance_of_type(self, cls: type[T]) -> T | None:
        """The component keyed by ``cls``, else the unique one assignable to it; None if none."""
        adapter = self._adapter_for_type(cls)
        return None if adapter is None else self._instance_of(adapter)

    def get_components_of_type(self, cls: type[T]) -> list[T]:
        """Every component of this container (not its parent's, as the kernel's
        ``getComponentInstancesOfType``) assignable to ``cls``, in registration order (creating them)."""
        return [self._instance_of(a) for a in list(self._by_type.get(cls, ()))]

    def _adapter_for_type(self, cls: type) -> ComponentAdapter | None:
        container: ExoContainer | None = self
        while container is not None:  # keyed by the class itself, here or in an ancestor
            exact = container._adapters.get(cls)
            if exact is not None:
                return exact
            container = container.parent
        return self._assignable_adapter(cls)

    def _assignable_adapter(self, cls: type) -> ComponentAdapter | None:
        """The unique local component assignable to ``cls``, else the parent's."""
        found = self._by_type.get(cls, ())
        if len(found) > 1:
            raise ContainerError(
                f"Several components found for type {qualified_name(cls)}: "
                + " and ".join(a.describe() for a in found)
            )
        if found:
            return found[0]
        return self.parent._assignable_adapter(cls) if self.parent is not None else None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, (str, type)) and self.get_component_adapter(key) is not None

    # ------------------------------------------------------------------ instantiation

    # ------------------------------------------------------------------ dependency-injector

    @property
    def di(self) -> containers.DynamicContainer:
        """The components as a dependency-injector container: one provider per component.

        ``container.di.web_conferencing_service()`` is the component, ``container.di.providers``
        names them all (:func:`provider_name_for`; when two keys share a last segment, the
        later one is named after its whole key: ``org__exo__foo_service``).  Overriding a
        provider (``container.di.clock.override(providers.Object(fake))``) changes what every
        later lookup and constructor injection gets; the replacement's lifecycle is the
        caller's.
        """
        return self._di

    def provider_name(self, key: Key) -> str | None:
        """The name of the provider of the component registered under ``key`` (None if none)."""
        adapter = self.get_component_adapter(key)
        return None if adapter is None else adapter.provider_name

    def wire(self, modules: Iterable[Any] = (), packages: Iterable[Any] = ()) -> None:
        """Let ``@inject`` functions of ``modules``/``packages`` receive components by provider name::

            from dependency_injector.wiring import Provide, inject

            @inject
            def handler(service=Provide["web_conferencing_service"]): ...

            container.wire(modules=[sys.modules[__name__]])

        Undone by :meth:`unwire`, and by :meth:`dispose`.
        """
        self._di.wire(modules=list(modules), packages=list(packages))
        self._wired = True

    def unwire(self) -> None:
        """Undo :meth:`wire`: the ``@inject`` functions get their ``Provide`` markers back."""
        if self._wired:
            self._di.unwire()
            self._wired = False

    # ------------------------------------------------------------------ instantiation

    def _instance_of(self, adapter: ComponentAdapter) -> Any:
        """The component, through its provider (so an override is honoured)."""
        return adapter.provider()

    def _singleton(self, adapter: ComponentAdapter) -> Any:
        with self._lock:
            if adapter.created:
                return adapter.instance
            partial = self._partial.get(id(adapter))
            if partial is not None:
                return partial
            if adapter in self._creating:
                cycle = self._creating[self._creating.index(adapter):] + [adapter]
                raise ContainerError("Dependency cycle: " + " -> ".join(a.key_name for a in cycle))
            return self._create(adapter)

    def _create(self, adapter: ComponentAdapter) -> Any:
        """The Singleton factory: construct, apply plugins, record completion."""
        self._creating.append(adapter)
        try:
            instance = self._construct(adapter.implementation, adapter.init_params, adapter.source)
        except ContainerError:
            raise
        except Exception as exc:
            raise ContainerError(
                f"Cannot instantiate component key={adapter.key_name} type={qualified_name(adapter.implementation)}"
                f"{' found at ' + str(adapter.source) if adapter.source else ''}: {type(exc).__name__}: {exc}"
            ) from exc
        finally:
            self._creating.pop()
        self._partial[id(adapter)] = instance
        try:
            self._apply_plugins(adapter, instance)
        finally:
            del self._partial[id(adapter)]
        adapter.instance, adapter.created = instance, True
        self._completed.append(adapter)
        if self._state == STARTED and _is_a(type(instance), Startable):
            self._start_one(adapter)
        return instance

    def plan(
        self, cls: type, init_params: InitParams | None, source: Source | None = None
    ) -> tuple[Constructor, list[Dependency]]:
        """Choose the constructor of ``cls`` and say how each parameter is satisfied, creating nothing."""
        candidates = constructors_of(cls)
        failure: tuple[Constructor, Parameter] | None = None
        for ctor in candidates:
            deps: list[Dependency] = []
            for param in ctor.parameters:
                dep = self._satisfy(param, init_params)
                if dep is None:
                    failure = (ctor, param)
                    break
                deps.append(dep)
            else:
                return ctor, deps
        assert failure is not None
        ctor, param = failure
        where = f" (declared at {source})" if source else ""
        reason = "no type annotation" if param.kind is ParameterKind.UNSUPPORTED and not param.annotation else (
            f"unsupported annotation {param.annotation}" if param.kind is ParameterKind.UNSUPPORTED
            else "no component registered for that type"
        )
        raise ContainerError(
            f"Cannot find a satisfying constructor for {qualified_name(cls)} with parameter {param.describe()} "
            f"({reason}){where}"
        )

    def _satisfy(self, param: Parameter, init_params: InitParams | None) -> Dependency | None:
        if param.kind is ParameterKind.INIT_PARAMS:
            return Dependency(param, value="init-params")  # None when there are none: still satisfied
        if param.kind is ParameterKind.COMPONENT:
            adapter = self._adapter_for_type(param.type)  # type: ignore[arg-type]
            if adapter is not None:
                return Dependency(param, adapter)
        if param.has_default:
            return Dependency(param, value="default")
        if param.optional:
            return Dependency(param, value="none")
        return None

    def _construct(self, cls: type, init_params: InitParams | None, source: Source | None) -> Any:
        ctor, deps = self.plan(cls, init_params, source)
        kwargs: dict[str, Any] = {}
        for dep in deps:
            if dep.value == "init-params":
                kwargs[dep.parameter.name] = init_params
            elif dep.value == "none":
                kwargs[dep.parameter.name] = None
            elif dep.adapter is not None:
                kwargs[dep.parameter.name] = self._instance_of(dep.adapter)
        return ctor.factory(**kwargs)

    # ------------------------------------------------------------------ plugins

    def plugins_for(self, adapter: ComponentAdapter) -> list[PluginConfig]:
        """Own plugins (priority-sorted, stable), then the external ones that target this component."""
        own = sorted(adapter.config.plugins, key=lambda p: p.priority) if adapter.config else []
        external: list[PluginConfig] = []
        names = self._names_of(adapter)
        for target, block in self.configuration.external_plugins.items():
            if target in names:
                external.extend(block.plugins)
        return own + sorted(external, key=lambda p: p.priority)

    def _apply_plugins(self, adapter: ComponentAdapter, instance: Any) -> None:
        for config in self.plugins_for(adapter):
            try:
                plugin = self._build_plugin(config)
                method = self._set_method(instance, config, plugin)
            except ConfigurationError as exc:
                self._problem(exc)
                continue
            try:
                method(plugin)
            except Exception as exc:
                self._problem(
                    ConfigurationError(
                        f"Plugin {config.name} ({config.type}): {adapter.key_name}.{method.__name__} failed: "
                        f"{type(exc).__name__}: {exc}; plugin skipped",
                        *_where(config.source),
                    )
                )

    def _build_plugin(self, config: PluginConfig | LifecyclePluginConfig) -> Any:
        label = f"Plugin {config.name} ({config.type})" if config.name else f"Plugin {config.type}"
        if not self.run_code and not is_kernel_class(config.type):
            raise ConfigurationWarning(
                f"{label}: not built, it is project code (--deep loads it); plugin skipped", *_where(config.source))
        try:
            cls = load_class(config.type)
        except ClassNotFound as exc:
            raise ConfigurationError(f"{label}: class not found: {exc}; plugin skipped", *_where(config.source)) from exc
        try:
            plugin = self._construct(cls, config.init_params, None)
        except Exception as exc:
            raise ConfigurationError(
                f"{label}: cannot build it: {type(exc).__name__}: {exc}; plugin skipped", *_where(config.source)
            ) from exc
        for setter, value in (("set_name", config.name), ("set_description", config.description)):
            method = getattr(plugin, setter, None)
            if callable(method):
                method(value)
        return plugin

    @staticmethod
    def _set_method(instance: Any, config: PluginConfig, plugin: Any) -> Callable[[Any], Any]:
        found = find_set_method(instance, config.set_method)
        if found is None:
            raise ConfigurationError(
                f"Plugin {config.name} ({config.type}): {qualified_name(type(instance))} has no method "
                f"{' or '.join(set_method_names(config.set_method))}; plugin skipped",
                *_where(config.source),
            )
        name, method = found
        expected = _first_parameter_type(method)
        if expected is not None and not isinstance(plugin, expected):
            raise ConfigurationError(
                f"Plugin {config.name} ({config.type}): {type(instance).__qualname__}.{name} expects "
                f"{expected.__qualname__}, not {type(plugin).__qualname__}; plugin skipped",
                *_where(config.source),
            )
        return method

    def _warn_unknown_targets(self) -> None:
        for target, block in self.configuration.external_plugins.items():
            if target in self._adapters or target in self._by_name or not block.plugins:
                continue
            elsewhere = self.parent.get_component_adapter(target) if self.parent is not None else None
            self._problem(unknown_target_warning(block, in_parent=elsewhere is not None))

    # ------------------------------------------------------------------ container lifecycle plugins

    def _create_lifecycle_plugins(self) -> None:
        """Built before the components are registered, as in the kernel: only built-ins are injectable."""
        for config in sorted(self.configuration.container_lifecycle_plugins, key=lambda p: p.priority):
            try:
                self._lifecycle_plugins.append(self._build_plugin(config))
            except ConfigurationError as exc:
                self._problem(exc)

    def _load_component_lifecycle_plugins(self) -> None:
        """A component-lifecycle-plugin is vestigial (the kernel builds it and never calls it), but the kernel
        loads its class, and one it cannot load is an ERROR in its log: so is it here, rather than a typo
        passing unseen. Project code is only loaded when it may run."""
        for config in self.configuration.component_lifecycle_plugins:
            if not self.run_code and not is_kernel_class(config.type):
                continue
            try:
                load_class(config.type)
            except ClassNotFound as exc:
                self._problem(ConfigurationError(
                    f"Component lifecycle plugin {config.type}: class not found: {exc}; plugin skipped",
                    *_where(config.source)))

    def _call_lifecycle_plugins(self, callback: str) -> None:
        camel = re.sub(r"_(\w)", lambda m: m.group(1).upper(), callback)
        for plugin in self._lifecycle_plugins:
            found = find_set_method(plugin, camel)
            if found is None:
                continue
            method = found[1]
            try:
                method(self)
            except Exception:
                log.exception("Container lifecycle plugin %s failed in %s", qualified_name(type(plugin)), callback)

    @property
    def lifecycle_plugins(self) -> list[Any]:
        return list(self._lifecycle_plugins)

    # ------------------------------------------------------------------ lifecycle

    @property
    def state(self) -> str:
        """``initialized``, ``started``, ``stopped`` or ``disposed``."""
        return self._state

    def start(self) -> None:
        """Create every Startable component, then start them in creation-completion order.

        A no-op when already started; after :meth:`dispose` a :class:`ContainerError`
        (its components were disposed and must not run again).
        """
        with self._lock:
            if self._state == STARTED:
                return
            if self._state == DISPOSED:
                raise ContainerError("start() after dispose(): a disposed container cannot be started again")
            for adapter in list(self._adapters.values()):
                if _is_a(adapter.implementation, Startable):
                    self._instance_of(adapter)
            started = set(map(id, self._started))
            for adapter in list(self._completed):
                if adapter.created and _is_a(type(adapter.instance), Startable) and id(adapter) not in started:
                    self._start_one(adapter)
            self._state = STARTED
            self._call_lifecycle_plugins("start_container")

    def _start_one(self, adapter: ComponentAdapter) -> None:
        try:
            adapter.instance.start()
        except Exception as exc:
            self._stop_started()
            raise ContainerError(f"Cannot start component {adapter.describe()}: {type(exc).__name__}: {exc}") from exc
        self._started.append(adapter)

    def _stop_started(self) -> None:
        while self._started:
            adapter = self._started.pop()
            try:
                adapter.instance.stop()
            except Exception:
                log.exception("Stopping component %s failed (ignored)", adapter.describe())

    def stop(self) -> None:
        """Stop the started components in reverse order; errors are logged and ignored."""
        with self._lock:
            if self._state != STARTED:
                return
            self._call_lifecycle_plugins("stop_container")
            self._stop_started()
            self._state = STOPPED

    def dispose(self) -> None:
        """Stop if needed, then dispose the Disposable components in reverse creation order."""
        with self._lock:
            if self._state == DISPOSED:
                return
            self.stop()
            self._call_lifecycle_plugins("destroy_container")
            self.unwire()
            for adapter in reversed(self._completed):
                if adapter.instance is not self and _is_a(type(adapter.instance), Disposable):
                    try:
                        adapter.instance.dispose()
                    except Exception:
                        log.exception("Disposing component %s failed (ignored)", adapter.describe())
            self._state = DISPOSED

    def __enter__(self) -> "ExoContainer":
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()

    def __iter__(self) -> Iterator[ComponentAdapter]:
        return iter(self.get_component_adapters())

    # ------------------------------------------------------------------ checking without running

    def verify(self) -> list[ConfigurationError]:
        """Check what creating every component would need, creating nothing.

        For each component: a satisfiable constructor; for each of its plugins: a
        loadable class with a satisfiable constructor and a set-method on the component
        class.  Returns the new problems (also appended to ``problems``).
        """
        found: list[ConfigurationError] = []
        for adapter in list(self._adapters.values()):
            if adapter.config is None:
                continue
            try:
                self.plan(adapter.implementation, adapter.init_params)
            except ContainerError as exc:
                found.append(ConfigurationError(str(exc), *_where(adapter.source)))
            for config in self.plugins_for(adapter):
                found.extend(self._verify_plugin(adapter, config))
        for problem in found:
            self.problems.append(problem)
        return found

    def _verify_plugin(self, adapter: ComponentAdapter, config: PluginConfig) -> list[ConfigurationError]:
        label = f"Plugin {config.name} ({config.type})"
        try:
            cls = load_class(config.type)
        except ClassNotFound as exc:
            return [ConfigurationError(f"{label}: class not found: {exc}", *_where(config.source))]
        problems = []
        try:
            self.plan(cls, config.init_params)
        except ContainerError as exc:
            problems.append(ConfigurationError(f"{label}: {exc}", *_where(config.source)))
        if find_set_method(adapter.implementation, config.set_method) is None:
            names = set_method_names(config.set_method)
            problems.append(
                ConfigurationError(
                    f"{label}: {qualified_name(adapter.implementation)} has no method {' or '.join(names)}",
                    *_where(config.source),
                )
            )
        return problems

    def dependencies_of(self, adapter: ComponentAdapter) -> list[Dependency]:
        """The constructor dependencies ``graph`` prints (raises ContainerError if unsatisfiable)."""
        return self.plan(adapter.implementation, adapter.init_params, adapter.source)[1]

    def __repr__(self) -> str:
        named = f" {self.name}" if self.name else ""
        return f"<{type(self).__name__}{named} {self._state}, {len(self._adapters)} components>"


def unknown_target_warning(block: ExternalPluginsConfig, in_parent: bool = False) -> ConfigurationWarning:
    """The warning for external plugins whose target no component matches (they are never applied);
    ``in_parent``: the target is a component of the parent (root) container, which the kernel does not
    give plugins declared in a portal container's files."""
    count = len(block.plugins)
    file, line = _where(block.source or block.plugins[0].source)
    sources = [p.source for p in block.plugins if p.source]
    if sources and all(src.file == file for src in sources):
        where = ", declared at line" + ("s " if len(sources) > 1 else " ") + ", ".join(str(src.line) for src in sources)
    else:
        where = ", declared at " + ", ".join(map(str, sources)) if sources else ""
    note = (": it is a component of the root container, and plugins apply only to components of the container "
            "whose files declare them (declare the component in a portal-level file)") if in_parent else ""
    return ConfigurationWarning(
        f"External plugins for unknown target {block.target_component} "
        f"({count} plugin{'s' if count != 1 else ''}{where}) skipped{note}",
        file, line,
    )


def _is_a(cls: type, base: type) -> bool:
    """Nominal subclassing through the MRO: ``issubclass`` on an ABC with hundreds of
    subclasses walks them all on every negative answer, which dominated boot time."""
    return base in cls.__mro__


def _first_parameter_type(method: Callable[..., Any]) -> type | None:
    """The class a set-method declares for its plugin parameter, when it declares one."""
    try:
        params = [p for p in inspect.signature(method).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        if not params:
            return None
        hint = typing.get_type_hints(method).get(params[0].name)
    except Exception:
        return None
    return hint if isinstance(hint, type) and typing.get_origin(hint) is None else None
