"""Booting: properties, then configuration files in the kernel's order, then the containers.

``boot()`` is the one entry point a server (or a test) needs::

    container = boot("configuration.xml")          # parsed, wired and started
    service = container.get_component_instance_of_type(WebConferencingService)

As in eXo there are two levels (:mod:`exo_container.hierarchy`): a **root container**
(steps 2-3) and one **portal container** per portal definition (step 4), whose lookups
fall back to the root. ``boot()`` returns the default portal container, which owns the
root: what it cannot find locally comes from the root, and its start/stop/dispose cover
the whole hierarchy.

Order (see :mod:`exo_container.extensions` for why):

1. properties: ``EXO_*`` environment < ``-D`` (``system_properties``) < the properties
   file (``exo.properties`` next to the root configuration unless ``properties_file``
   says otherwise; ``exo.properties.url`` overrides both);
2. every installed package's ``conf/configuration.xml`` (:mod:`exo_container.packages`,
   by name), the root configuration file(s) with their imports, then every extension's
   ``META-INF/exo-conf/configuration.xml`` (by folder name);
3. the ``PropertyConfigurator``/``ExtendedPropertyConfigurator`` components of those
   files are built (:mod:`exo_container.configurators`): their properties reach the
   files read from here on, as the kernel's root container starts before its portal
   containers parse; then the ``PortalContainerConfig`` of those files is built and
   started, which yields the dependency list (and any ``add.profiles``);
4. for each portal container (the default one first, then every other enabled
   definition), its own files, where ``${portal.container.*}`` and
   ``${container.name.suffix}`` resolve for that portal: every installed package's
   ``conf/portal/configuration.xml``, then the extensions of that portal's
   ``WEB-INF/conf/configuration.xml``, each in that portal's dependency order, then
   ``${exo.conf.dir}/portal/<portal name>/configuration.xml`` (the kernel's
   ``${exo-conf}/portal/<name>/configuration.xml``, loaded last so the deployer's file
   wins; the product keeps there the services its connectors plug into);
5. remove-configuration, per container; then the root registers its components, each
   portal container its own, and, unless ``start=False``, the root starts, then each
   portal container.

A root file is parsed once; a portal-level file once per portal container that loads it.
Problems of every step end up in ``container.problems`` (one list for the hierarchy).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from .aliases import known_aliases
from .codepolicy import python_path
from .configurators import CONFIGURATORS
from .container import ExoContainer, unknown_target_warning
from .errors import ConfigurationError, ConfigurationWarning, ContainerError
from .extensions import (
    Extension,
    PortalContainerConfig,
    add_to_sys_path,
    discover_extensions,
    extension_dirs,
    order_extensions,
)
from .hierarchy import PortalContainer, RootContainer
from .injection import qualified_name
from .jvm import EXO_CONF_DIR
from .loader import ConfigurationLoader, finish_configuration
from .packages import InstalledPackage, discover_installed_packages
from .portal import PortalVariables
from .properties import PropertyStore
from .xml.model import ComponentConfig, Configuration

PathLike = str | Path


@dataclass
class PortalDeployment:
    """What one portal container will hold: its files' merged configuration."""

    name: str
    configuration: Configuration
    extensions: list[Extension]  # the extensions of this portal, in load (dependency) order
    dependencies: list[str] | None  # of this portal's definition
    files: list[str] = field(default_factory=list)  # its files, in merge order


