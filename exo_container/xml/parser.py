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
from ..variables import JAVA_TRIM_CHARS
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
from .reading import ParseContext, spec_table
from .safe import iter_top_level

CONFIGURATION = (
    ("container-lifecycle-plugin", "*"),
    ("component-lifecycle-plugin", "*"),
    ("component", "*"),
    ("external-component-plugins", "*"),
    ("import", "*"),
    ("remove-configuration", "*"),
)
# the children each element takes, in order ("1" one, "?" optional, "*" any number), as tables
# ParseContext.slots matches against
CONTAINER_LIFECYCLE_PLUGIN = spec_table((("name", "?"), ("type", "1"), ("description", "?"), ("priority", "?"),
                                         ("init-params", "?")))
COMPONENT_LIFECYCLE_PLUGIN = spec_table((("type", "1"), ("manageable-components", "1"), ("init-params", "?")))
COMPONENT = spec_table((
    ("key", "?"), ("jmx-name", "?"), ("type", "1"), ("description", "?"), ("show-deploy-info", "?"),
    ("multi-instance", "?"), ("component-plugins", "?"), ("init-params", "?"),
))
COMPONENT_PLUGIN = spec_table((("name", "1"), ("set-method", "1"), ("type", "1"), ("description", "?"),
                               ("priority", "?"), ("init-params", "?")))
EXTERNAL_PLUGINS = spec_table((("target-component", "1"), ("component-plugin", "*")))
INIT_PARAMS = spec_table((("value-param", "*"), ("values-param", "*"), ("properties-param", "*"),
                          ("object-param", "*")))
COMPONENT_TYPES = spec_table((("component-type", "*"),))
COMPONENT_PLUGINS = spec_table((("component-plugin", "*"),))
VALUE_PARAM = spec_table((("name", "1"), ("description", "?"), ("value", "1")))
VALUES_PARAM = spec_table((("name", "1"), ("description", "?"), ("value", "*")))
PROPERTIES_PARAM = spec_table((("name", "1"), ("description", "?"), ("property", "*")))
OBJECT_PARAM = spec_table((("name", "1"), ("description", "?"), ("object", "1")))
NOTHING = spec_table(())


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
    still frees everything as usual, and the collector runs again afterwards.

    Re-enabled as is, the collector would at once scan everything read (the youngest
    generation's count went up by every object of the model: ~80 ms for 20,000 components),
    then again as it ages. ``freeze()`` then ``unfreeze()`` moves every tracked object to the
    oldest generation unexamined and resets the young counts, which is where the model would
    end after surviving those scans; a full collection still examines it. Skipped when the
    process froze objects itself (``unfreeze`` would release them)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def _may_have_profiles(data: bytes) -> bool:
    """False only when no ``profiles`` attribute can be in the document (an ASCII-compatible
    encoding without the word); UTF-16/32 documents are always filtered."""
    return b"profiles" in data or data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]


