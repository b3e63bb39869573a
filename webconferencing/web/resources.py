"""Browser resources that extensions declare, as the original connectors did in ``gatein-resources.xml``.

A connector extension ships ``WEB-INF/gatein-resources.xml`` (the original's format; namespaces are ignored)::

    <gatein-resources>
      <module>
        <name>webConferencing_myconnector</name>
        <script><path>/js/webconferencing-myconnector.js</path></script>
        <depends><module>webConferencing</module></depends>
      </module>
      <portlet-skin>
        <application-name>myconnector</application-name>
        <portlet-name>MyConnectorPortlet</portlet-name>
        <skin-name>Default</skin-name>
        <css-path>/skin/myconnector.css</css-path>
        <css-priority>1</css-priority>
      </portlet-skin>
    </gatein-resources>

Paths are relative to the extension's web root, which is ``<extension>/static/`` (the WAR root without
``WEB-INF``/``META-INF`` and without the extension's Python code, so nothing but declared web content is ever
served). The files are served at ``/extensions/<extension folder name>/<path>``.

Pages load every declared module in dependency order, and the Default (or unnamed) skins' CSS by priority. A module
named ``webConferencing_<type>`` belongs to the provider of that type: it is left out while an admin has that
provider switched off (the admin page loads it anyway, to find the provider's ``showSettings()``).
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from exo_container.errors import ConfigurationError, ConfigurationWarning
from exo_container.xml.safe import safe_parse

LOG = logging.getLogger(__name__)

DECLARATION = Path("WEB-INF") / "gatein-resources.xml"
WEB_ROOT = "static"
URL_PREFIX = "/extensions"
CORE_MODULE = "webConferencing"
PROVIDER_MODULE_PREFIX = "webConferencing_"
DEFAULT_SKIN = "Default"


@dataclass(frozen=True)
class ScriptModule:
    """A JS module an extension declares (``<module>``)."""

    name: str
    extension: str
    path: str
    depends: tuple[str, ...] = ()
    source: str = ""  # file:line of the declaration, for messages

    @property
    def url(self) -> str:
        return f"{URL_PREFIX}/{self.extension}{self.path}"

    @property
    def provider_type(self) -> str | None:
        """The provider this module implements, by the original's naming convention."""
        if self.name.startswith(PROVIDER_MODULE_PREFIX):
            return self.name[len(PROVIDER_MODULE_PREFIX):] or None
        return None


@dataclass(frozen=True)
class Skin:
    """A stylesheet an extension declares (``<portlet-skin>`` or ``<portal-skin>``)."""

    extension: str
    css_path: str
    skin_name: str = DEFAULT_SKIN
    priority: int = 0
    application: str | None = None
    portlet: str | None = None

    @property
    def url(self) -> str:
        return f"{URL_PREFIX}/{self.extension}{self.css_path}"


@dataclass
class ExtensionResources:
    """What one extension folder contributes to pages."""

    name: str
    root: Path
    modules: list[ScriptModule] = field(default_factory=list)
    skins: list[Skin] = field(default_factory=list)

    @property
    def web_root(self) -> Path:
        return self.root / WEB_ROOT


def _local(tag: object) -> str:
    return tag.split("}", 1)[-1] if isinstance(tag, str) else ""


def _child(element, name: str):
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text(element, name: str) -> str | None:
    child = _child(element, name)
    if child is None or child.text is None:
        return None
    return child.text.strip() or None


def _web_path(value: str | None, what: str, file: str, line: int) -> str:
    """A path inside the web root: absolute-looking, no parent steps (it becomes a URL and a file lookup)."""
    if not value:
        raise ConfigurationError(f"{what} is missing", file, line)
    path = "/" + value.lstrip("/")
    if any(part in ("..", "") for part in path.split("/")[1:]):
        raise ConfigurationError(f"{what} {value!r} must be a plain path inside the web root", file, line)
    return path


