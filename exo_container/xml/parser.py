"""Parsing one configuration file into the model (the kernel's JiBX unmarshalling).

Steps, as in ``ConfigurationManagerImpl.addConfiguration``: safe XML parse ->
namespace check -> profile filter on the raw tree -> element-by-element reading in
the order the binding enforces, ``${}`` resolved and trimmed where the binding has a
String (not in ``priority``, ``show-deploy-info``, ``multi-instance``, ``date`` or
``profiles``), object-params built on the spot. Any violation drops the whole file, as in
the kernel; reading goes on past it to find the others, and :class:`FileRejected` names
them all (each with file and line).

Where the kernel is non-deterministic (Java HashMaps of components and
init-params) the model keeps document order.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from lxml import etree

from ..errors import ConfigurationError, FileRejected
from ..params import InitParams, ObjectParameter, PropertiesParam, ValueParam, ValuesParam
from ..profiles import filter_profiles, keep_element
from .model import (
    ComponentConfig,
    Configuration,
    ExternalPluginsConfig,
    LifecyclePluginConfig,
    PluginConfig,
    Source,
)
from .namespaces import KERNEL_1_3, KERNEL_NAMESPACES, split_tag
from .objects import ObjectBuilder
from .reading import ParseContext
from .safe import iter_top_level

CONFIGURATION = (
    ("container-lifecycle-plugin", "*"),
    ("component-lifecycle-plugin", "*"),
    ("component", "*"),
    ("external-component-plugins", "*"),
    ("import", "*"),
    ("remove-configuration", "*"),
)
CONTAINER_LIFECYCLE_PLUGIN = (("name", "?"), ("type", "1"), ("description", "?"), ("priority", "?"), ("init-params", "?"))
COMPONENT_LIFECYCLE_PLUGIN = (("type", "1"), ("manageable-components", "1"), ("init-params", "?"))
COMPONENT = (
    ("key", "?"), ("jmx-name", "?"), ("type", "1"), ("description", "?"), ("show-deploy-info", "?"),
    ("multi-instance", "?"), ("component-plugins", "?"), ("init-params", "?"),
)
COMPONENT_PLUGIN = (("name", "1"), ("set-method", "1"), ("type", "1"), ("description", "?"), ("priority", "?"),
                    ("init-params", "?"))
EXTERNAL_PLUGINS = (("target-component", "1"), ("component-plugin", "*"))
INIT_PARAMS = (("value-param", "*"), ("values-param", "*"), ("properties-param", "*"), ("object-param", "*"))
COMPONENT_TYPES = (("component-type", "*"),)
COMPONENT_PLUGINS = (("component-plugin", "*"),)
VALUE_PARAM = (("name", "1"), ("description", "?"), ("value", "1"))
VALUES_PARAM = (("name", "1"), ("description", "?"), ("value", "*"))
PROPERTIES_PARAM = (("name", "1"), ("description", "?"), ("property", "*"))
OBJECT_PARAM = (("name", "1"), ("description", "?"), ("object", "1"))
NOTHING: tuple = ()


def parse_configuration(
    source: str | Path | bytes,
    *,
    url: str,
    properties,
    profiles: Iterable[str] = (),
    honour_profiles_without_namespace: bool = False,
    run_code: bool = True,
) -> Configuration:
    """Parse one file. ``source`` is a path or the document bytes; ``url`` names it in
    errors and in every ``Source``; ``properties`` is a PropertyStore (or anything with
    a ``lookup(key) -> str | None``). ``run_code=False`` builds no object-param of a
    class outside the kernel (see :mod:`exo_container.codepolicy`)."""
    if isinstance(source, bytes):
        data = source
    else:
        try:
            data = Path(source).read_bytes()
        except OSError as e:
            raise ConfigurationError(f"cannot read configuration: {e.strerror or e}", url) from None
    lookup = properties.lookup if hasattr(properties, "lookup") else properties
    ctx = ParseContext(url, lookup, run_code)
    reader = _Reader(ctx)
    filtering = _may_have_profiles(data)
    active = set(profiles)
    elements = iter_top_level(data, url, (name for name, _ in CONFIGURATION))
    try:
        root = next(elements, None)
        if root is None:
            raise ConfigurationError("malformed XML: no root element", url, 1)
        ns, local = split_tag(root.tag)
        if ns is not None and ns not in KERNEL_NAMESPACES:
            hint = ""
            if ns == KERNEL_1_3.replace("exoplatform", "exoplaform"):
                hint = f" (the misspelled www.exoplaform.org exists only for 1_0..1_2; use {KERNEL_1_3})"
            raise ConfigurationError(f"unsupported namespace {ns}{hint}", url, root.sourceline)
        if local != "configuration":
            raise ConfigurationError(f"root element is <{local}>, expected <configuration>", url, root.sourceline)
        with _without_cyclic_gc():
            config = reader.configuration(root, elements, filtering, active, honour_profiles_without_namespace)
    except ConfigurationError as e:  # the file cannot be read on: what was found before is listed too
        raise FileRejected([*ctx.errors, e]) if ctx.errors else e from None
    if ctx.errors:
        raise FileRejected(ctx.errors)
    config.warnings = ctx.warnings
    config.referenced = ctx.referenced
    return config


@contextmanager
def _without_cyclic_gc() -> Iterator[None]:
    """Reading allocates a few objects per element and frees none, which is the worst case of
    CPython's cyclic collector (it kept re-scanning the growing model: a quarter of the time
    of reading a large file). Nothing read here forms a cycle to collect; reference counting
    still frees everything as usual, and the collector runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _may_have_profiles(data: bytes) -> bool:
    """False only when no ``profiles`` attribute can be in the document (an ASCII-compatible
    encoding without the word); UTF-16/32 documents are always filtered."""
    return b"profiles" in data or data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]


