"""Object-params: the ``<object>`` graphs the kernel builds *while parsing*.

As in the kernel, a class that cannot be loaded, an unknown field, a type mismatch
or a bad literal is a parse error of the whole file, not a boot-time surprise.

Java -> Python mapping of the base values:

=======================================  ==========================================
``string``                               ``str`` (substituted, trimmed)
``int`` / ``long``                       ``int`` (range-checked like Java)
``double``                               ``float``
``boolean``                              ``bool`` (``true``/``false``, any case)
``date``                                 timezone-aware ``datetime`` (UTC when the
                                         text has no zone, as JiBX); xsd ``date``
                                         and ``dateTime`` are both accepted
``collection`` ArrayList/LinkedList/...  ``list``
``collection`` HashSet/LinkedHashSet/    ``OrderedSet`` (a set that keeps document
TreeSet                                  order; TreeSet sorts, as Java does)
``map`` HashMap/LinkedHashMap/TreeMap/   ``dict`` (document order; TreeMap sorts)
Hashtable/Properties
``native-array`` int/long/double         ``list`` of int / float (other types: None)
``object``                               an instance of the class named by ``type``
=======================================  ==========================================

``type`` names go through ``exo_container.aliases`` first (so Java names declared
by ``@java_name`` work, ``Outer$Inner`` included), then are imported as Python
dotted paths. Objects are built with their no-argument constructor and their
fields assigned directly (no setters), like the kernel's reflection.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import importlib
import inspect
import re
import types
import typing
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Iterator

from lxml import etree

from ..aliases import resolve_alias
from ..codepolicy import UnbuiltObject, is_kernel_class
from .reading import INT_RANGE, LONG_RANGE, ParseContext, spec_table

# the children each element takes (see ParseContext.slots)
VALUES = spec_table((("value", "*"),))
ENTRIES = spec_table((("entry", "*"),))
ENTRY = spec_table((("key", "1"), ("value", "1")))
ARRAY = spec_table((("array", "1"),))
FIELDS = spec_table((("field", "*"),))

BASE_VALUES = ("string", "int", "long", "boolean", "date", "double", "map", "collection", "native-array", "object")


class OrderedSet(collections.abc.MutableSet):
    """A set that iterates in insertion order (Java's LinkedHashSet; HashSet order is
    unspecified in Java, document order is the deterministic choice here).

    Membership is a Java set's: a Java set takes any object. Items Python can hash are
    members by equality, as usual; an item it cannot hash is a member by value when it is
    a list, set or map (Java's ``List``, ``Set`` and ``Map`` hash their content) and by
    identity otherwise, as a Java object that does not override ``hashCode`` is (a
    dataclass object, say the ``ICEServer`` objects the original WebRTC connector puts in
    a ``java.util.LinkedHashSet``). An equal item added again keeps the first one."""

    def __init__(self, items: Iterable[Any] = ()):
        self._items: dict[Any, Any] = {}  # membership key -> the item
        for item in items:
            self.add(item)

    def __contains__(self, item: object) -> bool:
        return _member_key(item) in self._items

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def add(self, item: Any) -> None:
        self._items.setdefault(_member_key(item), item)

    def discard(self, item: Any) -> None:
        self._items.pop(_member_key(item), None)

    def __repr__(self) -> str:
        return f"OrderedSet({list(self._items.values())!r})"


@dataclasses.dataclass(frozen=True)
class _ByValue:
    """The membership key of an unhashable list, set or map: its content's keys."""

    kind: str
    content: Any


class _ByIdentity:
    """The membership key of an unhashable object: the object itself, compared by identity."""

    __slots__ = ("item",)

    def __init__(self, item: Any):
        self.item = item

    def __hash__(self) -> int:
        return id(self.item)

    def __eq__(self, other: object) -> bool:
        return type(other) is _ByIdentity and other.item is self.item


def _member_key(item: Any) -> Any:
    """What an item of an :class:`OrderedSet` is told apart by (see there)."""
    try:
        hash(item)
    except TypeError:
        pass
    else:
        return item
    if isinstance(item, list):
        return _ByValue("list", tuple(map(_member_key, item)))
    if isinstance(item, collections.abc.Set):
        return _ByValue("set", frozenset(map(_member_key, item)))
    if isinstance(item, collections.abc.Mapping):
        return _ByValue("map", frozenset((_member_key(k), _member_key(v)) for k, v in item.items()))
    return _ByIdentity(item)


_LISTS = {f"java.util.{n}" for n in ("ArrayList", "LinkedList", "Vector", "Stack")} | {
    "java.util.concurrent.CopyOnWriteArrayList", "list", "builtins.list"}
_SETS = {f"java.util.{n}" for n in ("HashSet", "LinkedHashSet", "TreeSet")} | {
    "java.util.concurrent.CopyOnWriteArraySet", "java.util.concurrent.ConcurrentSkipListSet", "set", "builtins.set"}
_SORTED = {"java.util.TreeSet", "java.util.TreeMap", "java.util.concurrent.ConcurrentSkipListSet",
           "java.util.concurrent.ConcurrentSkipListMap"}
_MAPS = {f"java.util.{n}" for n in ("HashMap", "LinkedHashMap", "Hashtable", "TreeMap", "Properties",
                                     "WeakHashMap", "IdentityHashMap")} | {
    "java.util.concurrent.ConcurrentHashMap", "java.util.concurrent.ConcurrentSkipListMap", "dict", "builtins.dict"}

_DATE = re.compile(
    r"(?P<y>-?[0-9]{4,})-(?P<m>[0-9]{2})-(?P<d>[0-9]{2})"
    r"(?:T(?P<H>[0-9]{2}):(?P<M>[0-9]{2}):(?P<S>[0-9]{2})(?P<f>\.[0-9]+)?)?"
    r"(?P<z>Z|[+-][0-9]{2}:[0-9]{2})?\Z"
)


class ClassNotFound(LookupError):
    """``name`` designates no importable Python class."""


def load_class(name: str) -> Any:
    """The class (or any attribute) that ``name`` designates: alias first, then dotted path.

    A module that exists but fails to import (a missing dependency, a syntax error)
    propagates its own exception rather than passing for "not found".
    """
    target = resolve_alias(name)
    if target == name and "$" in name:
        target = resolve_alias(name.replace("$", "."))
    parts = target.split(".")
    if not all(p.isidentifier() for p in parts):
        raise ClassNotFound(name)
    for i in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:i])
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as e:
            if e.name and (module_name == e.name or module_name.startswith(e.name + ".")):
                continue
            raise
        obj: Any = module
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            raise ClassNotFound(name) from None
        return obj
    raise ClassNotFound(name)