def read_extension(root: Path) -> ExtensionResources:
    """Read ``<root>/WEB-INF/gatein-resources.xml``; an extension without one contributes nothing."""
    resources = ExtensionResources(name=root.name, root=root)
    declaration = root / DECLARATION
    if not declaration.is_file():
        return resources
    file = str(declaration)
    tree = safe_parse(declaration.read_bytes(), file)
    for element in tree.getroot():
        kind = _local(element.tag)
        line = element.sourceline
        if kind == "module":
            name = _text(element, "name")
            if not name:
                raise ConfigurationError("<module> without <name>", file, line)
            script = _child(element, "script")
            if script is None:
                raise ConfigurationError(f"module {name}: <script><path> is missing", file, line)
            path = _web_path(_text(script, "path"), f"module {name}: <script><path>", file, script.sourceline)
            depends = tuple(
                dep for dep in (_text(d, "module") for d in element if _local(d.tag) == "depends") if dep
            )
            resources.modules.append(
                ScriptModule(name=name, extension=root.name, path=path, depends=depends, source=f"{file}:{line}")
            )
        elif kind in ("portlet-skin", "portal-skin"):
            css = _web_path(_text(element, "css-path"), f"<{kind}><css-path>", file, line)
            priority_text = _text(element, "css-priority") or "0"
            try:
                priority = int(priority_text)
            except ValueError:
                raise ConfigurationError(f"<css-priority> {priority_text!r} is not a number", file, line) from None
            resources.skins.append(
                Skin(
                    extension=root.name,
                    css_path=css,
                    skin_name=_text(element, "skin-name") or DEFAULT_SKIN,
                    priority=priority,
                    application=_text(element, "application-name"),
                    portlet=_text(element, "portlet-name"),
                )
            )
    return resources


class PageResources:
    """The scripts and stylesheets of every extension, in the order pages must load them."""

    def __init__(self, extensions: Iterable[ExtensionResources]):
        self.extensions: dict[str, ExtensionResources] = {}
        self.modules: dict[str, ScriptModule] = {}
        for ext in extensions:
            if ext.name in self.extensions:
                raise ConfigurationError(
                    f"two extensions named {ext.name!r}: {self.extensions[ext.name].root} and {ext.root}"
                )
            self.extensions[ext.name] = ext
            for module in ext.modules:
                if module.name == CORE_MODULE:
                    raise ConfigurationError(f"module name {CORE_MODULE!r} is the core's", module.source)
                if module.name in self.modules:
                    raise ConfigurationError(
                        f"module {module.name!r} is declared twice (first at {self.modules[module.name].source})",
                        module.source,
                    )
                self.modules[module.name] = module
        self._ordered = self._dependency_order()

    @classmethod
    def from_folders(cls, folders: Iterable[Path]) -> "PageResources":
        return cls(read_extension(Path(folder)) for folder in folders)

    def _dependency_order(self) -> list[ScriptModule]:
        """Dependencies first; declaration order otherwise. Unknown dependencies (e.g. ``jquery``, which pages do
        not ship) are reported once and ignored; a cycle is a configuration error."""
        ordered: list[ScriptModule] = []
        state: dict[str, str] = {}

        def visit(module: ScriptModule, chain: tuple[str, ...]) -> None:
            mark = state.get(module.name)
            if mark == "done":
                return
            if mark == "visiting":
                cycle = " -> ".join(chain + (module.name,))
                raise ConfigurationError(f"module dependency cycle: {cycle}", module.source)
            state[module.name] = "visiting"
            for dep in module.depends:
                if dep == CORE_MODULE:
                    continue
                target = self.modules.get(dep)
                if target is None:
                    LOG.warning("%s", ConfigurationWarning(f"module {module.name} depends on unknown module {dep!r}; "
                                                           "it is not loaded by pages", module.source))
                    continue
                visit(target, chain + (module.name,))
            state[module.name] = "done"
            ordered.append(module)

        for module in self.modules.values():
            visit(module, ())
        return ordered

    def scripts(self, provider_active: dict[str, bool], with_inactive: bool = False) -> list[ScriptModule]:
        """Modules a page loads: all but those of providers switched off (unless ``with_inactive``), plus what the
        loaded ones depend on."""
        wanted: set[str] = set()

        def want(module: ScriptModule) -> None:
            if module.name in wanted:
                return
            wanted.add(module.name)
            for dep in module.depends:
                if dep in self.modules:
                    want(self.modules[dep])

        for module in self._ordered:
            kind = module.provider_type
            if kind is not None and kind in provider_active and not provider_active[kind] and not with_inactive:
                continue
            want(module)
        return [m for m in self._ordered if m.name in wanted]

    def skins(self, skin_name: str = DEFAULT_SKIN) -> list[Skin]:
        """Stylesheets of the given skin, lowest priority first (so higher priorities win in the cascade)."""
        found = [s for ext in self.extensions.values() for s in ext.skins if s.skin_name == skin_name]
        return sorted(found, key=lambda s: s.priority)

    def static_file(self, extension: str, path: str) -> Path | None:
        """The file behind ``/extensions/<extension>/<path>``, or None when it is not inside that web root."""
        ext = self.extensions.get(extension)
        if ext is None:
            return None
        root = ext.web_root.resolve()
        candidate = (root / path).resolve()
        if root not in candidate.parents or not candidate.is_file():
            return None
        return candidate
