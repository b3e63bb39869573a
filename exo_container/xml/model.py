"""The configuration model: what a configuration.xml says, after profile filtering and
``${}`` resolution, before anything is instantiated.

Parse -> merge -> wire are separate steps (as in the eXo kernel); this model is what
passes between them, and what ``exo-container dump`` prints. Every element keeps
``source`` (file:line) so later errors can point back at the XML.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..params import InitParams


@dataclass(frozen=True)
class Source:
    """Where an element was declared."""

    file: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass
class PluginConfig:
    """A ``component-plugin`` (own or external)."""

    name: str
    set_method: str
    type: str
    description: str | None = None
    priority: int = 0
    init_params: InitParams | None = None
    source: Source | None = None


@dataclass
class ComponentConfig:
    """A ``component``; ``key`` defaults to ``type``."""

    type: str
    key: str | None = None
    description: str | None = None
    jmx_name: str | None = None
    show_deploy_info: bool = False
    multi_instance: bool = False
    plugins: list[PluginConfig] = field(default_factory=list)
    init_params: InitParams | None = None
    source: Source | None = None

    @property
    def effective_key(self) -> str:
        return self.key or self.type


@dataclass
class ExternalPluginsConfig:
    """An ``external-component-plugins`` block."""

    target_component: str
    plugins: list[PluginConfig] = field(default_factory=list)
    source: Source | None = None


@dataclass
class LifecyclePluginConfig:
    """``container-lifecycle-plugin`` / ``component-lifecycle-plugin`` (parsed; vestigial)."""

    type: str
    name: str | None = None
    description: str | None = None
    priority: int = 0
    init_params: InitParams | None = None
    manageable_components: list[str] = field(default_factory=list)
    source: Source | None = None


@dataclass
class Configuration:
    """One file's content, or the merge of many (see ``merge``)."""

    container_lifecycle_plugins: list[LifecyclePluginConfig] = field(default_factory=list)
    component_lifecycle_plugins: list[LifecyclePluginConfig] = field(default_factory=list)
    components: dict[str, ComponentConfig] = field(default_factory=dict)  # by effective key, in order
    external_plugins: dict[str, ExternalPluginsConfig] = field(default_factory=dict)  # by target
    imports: list[tuple[str, Source]] = field(default_factory=list)
    remove_configuration: list[str] = field(default_factory=list)
    source: str | None = None  # the file this was parsed from (None for a merge)
    # what reading the file tolerated (``${}`` nobody answered); not merged: the loader reports them
    warnings: list = field(default_factory=list)
    referenced: set[str] = field(default_factory=set)  # the property names its ${} asked for