class ObjectBuilder:
    """Builds base values and objects for one file."""

    def __init__(self, ctx: ParseContext):
        self.ctx = ctx

    # --- holders: field, collection value, map key/value -------------------------------

    def holder_value(self, holder: etree._Element) -> Any:
        """The single base value inside ``holder``."""
        children = self.ctx.elements(holder)
        where = self.ctx.name(holder)
        if not children:
            raise self.ctx.error(holder, f"<{where}> needs one value ({', '.join(BASE_VALUES)})")
        for child in children:
            if self.ctx.name(child) not in BASE_VALUES:
                raise self.ctx.error(child, f"unknown element <{self.ctx.name(child)}> in <{where}>")
        if len(children) > 1:
            raise self.ctx.error(children[1], f"<{where}> holds more than one value")
        return self.value(children[0])

    def value(self, element: etree._Element) -> Any:
        kind = self.ctx.name(element)
        ctx = self.ctx
        if kind == "string":
            return ctx.string(element)
        if kind == "int":
            return ctx.parse_int(element, ctx.string(element), "int", INT_RANGE)
        if kind == "long":
            return ctx.parse_int(element, ctx.string(element), "long", LONG_RANGE)
        if kind == "double":
            return ctx.parse_double(element, ctx.string(element))
        if kind == "boolean":
            text = ctx.string(element)
            if text.lower() in ("true", "false"):
                return text.lower() == "true"
            raise ctx.error(element, f"bad boolean {text!r} in <boolean>: expected true or false")
        if kind == "date":
            return self.date(element)
        if kind == "collection":
            return self.collection(element)
        if kind == "map":
            return self.map(element)
        if kind == "native-array":
            return self.native_array(element)
        return self.object(element)

    # --- scalars -----------------------------------------------------------------------

    def date(self, element: etree._Element) -> datetime:
        from ..variables import java_trim

        text = java_trim(self.ctx.raw_text(element))  # dates are never substituted
        m = _DATE.match(text)
        if not m:
            raise self.ctx.error(element, f"bad date {text!r}: expected CCYY-MM-DD or CCYY-MM-DDThh:mm:ss[.fff][Z|+hh:mm]")
        zone = timezone.utc
        if m["z"] and m["z"] != "Z":
            sign = 1 if m["z"][0] == "+" else -1
            zone = timezone(sign * timedelta(hours=int(m["z"][1:3]), minutes=int(m["z"][4:6])))
        micro = int((m["f"] or ".0")[1:7].ljust(6, "0"))
        try:
            return datetime(int(m["y"]), int(m["m"]), int(m["d"]), int(m["H"] or 0), int(m["M"] or 0),
                            int(m["S"] or 0), micro, tzinfo=zone)
        except ValueError as e:
            raise self.ctx.error(element, f"bad date {text!r}: {e}") from None

    # --- containers --------------------------------------------------------------------

    def collection(self, element: etree._Element) -> Any:
        type_name = self.ctx.attribute(element, "type")
        values, = self.ctx.slots(element, VALUES)
        items = [self.holder_value(v) for v in values]
        if type_name in _LISTS:
            return items
        if type_name in _SETS:
            if type_name in _SORTED:
                items = self._sorted(element, items, type_name)
            return OrderedSet(items)  # takes any item, as a Java set does
        if not self.ctx.run_code and not is_kernel_class(type_name):
            return items  # a project's own collection class is not loaded: its items as a list
        cls = self._class(element, type_name)
        if isinstance(cls, type) and issubclass(cls, collections.abc.MutableSet):
            return self._hashable(element, lambda xs: _filled_set(cls, xs), items)
        if isinstance(cls, type) and issubclass(cls, list):
            result = self._instantiate(element, cls)
            result.extend(items)
            return result
        raise self.ctx.error(element, f"collection type {type_name!r} is not an instantiable list or set")

    def map(self, element: etree._Element) -> dict:
        type_name = self.ctx.attribute(element, "type")
        cls: Any = dict
        if type_name not in _MAPS and (self.ctx.run_code or is_kernel_class(type_name)):
            cls = self._class(element, type_name)
            if not (isinstance(cls, type) and issubclass(cls, dict)):
                raise self.ctx.error(element, f"map type {type_name!r} is not an instantiable map")
        result = self._instantiate(element, cls)
        entries, = self.ctx.slots(element, ENTRIES)
        for entry in entries:
            key_holder, value_holder = self.ctx.slots(entry, ENTRY)
            key = self.holder_value(key_holder)
            value = self.holder_value(value_holder)
            try:
                result[key] = value
            except TypeError:
                raise self.ctx.error(key_holder, f"map key {key!r} cannot be a key (unhashable)") from None
        if type_name in _SORTED:
            ordered = self._sorted(element, list(result), type_name)
            sorted_result = self._instantiate(element, cls)
            sorted_result.update((k, result[k]) for k in ordered)
            return sorted_result
        return result

    def native_array(self, element: etree._Element) -> list | None:
        kind = self.ctx.attribute(element, "type")
        array, = self.ctx.slots(element, ARRAY)
        text = self.ctx.string(array)
        if kind not in ("int", "long", "double"):
            return None  # the kernel builds a null array for any other type
        items = [item.strip(" \t\r\n") for item in text.split(",")] if text else []
        if kind == "double":
            return [self.ctx.parse_double(array, item) for item in items]
        return [self.ctx.parse_int(array, item, kind, INT_RANGE if kind == "int" else LONG_RANGE) for item in items]

    # --- objects -----------------------------------------------------------------------

    def object(self, element: etree._Element) -> Any:
        type_name = self.ctx.attribute(element, "type")
        if not self.ctx.run_code and not is_kernel_class(type_name):
            return self._unbuilt(element, type_name)
        cls = self._class(element, type_name)
        instance = self._instantiate(element, cls)
        fields, = self.ctx.slots(element, FIELDS)
        for field_element in fields:
            self.ctx.collect(self._field, field_element, cls, instance, type_name)  # every bad field is reported
        return instance

    def _unbuilt(self, element: etree._Element, type_name: str) -> UnbuiltObject:
        """The object as written, its class neither imported nor instantiated (see ``codepolicy``)."""
        unbuilt = UnbuiltObject(type_name)
        fields, = self.ctx.slots(element, FIELDS)
        for field_element in fields:
            name = self.ctx.collect(self.ctx.attribute, field_element, "name")
            value = self.ctx.collect(self.holder_value, field_element)
            if name is not None:
                unbuilt.fields[name] = value
        return unbuilt

    def _field(self, field_element: etree._Element, cls: type, instance: Any, type_name: str) -> None:
        name = self.ctx.attribute(field_element, "name")
        value = self.holder_value(field_element)
        hint = self._field_hint(field_element, cls, instance, name, type_name)
        if not _accepts(hint, value):
            raise self.ctx.error(
                field_element,
                f"field {name!r} of {type_name} expects {_hint_name(hint)}, got {type(value).__name__} {value!r}",
            )
        try:
            setattr(instance, name, value)
        except (AttributeError, TypeError) as e:
            raise self.ctx.error(field_element, f"cannot set field {name!r} of {type_name}: {e}") from None

    def _class(self, element: etree._Element, type_name: str) -> Any:
        try:
            cls = load_class(type_name)
        except ClassNotFound:
            raise self.ctx.error(element, f"class {type_name!r} not found") from None
        except Exception as e:  # the module exists but fails to import
            raise self.ctx.error(element, f"class {type_name!r} cannot be loaded: {type(e).__name__}: {e}") from None
        if not isinstance(cls, type):
            raise self.ctx.error(element, f"{type_name!r} is not a class")
        return cls

    def _instantiate(self, element: etree._Element, cls: Any) -> Any:
        try:
            return cls()
        except Exception as e:
            raise self.ctx.error(
                element, f"cannot instantiate {cls.__module__}.{cls.__qualname__} with no arguments: {e}"
            ) from None

    def _field_hint(self, element: etree._Element, cls: type, instance: Any, name: str, type_name: str) -> Any:
        """The declared type of field ``name`` (``Any`` when undeclared); unknown field = error."""
        hints: dict[str, Any] = {}
        try:
            hints = typing.get_type_hints(cls)
        except Exception:
            for klass in reversed(cls.__mro__):
                hints.update(getattr(klass, "__annotations__", {}) or {})
        if dataclasses.is_dataclass(cls) and any(f.name == name for f in dataclasses.fields(cls)):
            return hints.get(name, Any)
        if name in hints:
            hint = hints[name]
            if typing.get_origin(hint) is typing.ClassVar:
                raise self.ctx.error(element, f"{type_name} has no field {name!r} ({name!r} is a class variable)")
            return hint
        if name in getattr(instance, "__dict__", {}):
            return Any
        if any(name in (getattr(k, "__slots__", ()) or ()) for k in cls.__mro__):
            return Any
        try:
            static = inspect.getattr_static(cls, name)
        except AttributeError:
            raise self.ctx.error(element, f"{type_name} has no field {name!r}") from None
        if isinstance(static, (types.FunctionType, staticmethod, classmethod)) or (
            isinstance(static, property) and static.fset is None
        ):
            raise self.ctx.error(element, f"{type_name} has no field {name!r} ({name!r} is not a data attribute)")
        return Any

    # --- helpers -----------------------------------------------------------------------

    def _sorted(self, element: etree._Element, items: list, type_name: str) -> list:
        try:
            return sorted(items)
        except TypeError:
            raise self.ctx.error(element, f"{type_name} items are not mutually comparable") from None

    def _hashable(self, element: etree._Element, factory: Any, items: list) -> Any:
        try:
            return factory(items)
        except TypeError:
            raise self.ctx.error(element, "set items must be hashable (a collection or map cannot be a set item)") from None


def _filled_set(cls: type, items: list) -> Any:
    result = cls()
    for item in items:
        result.add(item)
    return result


_SET_ORIGINS = (set, frozenset, collections.abc.Set, collections.abc.MutableSet)
_LIST_ORIGINS = (list, collections.abc.Sequence, collections.abc.MutableSequence)
_MAP_ORIGINS = (dict, collections.abc.Mapping, collections.abc.MutableMapping)


def _accepts(hint: Any, value: Any) -> bool:
    """Java's assignment check, for the hints a Python class can declare; unknown hints accept."""
    if hint is Any or value is None:
        return True
    origin = typing.get_origin(hint) or hint
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(h, value) for h in typing.get_args(hint))
    if origin is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)  # Java widens int to double
    if origin is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if origin in _SET_ORIGINS:
        return isinstance(value, collections.abc.Set)
    if origin in _LIST_ORIGINS:
        return isinstance(value, list)
    if origin in _MAP_ORIGINS:
        return isinstance(value, dict)
    if isinstance(origin, type):
        try:
            return isinstance(value, origin)
        except TypeError:
            return True
    return True


def _hint_name(hint: Any) -> str:
    return getattr(hint, "__name__", None) or str(hint)
