"""Profile filtering of a configuration tree (eXo's ``ProfileDOMFilter``).

Runs on the raw tree, before any ``${}`` resolution: an element of a kernel
namespace whose ``profiles`` set is disjoint from the active profiles disappears
with its subtree, as if it had never been written. Rules kept from the kernel:

* ``profiles="a, b"`` is split on ``,``, items trimmed, empty items dropped, so
  ``profiles=""`` (or ``" , "``) is an empty set and the element is *always* removed;
* no negation, no wildcard, no ``${}``;
* any kernel-namespace element may carry it, whatever the XSD says (``value``,
  ``property``, ``entry`` ...), in every namespace version, 1_0 included;
* only kernel-namespace elements are looked at: in a document without namespace
  every ``profiles`` attribute is ignored and every element kept (a real kernel
  quirk; ``honour_without_namespace=True`` switches it off);
* parents are filtered before their children.
"""
from __future__ import annotations

from typing import Iterable

from lxml import etree

from .variables import java_trim
from .xml.namespaces import KERNEL_NAMESPACES, PROFILED_NAMESPACES, split_tag

PROFILES_ATTRIBUTE = "profiles"
_QUALIFIED = tuple(f"{{{ns}}}{PROFILES_ATTRIBUTE}" for ns in sorted(PROFILED_NAMESPACES))


def parse_profiles_attribute(value: str) -> set[str]:
    return {p for p in (java_trim(item) for item in value.split(",")) if p}


def element_profiles(element: etree._Element) -> set[str] | None:
    """The profiles an element asks for, or None when it carries no ``profiles`` attribute."""
    found: set[str] | None = None
    for name in (PROFILES_ATTRIBUTE, *_QUALIFIED):
        value = element.get(name)
        if value is not None:
            found = (found or set()) | parse_profiles_attribute(value)
    return found


def _is_kernel(element: etree._Element, honour_without_namespace: bool) -> bool:
    ns, _ = split_tag(element.tag)
    return ns in KERNEL_NAMESPACES or (honour_without_namespace and ns is None)


def keep_element(element: etree._Element, active: set[str], *, honour_without_namespace: bool = False) -> bool:
    """Whether ``element`` itself survives the filter (its ``profiles`` attribute is then removed);
    what :func:`filter_profiles` does to each descendant, for an element read on its own."""
    if not _is_kernel(element, honour_without_namespace):
        return True
    wanted = element_profiles(element)
    if wanted is not None and not (wanted & active):
        return False
    for name in (PROFILES_ATTRIBUTE, *_QUALIFIED):
        element.attrib.pop(name, None)
    return True


# only the few elements that carry a ``profiles`` attribute (in any namespace) are looked at:
# walking every element in Python was a third of the time of reading a large file
_WITH_PROFILES = etree.XPath(f"descendant::*[@*[local-name()='{PROFILES_ATTRIBUTE}']]")


def filter_profiles(
    root: etree._Element, active: Iterable[str], *, honour_without_namespace: bool = False
) -> None:
    """Remove, in place, the elements below ``root`` whose profiles are not active.

    Document order visits a parent before its children; a child of a removed element
    is detached with it, so it is skipped.
    """
    active = set(active)
    removed: set[etree._Element] = set()
    for element in _WITH_PROFILES(root):
        if not _is_kernel(element, honour_without_namespace) or any(a in removed for a in element.iterancestors()):
            continue
        wanted = element_profiles(element)
        if wanted is not None and not (wanted & active):
            _remove(element)
            removed.add(element)
            continue
        for name in (PROFILES_ATTRIBUTE, *_QUALIFIED):
            element.attrib.pop(name, None)


def _remove(element: etree._Element) -> None:
    """Drop an element but keep its tail text with the previous node (text content stays intact)."""
    parent = element.getparent()
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)