class _Reader:
    def __init__(self, ctx: ParseContext):
        self.ctx = ctx
        self.objects = ObjectBuilder(ctx)
        self._param_readers = {"value-param": self.value_param, "values-param": self.values_param,
                               "properties-param": self.properties_param, "object-param": self.object_param}

    def source(self, element: etree._Element) -> Source:
        return Source(self.ctx.url, element.sourceline)

    def configuration(self, root: etree._Element, elements: Iterator[etree._Element], filtering: bool,
                      active: set[str], honour_without_namespace: bool) -> Configuration:
        """Read each top-level element as it completes (``elements``), in the binding's order."""
        config = Configuration(source=self.ctx.url)
        container_plugins: dict[str, LifecyclePluginConfig] = {}
        component_plugins: dict[str, LifecyclePluginConfig] = {}
        order = {name: index for index, (name, _) in enumerate(CONFIGURATION)}
        pos = 0
        for element in elements:
            if filtering:
                if not keep_element(element, active, honour_without_namespace=honour_without_namespace):
                    continue
                filter_profiles(element, active, honour_without_namespace=honour_without_namespace)
            name = self.ctx.name(element)
            index = order.get(name, -1)
            if index < pos:
                expected = ", ".join(f"<{n}>" for n, _ in CONFIGURATION[pos:])
                message = (f"<{name}> is out of order in <configuration>: expected {expected} here" if index >= 0
                           else f"unknown element <{name}> in <configuration> (expected {expected})")
                self.ctx.errors.append(self.ctx.error(element, message))
                continue
            pos = index
            try:
                if name == "component":
                    component = self.component(element)
                    config.components[component.effective_key] = component
                elif name == "external-component-plugins":
                    block = self.external_plugins(element)
                    existing = config.external_plugins.get(block.target_component)
                    if existing is None:
                        config.external_plugins[block.target_component] = block
                    else:
                        existing.plugins.extend(block.plugins)
                elif name == "import":
                    config.imports.append((self.ctx.string(element), self.source(element)))
                elif name == "remove-configuration":
                    config.remove_configuration.append(self.ctx.string(element))
                elif name == "container-lifecycle-plugin":
                    plugin = self.container_lifecycle_plugin(element)
                    container_plugins[plugin.type] = plugin
                else:
                    plugin = self.component_lifecycle_plugin(element)
                    component_plugins[plugin.type] = plugin
            except ConfigurationError as e:
                self.ctx.errors.append(e)
        config.container_lifecycle_plugins = list(container_plugins.values())
        config.component_lifecycle_plugins = list(component_plugins.values())
        return config

    def each(self, read, elements: Iterable[etree._Element]) -> list:
        """``read`` applied to each element; one that fails is recorded and left out."""
        items = []
        for element in elements:
            try:
                items.append(read(element))
            except ConfigurationError as e:
                self.ctx.errors.append(e)
        return items

    # --- top-level elements ------------------------------------------------------------

    def container_lifecycle_plugin(self, element: etree._Element) -> LifecyclePluginConfig:
        f = self.ctx.children(element, CONTAINER_LIFECYCLE_PLUGIN)
        priority = self.ctx.one(f, "priority")
        return LifecyclePluginConfig(
            type=self.ctx.string(f["type"][0]),
            name=self.ctx.optional_string(self.ctx.one(f, "name")),
            description=self.ctx.optional_string(self.ctx.one(f, "description")),
            priority=self.ctx.jibx_int(priority) if priority is not None else 0,
            init_params=self.init_params(self.ctx.one(f, "init-params")),
            source=self.source(element),
        )

    def component_lifecycle_plugin(self, element: etree._Element) -> LifecyclePluginConfig:
        f = self.ctx.children(element, COMPONENT_LIFECYCLE_PLUGIN)
        managed = self.ctx.children(f["manageable-components"][0], COMPONENT_TYPES)["component-type"]
        return LifecyclePluginConfig(
            type=self.ctx.string(f["type"][0]),
            manageable_components=[self.ctx.string(e) for e in managed],
            init_params=self.init_params(self.ctx.one(f, "init-params")),
            source=self.source(element),
        )

    def component(self, element: etree._Element) -> ComponentConfig:
        ctx = self.ctx
        f = ctx.children(element, COMPONENT)
        present = f.get  # name -> [element] for the children that are there
        show, multi, plugins_element = present("show-deploy-info"), present("multi-instance"), present("component-plugins")
        plugins = []
        if plugins_element:
            listed = ctx.children(plugins_element[0], COMPONENT_PLUGINS)["component-plugin"]
            plugins = self.each(self.plugin, listed)
        key, description, jmx = present("key"), present("description"), present("jmx-name")
        init_params = present("init-params")
        return ComponentConfig(
            type=ctx.string(f["type"][0]),
            key=(ctx.string(key[0]) or None) if key else None,
            description=ctx.string(description[0]) if description else None,
            jmx_name=ctx.string(jmx[0]) if jmx else None,
            show_deploy_info=ctx.jibx_boolean(show[0]) if show else False,
            multi_instance=ctx.jibx_boolean(multi[0]) if multi else False,
            plugins=plugins,
            init_params=self.init_params(init_params[0]) if init_params else None,
            source=Source(ctx.url, element.sourceline),
        )

    def external_plugins(self, element: etree._Element) -> ExternalPluginsConfig:
        f = self.ctx.children(element, EXTERNAL_PLUGINS)
        return ExternalPluginsConfig(
            target_component=self.ctx.string(f["target-component"][0]),
            plugins=self.each(self.plugin, f["component-plugin"]),
            source=self.source(element),
        )

    def plugin(self, element: etree._Element) -> PluginConfig:
        f = self.ctx.children(element, COMPONENT_PLUGIN)
        priority = self.ctx.one(f, "priority")
        return PluginConfig(
            name=self.ctx.string(f["name"][0]),
            set_method=self.ctx.string(f["set-method"][0]),
            type=self.ctx.string(f["type"][0]),
            description=self.ctx.optional_string(self.ctx.one(f, "description")),
            priority=self.ctx.jibx_int(priority) if priority is not None else 0,
            init_params=self.init_params(self.ctx.one(f, "init-params")),
            source=self.source(element),
        )

    # --- init-params -------------------------------------------------------------------

    def init_params(self, element: etree._Element | None) -> InitParams | None:
        if element is None:
            return None
        f = self.ctx.children(element, INIT_PARAMS)
        params = InitParams()
        for kind, elements in f.items():  # in document order, which the spec makes kind by kind
            for param in self.each(self._param_readers[kind], elements):
                params.add(param)
        return params



    def value_param(self, e: etree._Element) -> ValueParam:
        p = self.ctx.children(e, VALUE_PARAM)
        return ValueParam(self._name(p), self._description(p), value=self.ctx.string(p["value"][0]))

    def values_param(self, e: etree._Element) -> ValuesParam:
        p = self.ctx.children(e, VALUES_PARAM)
        return ValuesParam(self._name(p), self._description(p), values=[self.ctx.string(v) for v in p["value"]])

    def properties_param(self, e: etree._Element) -> PropertiesParam:
        p = self.ctx.children(e, PROPERTIES_PARAM)
        properties: dict[str, str] = {}
        for prop in p["property"]:
            if len(prop):
                self.ctx.children(prop, NOTHING)  # only comments may be inside
            properties[self.ctx.attribute(prop, "name")] = self.ctx.attribute(prop, "value")
        return PropertiesParam(self._name(p), self._description(p), properties=properties)

    def object_param(self, e: etree._Element) -> ObjectParameter:
        p = self.ctx.children(e, OBJECT_PARAM)
        return ObjectParameter(self._name(p), self._description(p), object=self.objects.object(p["object"][0]))

    def _name(self, found) -> str:
        return self.ctx.string(found["name"][0])

    def _description(self, found) -> str | None:
        return self.ctx.optional_string(self.ctx.one(found, "description"))
