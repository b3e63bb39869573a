"""The merged, resolved configuration written back as one eXo configuration document.

What ``exo-container dump`` prints: after profiles, ``${}`` substitution, imports,
overrides and remove-configuration, so a deployer sees what the container will really
get.  A comment before each component and each plugin says which file:line it came
from.  Object-params are written from the objects built at parse time: their type is
the first Java alias of the class when it has one (so the output stays portable), the
dotted path otherwise.

:func:`dump_deployment` writes every container of a deployment in one document: the root
container's components, then each portal container's (a component declared in both
appears twice: it exists twice), then the external plugins likewise; the comment before
each item names its container.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Set as AbstractSet
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterable

from lxml import etree

from .codepolicy import UnbuiltObject
from .params import InitParams, ObjectParameter, PropertiesParam, ValueParam, ValuesParam
from .xml.model import ComponentConfig, Configuration, LifecyclePluginConfig, PluginConfig, Source
from .xml.namespaces import KERNEL_1_3

if TYPE_CHECKING:
    from .boot import Deployment

_INT_MAX = 2**31 - 1


def dump_configuration(config: Configuration) -> str:
    """``config`` as a kernel_1_3 document (a string, pretty-printed, with an XML declaration)."""
    root = etree.Element("configuration", nsmap={None: KERNEL_1_3})
    writer = _Writer()
    for plugin in config.container_lifecycle_plugins:
        writer.lifecycle_plugin(root, plugin)
    for component in config.components.values():
        writer.component(root, component)
    for target, block in config.external_plugins.items():
        external = writer.child(root, "external-component-plugins")
        writer.text(external, "target-component", target)
        for plugin in block.plugins:
            writer.plugin(external, plugin)
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode", pretty_print=True).join(
        ('<?xml version="1.0" encoding="UTF-8"?>\n', "")
    )


def dump_deployment(deployment: "Deployment") -> str:
    """Every container of ``deployment`` as one kernel_1_3 document, each item's comment naming its container."""
    root = etree.Element("configuration", nsmap={None: KERNEL_1_3})
    containers = deployment.containers()
    writer = _Writer()
    for label, config in containers:
        writer.container = label
        for plugin in config.container_lifecycle_plugins:
            writer.lifecycle_plugin(root, plugin)
    for label, config in containers:
        writer.container = label
        for component in config.components.values():
            writer.component(root, component)
    for label, config in containers:
        writer.container = label
        for target, block in config.external_plugins.items():
            root.append(etree.Comment(f" {label} "))
            external = writer.child(root, "external-component-plugins")
            writer.text(external, "target-component", target)
            for plugin in block.plugins:
                writer.plugin(external, plugin)
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode", pretty_print=True).join(
        ('<?xml version="1.0" encoding="UTF-8"?>\n', "")
    )


