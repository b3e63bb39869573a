"""Reading primitives shared by the configuration parser and the object builder.

They reproduce what JiBX enforces on a kernel file (``ordered="true"``,
``flexible="false"``): children in the declared order, no unknown element, required
children present; and they turn every violation into a ConfigurationError that
names the file and the line of the offending element.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from typing import Callable, Sequence, TypeVar

from lxml import etree

from ..errors import ConfigurationError, ConfigurationWarning
from ..variables import JAVA_TRIM_CHARS, EmptyPropertyName, java_trim, resolve_variables
from .namespaces import KERNEL_NAMESPACES, split_tag

Lookup = Callable[[str], "str | None"]
# (element name, cardinality) with cardinality "1", "?" or "*"
Spec = Sequence[tuple[str, str]]

_INT = re.compile(r"[+-]?[0-9]+\Z")
_DOUBLE = re.compile(r"[+-]?(?:NaN|Infinity|(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?[fFdD]?)\Z")
INT_RANGE = (-(2**31), 2**31 - 1)
LONG_RANGE = (-(2**63), 2**63 - 1)


T = TypeVar("T")
_TAG = attrgetter("tag")
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

    def slots(self, element: etree._Element, spec: "Spec | SpecTable") -> tuple:
        """Match the children of ``element`` against ``spec``, in order, JiBX style; the result
        has one slot per entry of ``spec``, in its order: the element or None for a "1" or "?"
        entry, the list of elements for a "*" entry.

        The hot loop of reading a file (every element passes here once). A file repeats a few
        shapes thousands of times, so the sequence of child tags of an element that matched
        without a problem is kept with the way to pick its slots (one ``itemgetter`` call);
        the next element of that shape is matched by one dictionary lookup. Anything else goes
        through :meth:`_match`, which finds and records the problems.
        """
        table = spec if type(spec) is SpecTable else _table(spec)
        kids = element[:]
        shape = tuple(map(_TAG, kids))
        # the shape met last first: comparing tags costs less than hashing them (each is a new string)
        last_shape, pick = table.last
        if shape != last_shape:
            pick = table.picks.get(shape)
            if pick is not None:
                table.last = (shape, pick)
        if pick is not None:
            kids.append(None)  # what an absent "1" or "?" slot designates (index -1)
            return pick(kids)
        errors = len(self.errors)
        found = self._match(element, table)  # raises on a missing required element
        if len(self.errors) == errors and len(table.picks) < _MAX_SHAPES:
            table.picks[shape] = _picker(table, kids, found)
        return tuple(found.get(name) or [] if repeatable else (found.get(name) or (None,))[0]
                     for name, repeatable in zip(table.names, table.repeatable))

    def _match(self, element: etree._Element, table: "SpecTable") -> dict[str, list[etree._Element]]:
        """The children of ``element`` by spec name, every misplaced or repeated one recorded
        in ``errors`` and left out; a missing required one raises."""
        spec = table.spec
        found: dict[str, list[etree._Element]] = {}
        pos = 0
        for child in element:
            tag = child.tag
            if type(tag) is not str:  # a comment or a processing instruction
                continue
            entry = table.positions.get(tag)
            if entry is None:
                entry = table.positions[tag] = table.position_of(self.name(child))
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
            found.setdefault(name, []).append(child)
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
        if len(element):
            text = self.raw_text(element)
        else:  # the usual case: nothing but text
            text = element.text
            if text is None:
                return ""
        if "${" in text:
            return self._resolve(element, text, None)
        return text.strip(JAVA_TRIM_CHARS)

    def _resolve(self, element: etree._Element, text: str, attribute: str | None) -> str:
        """``text`` (of ``element``, or of its ``attribute``) substituted and trimmed; a ``${}``
        nobody answered is a warning naming the element (the names are only built then)."""
        cached = self._resolved.get(text)
        if cached is None:
            missing: list[str] = []
            try:
                # resolve_string's work, one call less
                value = resolve_variables(text, self._lookup, missing).strip(JAVA_TRIM_CHARS)
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
class SpecTable:
    """A spec's lookup tables: tag -> (index, name, repeatable), filled as tags are met, and
    shape (the tags of an element's children) -> the ``itemgetter`` that picks its slots."""

    spec: Spec
    order: dict[str, int]
    required: frozenset[int]  # indices of the "1" elements
    names: tuple[str, ...]
    repeatable: tuple[bool, ...]  # the "*" elements
    positions: dict[str, tuple[int, str, bool]] = field(default_factory=dict)
    picks: dict[tuple, Callable[[list], tuple]] = field(default_factory=dict)
    last: tuple = ((None,), None)  # (shape, pick) of the element matched last through ``picks``

    def position_of(self, name: str) -> tuple[int, str, bool]:
        index = self.order.get(name, -1)
        return index, name, index >= 0 and self.spec[index][1] == "*"


# shapes kept per spec: a real file has a handful; a generated one must not grow the table forever
_MAX_SHAPES = 512
_TABLES: dict[tuple[tuple[str, str], ...], SpecTable] = {}


def _table(spec: Spec) -> SpecTable:
    key = tuple(spec)
    table = _TABLES.get(key)
    if table is None:
        table = _TABLES[key] = SpecTable(
            key, {name: index for index, (name, _) in enumerate(key)},
            frozenset(index for index, (_, card) in enumerate(key) if card == "1"),
            tuple(name for name, _ in key), tuple(card == "*" for _, card in key))
    return table


def spec_table(spec: Spec) -> SpecTable:
    """The table of ``spec``; :meth:`ParseContext.slots` takes it in place of the spec (which
    it would otherwise hash at each call)."""
    return _table(spec)


def _picker(table: SpecTable, kids: list, found: dict[str, list]) -> Callable[[list], tuple]:
    """What picks the slots of ``table`` from the children (then a None) of any element shaped
    like ``kids``: the index of a "1"/"?" element (-1, the None, when absent), the slice of a
    "*" run; a run interrupted by a comment is picked index by index."""
    index = {id(kid): i for i, kid in enumerate(kids)}
    items: list = []
    for name, repeatable in zip(table.names, table.repeatable):
        positions = [index[id(e)] for e in found.get(name, ())]
        if not repeatable:
            items.append(positions[0] if positions else -1)
        elif not positions:
            items.append(slice(0, 0))
        elif positions == list(range(positions[0], positions[-1] + 1)):
            items.append(slice(positions[0], positions[-1] + 1))
        else:
            items.append(_Scattered(tuple(positions)))
    if any(type(item) is _Scattered for item in items):
        return lambda kids: tuple(item.pick(kids) if type(item) is _Scattered else kids[item] for item in items)
    if len(items) == 1:
        get = itemgetter(items[0])
        return lambda kids: (get(kids),)
    if not items:
        return lambda kids: ()
    return itemgetter(*items)


@dataclass(frozen=True)
class _Scattered:
    """The positions of a "*" run with comments between its elements."""

    positions: tuple[int, ...]

    def pick(self, kids: list) -> list:
        return [kids[i] for i in self.positions]


def _expected(spec: Spec, pos: int) -> str:
    names = [f"<{name}>" for name, _ in spec[pos:]]
    return ", ".join(names) if names else "nothing more"
