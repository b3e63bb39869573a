"""Init-params checked without building anything: what ``exo-server --check`` adds to ``verify``.

Why a hook and not the constructors: a constructor may act (the Redis broker connects and starts
threads), and it needs its dependencies built first (the database, then the directory, then the
service...). A class that reads init-params may therefore define::

    @classmethod
    def validate_init_params(cls, params: InitParams | None) -> Any: ...

which refuses every value its constructor would refuse (a :class:`ConfigurationError`, best an
:class:`InvalidParam` naming the param) and has no side effect: no file written, no connection, no
thread. Its constructor should call it, so that both refuse the same values. A class without the
hook is not checked beyond ``verify`` (its class, constructor and set-methods).

An :class:`InvalidParam` is traced back to what an administrator edits: the ``${property}`` that
the XML reads the value from and the line of the properties file that set it (or ``-D``/``EXO_*``
when no file did); a value written in the XML itself points at the XML line.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Iterable

from lxml import etree

from .container import ClassNotFound, ExoContainer, load_class
from .errors import ConfigurationError, InvalidParam
from .injection import qualified_name
from .properties import PropertyStore
from .xml.model import Source
from .xml.namespaces import split_tag
from .xml.safe import safe_parse

HOOK = "validate_init_params"

_REFERENCE = re.compile(r"\$\{([^}]*)\}")
_PARAM_KINDS = ("value-param", "values-param", "properties-param", "object-param")


def validate_init_params(container: ExoContainer) -> list[ConfigurationError]:
    """Every init-param refused by the hook of a registered component or of a plugin applied to one, in
    ``container`` and, when it belongs to a hierarchy, in the root and every portal container (as boot builds
    them all: a component declared in both is checked in both)."""
    locator = PropertyLocator(container.properties)
    problems: list[ConfigurationError] = []
    for each in containers_of(container):
        for adapter in each.get_component_adapters():
            if adapter.config is None:
                continue
            problems += _validate(adapter.implementation, adapter.init_params, adapter.source, locator)
            for plugin in each.plugins_for(adapter):
                try:
                    cls = load_class(plugin.type)
                except ClassNotFound:
                    continue  # verify() reports it
                problems += _validate(cls, plugin.init_params, plugin.source, locator)
    unique = {(p.file, p.line, p.message): p for p in problems}  # one file read by two containers: said once
    return list(unique.values())


def containers_of(container: ExoContainer) -> list[ExoContainer]:
    """The root of ``container``'s hierarchy and its portal containers (:mod:`exo_container.hierarchy`), or the
    container alone when it is a plain one."""
    root = getattr(container, "root", None) or container
    return [root, *getattr(root, "portal_containers", ())]


def _validate(cls: type, params: Any, source: Source | None, locator: "PropertyLocator") -> list[ConfigurationError]:
    hook = getattr(cls, HOOK, None)
    if not callable(hook):
        return []
    try:
        hook(params)
    except InvalidParam as exc:
        return [_caused_by(locator.locate(exc, source), exc)]
    except ConfigurationError as exc:
        return [exc if exc.file else _caused_by(ConfigurationError(exc.message, *_where(source)), exc)]
    except Exception as exc:  # a hook that breaks is reported, not raised: the check goes on
        return [_caused_by(ConfigurationError(f"{qualified_name(cls)}: its init-params cannot be checked: "
                                              f"{type(exc).__name__}: {exc}", *_where(source)), exc)]
    return []


def _caused_by(problem: ConfigurationError, cause: BaseException) -> ConfigurationError:
    """``problem`` (placed where an administrator fixes it) keeps the hook's own error as its cause, so callers can
    still tell what refused the value (a provider, say)."""
    problem.__cause__ = cause
    return problem


def _where(source: Source | None) -> tuple[str | None, int | None]:
    return (source.file, source.line) if source else (None, None)


class PropertyLocator:
    """From a refused init-param to the property (and properties-file line) that gave its value."""

    def __init__(self, properties: PropertyStore) -> None:
        self.properties = properties
        self._trees: dict[str, etree._ElementTree | None] = {}

    def locate(self, exc: InvalidParam, source: Source | None) -> ConfigurationError:
        written = self.written(source, exc.param) if source and exc.param else None
        if written is None:
            return ConfigurationError(exc.message, *_where(source))
        text, line = written
        for key in referenced_keys(text):
            if key not in self.properties:
                continue
            message = exc.message if key in exc.message else f"{key}: {exc.message}"
            origin = self.properties.origins.get(key)
            if origin is not None:
                return ConfigurationError(message, *origin)
            return ConfigurationError(f"{message} (set by -D or an EXO_* environment variable; read at "
                                      f"{source})", *_where(source))
        return ConfigurationError(exc.message, source.file if source else None, line)

    def written(self, source: Source, param: str) -> tuple[str, int | None] | None:
        """The raw text (``${}`` unresolved) that the XML gives ``param`` in the component or plugin
        declared at ``source``, and its line: a ``*-param`` of that name, or a properties-param entry."""
        element = self._element_at(source)
        if element is None:
            return None
        for child in element.iter(etree.Element):
            local = split_tag(child.tag)[1]
            if local == "property" and (child.get("name") or "").strip() == param:
                return child.get("value") or "", child.sourceline
            if local in _PARAM_KINDS and _child_text(child, "name") == param:
                return " ".join(t for t in child.itertext()), child.sourceline
        return None

    def _element_at(self, source: Source) -> etree._Element | None:
        if source.file not in self._trees:
            self._trees[source.file] = _read(source.file)
        tree = self._trees[source.file]
        if tree is None or source.line is None:
            return None
        for element in tree.iter(etree.Element):
            if element.sourceline == source.line and split_tag(element.tag)[1] in ("component", "component-plugin"):
                return element
        return None


def _read(file: str) -> etree._ElementTree | None:
    try:
        return safe_parse(Path(file).read_bytes(), file)
    except (OSError, ConfigurationError):
        return None


def _child_text(element: etree._Element, name: str) -> str | None:
    for child in element:
        if isinstance(child.tag, str) and split_tag(child.tag)[1] == name:
            return (child.text or "").strip()
    return None


def referenced_keys(text: str) -> Iterable[str]:
    """The property names of the ``${name}`` / ``${name:default}`` references in ``text``, in order."""
    for match in _REFERENCE.finditer(text):
        key = match.group(1).split(":", 1)[0].strip()
        if key:
            yield key
