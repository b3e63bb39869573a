"""exo_container: an eXo-kernel-style XML-configured IoC container.

Generic on purpose: it knows components, plugins, init-params, profiles and
extensions, never what the components do.
"""
from .aliases import java_name, register_alias, resolve_alias
from .errors import ConfigurationError, ContainerError, KernelError
from .lifecycle import Disposable, Startable
from .params import InitParams, ObjectParameter, PropertiesParam, ValueParam, ValuesParam
from .plugin import BaseComponentPlugin, ComponentPlugin
from .errors import ConfigurationWarning
from .injection import constructor
from .container import ComponentAdapter, ExoContainer
from .hierarchy import PortalContainer, RootContainer
# imported for its side effect too: the PortalContainerDefinitionChange$... aliases must
# exist before any extension's object-params are parsed
from .extensions import PortalContainerConfig
from .configurators import ExtendedPropertyConfigurator, PropertyConfigurator
from .boot import Deployment, boot, load

__all__ = [
    "java_name", "register_alias", "resolve_alias",
    "ConfigurationError", "ContainerError", "KernelError",
    "Disposable", "Startable",
    "InitParams", "ObjectParameter", "PropertiesParam", "ValueParam", "ValuesParam",
    "BaseComponentPlugin", "ComponentPlugin",
    "ConfigurationWarning", "constructor", "ComponentAdapter", "ExoContainer", "RootContainer", "PortalContainer",
    "PortalContainerConfig",
    "PropertyConfigurator", "ExtendedPropertyConfigurator",
    "Deployment", "boot", "load",
]