@dataclass
class Deployment:
    """Everything decided before the containers are built: what ``exo-container check/dump`` inspect."""

    base: Path
    properties: PropertyStore
    root_configuration: Configuration
    problems: list[ConfigurationError]
    portals: list[PortalDeployment]  # the default portal container first
    portal_container_config: PortalContainerConfig
    root_files: list[str] = field(default_factory=list)  # the root's files, in merge order
    strict: bool = False
    run_code: bool = True  # False: read without loading project classes (``check``/``dump`` without --deep)
    built: dict = field(default_factory=dict)  # key -> component already built while loading (property configurators)
    referenced: set[str] = field(default_factory=set)  # every property name the files' ${} asked for

    @property
    def default_portal(self) -> PortalDeployment:
        return self.portals[0]

    @property
    def extensions(self) -> list[Extension]:
        """The default portal container's extensions, in load (dependency) order."""
        return self.default_portal.extensions

    @property
    def dependencies(self) -> list[str] | None:
        """The dependency list of the default portal definition."""
        return self.default_portal.dependencies

    @property
    def files(self) -> list[str]:
        """Every file merged: the root's, then each portal container's, each in merge order."""
        return [*self.root_files, *(f for portal in self.portals for f in portal.files)]

    def containers(self) -> list[tuple[str, Configuration]]:
        """(container label, configuration) of the root, then of each portal container."""
        return [("root container", self.root_configuration),
                *((f"portal container {portal.name}", portal.configuration) for portal in self.portals)]

    @property
    def component_count(self) -> int:
        """Components over all containers (one declared in the root and in a portal counts twice: it exists twice)."""
        return sum(len(config.components) for _, config in self.containers())

    def unknown_external_targets(self) -> list[ConfigurationWarning]:
        """Per container, the external plugins whose target no component *of that container* matches
        (the kernel applies plugins only there), found from the configuration alone; a portal file's
        plugins for a root component get a warning that says so."""
        from .checks import unknown_external_targets

        found = unknown_external_targets(self.root_configuration)
        for portal in self.portals:
            for target, block in portal.configuration.external_plugins.items():
                alone = Configuration(components=portal.configuration.components, external_plugins={target: block})
                if not unknown_external_targets(alone):
                    continue
                with_root = Configuration(components=self.root_configuration.components,
                                          external_plugins={target: block})
                found.append(unknown_target_warning(block, in_parent=not unknown_external_targets(with_root)))
        return found

    def build_container(self) -> PortalContainer:
        """The containers of this deployment (components registered, nothing created yet): the root, then
        its portal containers; returns the default portal container, which owns the root."""
        root = RootContainer(
            self.root_configuration,
            self.properties,
            strict=self.strict,
            problems=self.problems,
            instances={PortalContainerConfig: self.portal_container_config, **self.built},
        )
        root.local_files = list(self.root_files)
        portals = []
        for index, portal in enumerate(self.portals):
            container = PortalContainer(portal.configuration, self.properties, strict=self.strict, parent=root,
                                        name=portal.name, owns_root=index == 0)
            container.extensions = list(portal.extensions)
            container.local_files = list(portal.files)
            portals.append(container)
        return portals[0]

    def verify(self) -> list[ConfigurationError]:
        """Every problem a boot would meet before starting anything: those of reading the files,
        then of registering the components (classes) and of wiring them and their plugins
        (constructors, set-methods), creating no component. Loads the project's classes."""
        if not self.run_code:
            raise ValueError("a deployment read with run_code=False cannot be verified: its classes were not loaded")
        container = self.build_container()
        container.verify()
        return list(container.problems)

    @property
    def errors(self) -> list[ConfigurationError]:
        """The problems of reading that are not mere warnings (a dropped file, a failed import)."""
        return [p for p in self.problems if not isinstance(p, ConfigurationWarning)]