class _Reader:
    def __init__(self, ctx: ParseContext):
        self.ctx = ctx
        self.objects = ObjectBuilder(ctx)
        # in the order of INIT_PARAMS
        self._param_readers = (self.value_param, self.values_param, self.properties_param, self.object_param)

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
        ctx = self.ctx
        name, type_, description, priority, init_params = ctx.slots(element, CONTAINER_LIFECYCLE_PLUGIN)
        return LifecyclePluginConfig(
            type=ctx.string(type_),
            name=ctx.optional_string(name),
            description=ctx.optional_string(description),
            priority=ctx.jibx_int(priority) if priority is not None else 0,
            init_params=self.init_params(init_params),
            source=self.source(element),
        )

    def component_lifecycle_plugin(self, element: etree._Element) -> LifecyclePluginConfig:
        ctx = self.ctx
        type_, manageable, init_params = ctx.slots(element, COMPONENT_LIFECYCLE_PLUGIN)
        managed, = ctx.slots(manageable, COMPONENT_TYPES)
        return LifecyclePluginConfig(
            type=ctx.string(type_),
            manageable_components=[ctx.string(e) for e in managed],
            init_params=self.init_params(init_params),
            source=self.source(element),
        )

    def component(self, element: etree._Element) -> ComponentConfig:
        ctx = self.ctx
        key, jmx, type_, description, show, multi, plugins_element, init_params = ctx.slots(element, COMPONENT)
        plugins = []
        if plugins_element is not None:
            listed, = ctx.slots(plugins_element, COMPONENT_PLUGINS)
            plugins = self.each(self.plugin, listed)
        string = ctx.string
        return ComponentConfig(
            type=string(type_),
            key=(string(key) or None) if key is not None else None,
            description=string(description) if description is not None else None,
            jmx_name=string(jmx) if jmx is not None else None,
            show_deploy_info=ctx.jibx_boolean(show) if show is not None else False,
            multi_instance=ctx.jibx_boolean(multi) if multi is not None else False,
            plugins=plugins,
            init_params=self.init_params(init_params) if init_params is not None else None,
            source=Source(ctx.url, element.sourceline),
        )

    def external_plugins(self, element: etree._Element) -> ExternalPluginsConfig:
        target, plugins = self.ctx.slots(element, EXTERNAL_PLUGINS)
        return ExternalPluginsConfig(
            target_component=self.ctx.string(target),
            plugins=self.each(self.plugin, plugins),
            source=self.source(element),
        )

    def plugin(self, element: etree._Element) -> PluginConfig:
        ctx = self.ctx
        name, set_method, type_, description, priority, init_params = ctx.slots(element, COMPONENT_PLUGIN)
        return PluginConfig(
            name=ctx.string(name),
            set_method=ctx.string(set_method),
            type=ctx.string(type_),
            description=ctx.optional_string(description),
            priority=ctx.jibx_int(priority) if priority is not None else 0,
            init_params=self.init_params(init_params),
            source=self.source(element),
        )

    # --- init-params -------------------------------------------------------------------

    def init_params(self, element: etree._Element | None) -> InitParams | None:
        if element is None:
            return None
        params = InitParams()
        add = params.add
        # in document order, which the spec makes kind by kind
        for read, elements in zip(self._param_readers, self.ctx.slots(element, INIT_PARAMS)):
            for e in elements:
                try:
                    add(read(e))
                except ConfigurationError as error:  # recorded; the other params are read on
                    self.ctx.errors.append(error)
        return params

    def value_param(self, e: etree._Element) -> ValueParam:
        string = self.ctx.string
        name, description, value = self.ctx.slots(e, VALUE_PARAM)
        return ValueParam(string(name), string(description) if description is not None else None,
                          value=string(value))

    def values_param(self, e: etree._Element) -> ValuesParam:
        string = self.ctx.string
        name, description, values = self.ctx.slots(e, VALUES_PARAM)
        return ValuesParam(string(name), string(description) if description is not None else None,
                           values=[string(v) for v in values])

    def properties_param(self, e: etree._Element) -> PropertiesParam:
        ctx = self.ctx
        name, description, listed = ctx.slots(e, PROPERTIES_PARAM)
        properties: dict[str, str] = {}
        attribute = ctx.attribute
        for prop in listed:
            if len(prop):
                ctx.slots(prop, NOTHING)  # only comments may be inside
            # ctx.attribute's work, its usual case inline (a thousand-component file has thousands)
            name_ = prop.get("name")
            name_ = attribute(prop, "name") if name_ is None or "${" in name_ else name_.strip(JAVA_TRIM_CHARS)
            value = prop.get("value")
            properties[name_] = (attribute(prop, "value") if value is None or "${" in value
                                 else value.strip(JAVA_TRIM_CHARS))
        return PropertiesParam(ctx.string(name), ctx.string(description) if description is not None else None,
                               properties=properties)

    def object_param(self, e: etree._Element) -> ObjectParameter:
        string = self.ctx.string
        name, description, value = self.ctx.slots(e, OBJECT_PARAM)
        return ObjectParameter(string(name), string(description) if description is not None else None,
                               object=self.objects.object(value))
