"""Reading primitives shared by the configuration parser and the object builder.

They reproduce what JiBX enforces on a kernel file (``ordered="true"``,
``flexible="false"``): children in the declared order, no unknown element, required
children present; and they turn every violation into a ConfigurationError that
names the file and the line of the offending element.
"""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Sequence, TypeVar

from lxml import etree

from ..errors import ConfigurationError, ConfigurationWarning
from ..variables import JAVA_TRIM_CHARS, EmptyPropertyName, java_trim, resolve_string
from .namespaces import KERNEL_NAMESPACES, split_tag

Lookup = Callable[[str], "str | None"]
# (element name, cardinality) with cardinality "1", "?" or "*"
Spec = Sequence[tuple[str, str]]

_INT = re.compile(r"[+-]?[0-9]+\Z")
_DOUBLE = re.compile(r"[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?)\Z")
INT_RANGE = (-(2**31), 2**31 - 1)
LONG_RANGE = (-(2**63), 2**63 - 1)


T = TypeVar("T")
# tag -> binding name; a file has a handful of distinct tags, read hundreds of thousands of times
_NAMES: dict[str, str] = {}


@dataclass
class ParseContext:
    """The file being read and what its ``${}`` resolve against.

    Reading does not stop at the first problem: :meth:`collect` records it in ``errors``
    and skips the element, so every problem of a file is reported in one round (the file
    is still dropped whole when there is any). ``warnings`` gets every ``${}`` that no
    property and no default answered.
    """

    url: str
    lookup: Lookup
    run_code: bool = True  # False: object-params of non-kernel classes stay UnbuiltObject (codepolicy)
    errors: list[ConfigurationError] = field(default_factory=list)
    warnings: list[ConfigurationWarning] = field(default_factory=list)
    # text -> (value, keys nobody answered): the properties do not change while a file is read,
    # and large files repeat the same ${} many times
    _resolved: dict[str, tuple[str, list[str]]] = field(default_factory=dict, repr=False)
    referenced: set[str] = field(default_factory=set)  # every key a ${} of the file asked for

    def _lookup(self, key: str) -> str | None:
        self.referenced.add(key)
        return self.lookup(key)

    def collect(self, read: Callable[..., T], *args: object) -> T | None:
        """``read(*args)``, or None after recording its ConfigurationError."""
        try:
            return read(*args)
        except ConfigurationError as e:
            self.errors.append(e)
            return None

    # --- errors and names --------------------------------------------------------------

    def error(self, element: etree._Element | None, message: str) -> ConfigurationError:
        line = element.sourceline if element is not None else None
        return ConfigurationError(message, self.url, line)

    @staticmethod
    def name(element: etree._Element) -> str:
        """The binding-level name: kernel namespace stripped, any other namespace kept."""
        tag = element.tag
        name = _NAMES.get(tag)
        if name is None:
            ns, local = split_tag(tag)
            name = _NAMES[tag] = local if ns is None or ns in KERNEL_NAMESPACES else tag
        return name

    @staticmethod
    def elements(element: etree._Element) -> list[etree._Element]:
        """Child elements, comments and processing instructions skipped."""
        return [child for child in element if type(child.tag) is str]

    # --- structure ---------------------------------------------------------------------

    def children(self, element: etree._Element, spec: Spec) -> dict[str, list[etree._Element]]:
        """Match the children of ``element`` against ``spec``, in order, JiBX style; the
        result maps each name of ``spec`` to its elements (an absent one to ``[]``).

        The hot loop of reading a file (every element passes here once): positions come
        from a per-spec table keyed by the tag as lxml gives it.
        """
        table = _TABLES.get(spec) if isinstance(spec, tuple) else None
        if table is None:
            table = _table(spec)
        found: dict[str, list[etree._Element]] = defaultdict(list)
        if not len(element):
            if table.required:
                self._check_required(element, spec, 0, found)
            return found
        positions = table.positions
        pos = 0
        for child in element:
            tag = child.tag
            if type(tag) is not str:  # a comment or a processing instruction
                continue
            entry = positions.get(tag)
            if entry is None:
                entry = positions[tag] = table.position_of(self.name(child))
            j, name, repeatable = entry
            if j < pos:  # recorded and skipped: the next children may show more problems
                self._misplaced(element, child, spec, pos, j >= 0)
                continue
            if j > pos and table.required:
                for k in range(pos, j):
                    missing, card = spec[k]
                    if card == "1" and missing not in found:
                        raise self.error(child, f"<{self.name(element)}> needs <{missing}> before <{name}>")
            if not repeatable and name in found:
                self.errors.append(self.error(child, f"<{name}> may appear only once in <{self.name(element)}>"))
                continue
            found[name].append(child)
            pos = j
        if table.required:
            self._check_required(element, spec, pos, found)
        return found

    def _misplaced(self, element: etree._Element, child: etree._Element, spec: Spec, pos: int, known: bool) -> None:
        expected = _expected(spec, pos)
        name, parent = self.name(child), self.name(element)
        if known:
            self.errors.append(self.error(child, f"<{name}> is out of order in <{parent}>: expected {expected} here"))
        else:
            self.errors.append(self.error(child, f"unknown element <{name}> in <{parent}> (expected {expected})"))

    def _check_required(self, element: etree._Element, spec: Spec, pos: int,
                        found: dict[str, list[etree._Element]]) -> None:
        for missing, card in spec[pos:]:
            if card == "1" and missing not in found:
                raise self.error(element, f"<{self.name(element)}> is missing its required <{missing}>")

    def one(self, found: dict[str, list[etree._Element]], name: str) -> etree._Element | None:
        items = found.get(name) or []
        return items[0] if items else None

    # --- text --------------------------------------------------------------------------

    def raw_text(self, element: etree._Element) -> str:
        """The text of a text-only element (comments skipped); a child element is an error."""
        if not len(element):  # the usual case: nothing but text
            return element.text or ""
        for child in self.elements(element):
            raise self.error(child, f"unexpected element <{self.name(child)}> inside <{self.name(element)}>")
        return "".join(element.itertext())

    def string(self, element: etree._Element) -> str:
        """A binding String: ``${}`` substituted, then trimmed."""
        text = element.text or "" if not len(element) else self.raw_text(element)
        if "${" not in text:
            return text.strip(JAVA_TRIM_CHARS)
        return self._resolve(element, text, None)

    def _resolve(self, element: etree._Element, text: str, attribute: str | None) -> str:
        """``text`` (of ``element``, or of its ``attribute``) substituted and trimmed; a ``${}``
        nobody answered is a warning naming the element (the names are only built then)."""
        cached = self._resolved.get(text)
        if cached is None:
            missing: list[str] = []
            try:
                value = resolve_string(text, self._lookup, missing)
            except EmptyPropertyName as e:
                raise self.error(element, f"{e.message} in {_where(self.name(element), attribute)}") from None
            self._resolved[text] = (value, missing)
        else:
            value, missing = cached
        if missing:
            where = _where(self.name(element), attribute)
            # the kernel keeps every reference when none resolved, else drops the unresolved ones
            fate = "left as written" if value == java_trim(text) else "replaced by nothing"
            for key in missing:
                self.warnings.append(ConfigurationWarning(
                    f"${{{key}}} in {where} is not defined (no property, no default): {fate}",
                    self.url, element.sourceline))
        return value

    def optional_string(self, element: etree._Element | None) -> str | None:
        return None if element is None else self.string(element)

    def attribute(self, element: etree._Element, name: str) -> str:
        """A required attribute, substituted and trimmed."""
        value = element.get(name)
        if value is None:
            raise self.error(element, f"<{self.name(element)}> is missing its required attribute {name!r}")
        if "${" not in value:
            return value.strip(JAVA_TRIM_CHARS)
        return self._resolve(element, value, name)

    # --- JiBX literals (no ${} substitution) -------------------------------------------

    def jibx_int(self, element: etree._Element) -> int:
        text = java_trim(self.raw_text(element))
        return self.parse_int(element, text, "int", INT_RANGE)

    def jibx_boolean(self, element: etree._Element) -> bool:
        text = java_trim(self.raw_text(element))
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise self.error(element, f"bad boolean {text!r} in <{self.name(element)}>: expected true, false, 1 or 0")

    # --- Java number parsing -----------------------------------------------------------

    def parse_int(self, element: etree._Element, text: str, kind: str, bounds: tuple[int, int]) -> int:
        if not _INT.match(text):
            raise self.error(element, f"bad {kind} {text!r} in <{self.name(element)}>")
        value = int(text)
        if not bounds[0] <= value <= bounds[1]:
            raise self.error(element, f"{kind} {text!r} out of range in <{self.name(element)}>")
        return value

    def parse_double(self, element: etree._Element, text: str) -> float:
        if not _DOUBLE.match(text):
            raise self.error(element, f"bad double {text!r} in <{self.name(element)}>")
        return float(text[:-1] if text[-1] in "fFdD" else text)  # Java's 1.5d / 2f suffixes


def _where(element_name: str, attribute: str | None) -> str:
    return f"<{element_name} {attribute}=...>" if attribute else f"<{element_name}>"


@dataclass
class _SpecTable:
    """A spec's lookup table: tag -> (index, name, repeatable), filled as tags are met."""

    spec: Spec
    order: dict[str, int]
    required: frozenset[int]  # indices of the "1" elements
    positions: dict[str, tuple[int, str, bool]] = field(default_factory=dict)

    def position_of(self, name: str) -> tuple[int, str, bool]:
        index = self.order.get(name, -1)
        return index, name, index >= 0 and self.spec[index][1] == "*"


_TABLES: dict[tuple[tuple[str, str], ...], _SpecTable] = {}


def _table(spec: Spec) -> _SpecTable:
    key = tuple(spec)
    table = _TABLES.get(key)
    if table is None:
        table = _TABLES[key] = _SpecTable(
            key, {name: index for index, (name, _) in enumerate(key)},
            frozenset(index for index, (_, card) in enumerate(key) if card == "1"))
    return table


def _expected(spec: Spec, pos: int) -> str:
    names = [f"<{name}>" for name, _ in spec[pos:]]
    return ", ".join(names) if names else "nothing more"