def load(
    configuration: PathLike | Sequence[PathLike] = "configuration.xml",
    *,
    properties_file: PathLike | None = None,
    extensions_dirs: Iterable[PathLike] | None = None,
    system_properties: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    profiles: Iterable[str] | None = None,
    strict: bool = False,
    run_code: bool = True,
    packages: Iterable[InstalledPackage] | None = None,
) -> Deployment:
    """Read properties and every configuration file, in boot order, without building anything else.

    ``configuration`` is the root file (or several, loaded in order; extensions are
    looked for next to the first one). ``profiles`` are added to those of ``exo.profiles``.
    ``run_code=False`` loads no class outside the kernel (see :mod:`exo_container.codepolicy`):
    object-params of project classes stay unbuilt, and so do project plugins of the
    ``PortalContainerConfig`` (reported as warnings). ``packages`` are the installed packages
    that ship configuration (default: those declared by entry points, see :mod:`exo_container.packages`).
    """
    roots = [Path(configuration)] if isinstance(configuration, (str, Path)) else [Path(c) for c in configuration]
    if not roots:
        raise ValueError("at least one configuration file is needed")
    base = roots[0].resolve().parent
    properties = PropertyStore.from_process(
        system_properties, environ, Path(properties_file) if properties_file is not None else base / "exo.properties",
        conf_dir=base,
    )
    active = properties.profiles() | set(profiles or ())
    loader = ConfigurationLoader(properties, profiles=active, strict=strict, run_code=run_code)

    extensions = discover_extensions(extension_dirs(base, properties, extensions_dirs))
    add_to_sys_path(extensions)

    package_problems: list[ConfigurationError] = []
    if packages is None:
        packages, found_problems = discover_installed_packages()
        package_problems.extend(found_problems)
    packages = list(packages)
    for package in packages:
        if package.root_conf.is_file():
            loader.add_configuration(package.root_conf)
    for root in roots:
        loader.add_configuration(root)
    for extension in extensions:
        if extension.exo_conf.is_file():
            loader.add_configuration(extension.exo_conf, context_dir=extension.path)

    root_config = finish_configuration(loader.configuration)
    configurators, configurator_problems = _configure_properties(root_config, properties, strict, run_code)
    definitions_container = ExoContainer(_portal_config_only(root_config), properties, strict=strict, run_code=run_code)
    portal_config = definitions_container.get_component_instance(PortalContainerConfig)
    portal_config.start()
    problems = [*package_problems, *loader.problems, *configurator_problems, *definitions_container.problems,
                *portal_config.problems]
    active |= set(portal_config.added_profiles)  # from here on, the portal containers' files

    for extension in extensions:
        if extension.web_conf.is_file() and not portal_config.get_portal_container_names_of(extension.name):
            problems.append(ConfigurationWarning(
                f"extension {extension.name} is not loaded: it belongs to no enabled portal container "
                f"(not a dependency of '{portal_config.default_portal_container}'"
                f"{', ignore.unregistered.webapp=true' if portal_config.ignore_unregistered_webapp else ''})",
                str(extension.web_conf)))
    portals = []
    referenced = set(loader.referenced)
    seen = {(type(p), str(p)) for p in problems}
    for name in portal_config.get_portal_container_names() or [portal_config.default_portal_container]:
        portal_loader = ConfigurationLoader(properties, profiles=active, strict=strict, run_code=run_code)
        portal_loader.variables = PortalVariables(properties, portal_config, name)
        portals.append(_load_portal(portal_loader, name, portal_config, extensions, packages))
        for problem in portal_loader.problems:  # a file several portal containers load: reported once
            if (type(problem), str(problem)) not in seen:
                seen.add((type(problem), str(problem)))
                problems.append(problem)
        referenced |= portal_loader.referenced

    for key in _portal_config_keys(root_config):
        del root_config.components[key]  # the instance built above is registered instead
    built: dict = {}
    for key, (config_key, instance) in configurators.items():
        del root_config.components[config_key]  # built above: registered as that instance
        built[key] = instance
    return Deployment(base, properties, root_config, problems, portals, portal_config, list(loader.loaded), strict,
                      run_code, built, referenced)