class _Writer:
    ns = f"{{{KERNEL_1_3}}}"
    container = ""  # the container the items written belong to (named in their origin comment)

    def child(self, parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
        return etree.SubElement(parent, self.ns + tag, attributes)

    def text(self, parent: etree._Element, tag: str, value: Any) -> None:
        if value is not None:
            self.child(parent, tag).text = str(value)

    def origin(self, parent: etree._Element, source: Source | None) -> None:
        label = f" {self.container}," if self.container else ""
        if source is not None:
            parent.append(etree.Comment(f"{label} from {source} "))
        elif label:
            parent.append(etree.Comment(label.rstrip(",") + " "))

    def lifecycle_plugin(self, parent: etree._Element, plugin: LifecyclePluginConfig) -> None:
        self.origin(parent, plugin.source)
        element = self.child(parent, "container-lifecycle-plugin")
        self.text(element, "name", plugin.name)
        self.text(element, "type", plugin.type)
        self.text(element, "description", plugin.description)
        if plugin.priority:
            self.text(element, "priority", plugin.priority)
        self.init_params(element, plugin.init_params)

    def component(self, parent: etree._Element, component: ComponentConfig) -> None:
        self.origin(parent, component.source)
        element = self.child(parent, "component")
        self.text(element, "key", component.key)
        self.text(element, "type", component.type)
        self.text(element, "description", component.description)
        if component.plugins:
            plugins = self.child(element, "component-plugins")
            for plugin in component.plugins:
                self.plugin(plugins, plugin)
        self.init_params(element, component.init_params)

    def plugin(self, parent: etree._Element, plugin: PluginConfig) -> None:
        self.origin(parent, plugin.source)
        element = self.child(parent, "component-plugin")
        self.text(element, "name", plugin.name)
        self.text(element, "set-method", plugin.set_method)
        self.text(element, "type", plugin.type)
        self.text(element, "description", plugin.description)
        if plugin.priority:
            self.text(element, "priority", plugin.priority)
        self.init_params(element, plugin.init_params)

    def init_params(self, parent: etree._Element, params: InitParams | None) -> None:
        if not params:
            return
        element = self.child(parent, "init-params")
        # the schema groups the kinds in this order
        for kind in (ValueParam, ValuesParam, PropertiesParam, ObjectParameter):
            for param in params:
                if isinstance(param, kind):
                    self.param(element, param)

    def param(self, parent: etree._Element, param: Any) -> None:
        tag = {ValueParam: "value-param", ValuesParam: "values-param",
               PropertiesParam: "properties-param", ObjectParameter: "object-param"}[type(param)]
        element = self.child(parent, tag)
        self.text(element, "name", param.name)
        self.text(element, "description", param.description)
        if isinstance(param, ValueParam):
            self.child(element, "value").text = param.value
        elif isinstance(param, ValuesParam):
            for value in param.values:
                self.child(element, "value").text = value
        elif isinstance(param, PropertiesParam):
            for name, value in param.properties.items():
                self.child(element, "property", name=name, value=value)
        else:
            self.object(element, param.object)

    def value(self, parent: etree._Element, value: Any) -> None:
        """One base value (``string``, ``int`` ... ``object``) inside ``parent``."""
        if isinstance(value, bool):
            self.child(parent, "boolean").text = "true" if value else "false"
        elif isinstance(value, int):
            self.child(parent, "int" if abs(value) <= _INT_MAX else "long").text = str(value)
        elif isinstance(value, float):
            self.child(parent, "double").text = repr(value)
        elif isinstance(value, str):
            self.child(parent, "string").text = value
        elif isinstance(value, datetime):
            self.child(parent, "date").text = value.isoformat()
        elif isinstance(value, dict):
            element = self.child(parent, "map", type="java.util.LinkedHashMap")
            for key, item in value.items():
                entry = self.child(element, "entry")
                self.value(self.child(entry, "key"), key)
                self.value(self.child(entry, "value"), item)
        elif isinstance(value, (list, tuple)):
            self.collection(parent, "java.util.ArrayList", value)
        elif isinstance(value, AbstractSet):
            self.collection(parent, "java.util.LinkedHashSet", value)
        else:
            self.object(parent, value)

    def collection(self, parent: etree._Element, type_name: str, items: Iterable[Any]) -> None:
        element = self.child(parent, "collection", type=type_name)
        for item in items:
            self.value(self.child(element, "value"), item)

    def object(self, parent: etree._Element, obj: Any) -> None:
        if obj is None:
            return
        if isinstance(obj, UnbuiltObject):  # read without --deep: written back as read
            element = self.child(parent, "object", type=obj.type)
            for name, value in obj.fields.items():
                if value is not None:
                    self.value(self.child(element, "field", name=name), value)
            return
        cls = type(obj)
        names = cls.__dict__.get("__java_names__", ())
        element = self.child(parent, "object", type=names[0] if names else f"{cls.__module__}.{cls.__qualname__}")
        for name, value in _fields(obj):
            if value is not None:
                self.value(self.child(element, "field", name=name), value)


def _fields(obj: Any) -> list[tuple[str, Any]]:
    if dataclasses.is_dataclass(obj):
        return [(f.name, getattr(obj, f.name)) for f in dataclasses.fields(obj)]
    return [(k, v) for k, v in vars(obj).items() if not k.startswith("_")] if hasattr(obj, "__dict__") else []