def _load_portal(loader: ConfigurationLoader, name: str, config: PortalContainerConfig, extensions: list[Extension],
                 packages: list[InstalledPackage]) -> PortalDeployment:
    """The files of portal container ``name``: installed packages' ``conf/portal/configuration.xml`` and the
    portal's extensions' ``WEB-INF/conf/configuration.xml`` in its dependency order, then the deployer's
    ``${exo.conf.dir}/portal/<name>/configuration.xml``."""
    dependencies = config.get_dependencies(name)
    ordered = [extension for extension in order_extensions(extensions, dependencies)
               if name in config.get_portal_container_names_of(extension.name)]
    for package in order_extensions(packages, dependencies):
        if package.portal_conf.is_file():
            loader.add_configuration(package.portal_conf)
    for extension in ordered:
        if extension.web_conf.is_file():
            loader.add_configuration(extension.web_conf, context_dir=extension.path)
    conf_dir = loader.properties.get(EXO_CONF_DIR)
    deployer = Path(conf_dir) / "portal" / name / "configuration.xml" if conf_dir else None
    if deployer is not None and deployer.is_file():
        loader.add_configuration(deployer)
    return PortalDeployment(name, finish_configuration(loader.configuration), ordered, dependencies,
                            list(loader.loaded))


def boot(
    configuration: PathLike | Sequence[PathLike] = "configuration.xml",
    *,
    properties_file: PathLike | None = None,
    extensions_dirs: Iterable[PathLike] | None = None,
    system_properties: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = None,
    profiles: Iterable[str] | None = None,
    strict: bool = False,
    start: bool = True,
) -> PortalContainer:
    """Load everything (:func:`load`), build the containers and, unless ``start=False``, start them (the
    root first). Returns the default portal container (its ``parent`` is the root)."""
    deployment = load(
        configuration,
        properties_file=properties_file,
        extensions_dirs=extensions_dirs,
        system_properties=system_properties,
        environ=environ,
        profiles=profiles,
        strict=strict,
    )
    container = deployment.build_container()
    if start:
        container.start()
    return container


def _configure_properties(
    config: Configuration, properties: PropertyStore, strict: bool, run_code: bool
) -> tuple[dict, list[ConfigurationError]]:
    """Build the property configurators of ``config`` now, so that their properties are set
    before the files read afterwards are parsed. Returns {registration key: (configuration
    key, instance)} and the problems met."""
    paths = {qualified_name(cls) for cls in CONFIGURATORS}
    keys = [key for key, component in config.components.items()
            if component.type.endswith("PropertyConfigurator") and python_path(component.type) in paths]
    if not keys:
        return {}, []
    container = ExoContainer(Configuration(components={k: config.components[k] for k in keys}), properties,
                             strict=strict, run_code=run_code)
    built: dict = {}
    problems: list[ConfigurationError] = []
    for key in keys:
        adapter = container.get_component_adapter(key)
        if adapter is None:
            continue  # its registration problem is in container.problems
        try:
            instance = container.get_component_instance(key)
        except ContainerError as exc:
            problems.append(ConfigurationError(str(exc), *_source_of(config.components[key])))
            continue
        built[adapter.key] = (key, instance)
        problems.extend(instance.problems)
    return built, [*container.problems, *problems]


def _source_of(component: ComponentConfig) -> tuple[str | None, int | None]:
    return (component.source.file, component.source.line) if component.source else (None, None)


def _portal_config_names() -> set[str]:
    path = qualified_name(PortalContainerConfig)
    return {path} | {java for java, python in known_aliases().items() if python == path}


def _portal_config_keys(config: Configuration) -> list[str]:
    names = _portal_config_names()
    return [key for key in config.components if key in names]


def _portal_config_only(config: Configuration) -> Configuration:
    """The part of ``config`` that defines the portal containers: PortalContainerConfig and its plugins."""
    names = _portal_config_names()
    keys = _portal_config_keys(config)
    components = {key: config.components[key] for key in keys[-1:]} or {
        "org.exoplatform.container.definition.PortalContainerConfig": ComponentConfig(
            type="org.exoplatform.container.definition.PortalContainerConfig"
        )
    }
    external = {target: block for target, block in config.external_plugins.items() if target in names}
    return Configuration(components=components, external_plugins=external)
