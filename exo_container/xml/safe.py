"""Hardened lxml parsing shared by every XML the kernel reads (configuration and
``.xml`` properties files).

Configuration files come from extension folders a deployer drops in, so they are
untrusted input: no entity expansion, no DTD loading, no network, no huge trees.
lxml with ``resolve_entities=False`` leaves entity references unexpanded rather than
failing, so any DOCTYPE that *declares* entities is rejected explicitly: that is the
shape of every billion-laughs and XXE payload, and no kernel file needs one.
"""
from __future__ import annotations

import io
import re
from typing import Iterable, Iterator

from lxml import etree

from ..errors import ConfigurationError


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_blank_text=False,
    )


def _line_of(data: bytes, needle: bytes) -> int | None:
    at = data.find(needle)
    return data.count(b"\n", 0, at) + 1 if at >= 0 else None


_INTERNAL_SUBSET = re.compile(rb"<!DOCTYPE[^\[>]*\[(.*?)\]\s*>", re.DOTALL)
_ENTITY = re.compile(rb"<!ENTITY\s+(?:%\s+)?([^\s>]+)")


def _refuse_entities(names: list[str], data: bytes, url: str) -> None:
    raise ConfigurationError(
        "DOCTYPE declares entities (" + ", ".join(names) + "): entity declarations are "
        "refused (XXE / entity-expansion protection)",
        url,
        _line_of(data, b"<!ENTITY") or _line_of(data, b"<!DOCTYPE"),
    )


def _refuse_declared_entities(data: bytes, url: str) -> None:
    # checked before parsing: libxml2 would otherwise report a billion-laughs
    # payload as an obscure "amplification factor" syntax error
    subset = _INTERNAL_SUBSET.search(data)
    if subset:
        names = [m.decode("utf-8", "replace") for m in _ENTITY.findall(subset.group(1))]
        if names:
            _refuse_entities(names, data, url)


def _check_dtd(tree: etree._ElementTree, data: bytes, url: str) -> None:
    dtd = tree.docinfo.internalDTD
    if dtd is not None:
        names = [e.name for e in dtd.iterentities()]
        if names:
            _refuse_entities(names, data, url)


def iter_top_level(data: bytes, url: str, names: Iterable[str]) -> Iterator[etree._Element]:
    """The root element, then each child element of the root, complete, in document order.

    Why not one tree: lxml keeps about ten times a file's size in memory, so a large file is
    read one top-level element at a time, each emptied once the caller has taken it (its
    descendants freed then; the empty element stays in place: detaching it costs more than
    the few bytes it keeps). Why only ``names`` are reported by the parser: every event costs
    a trip through Python, so only the ends of elements with those local names (any
    namespace) come back; a top-level element of another name is found among the siblings
    before a reported one (or after the last) and yielded too, so that the caller can refuse
    it. Same hardening and errors as :func:`safe_parse`.
    """
    _refuse_declared_entities(data, url)
    events = etree.iterparse(io.BytesIO(data), events=("end",), tag=[f"{{*}}{name}" for name in names],
                             resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False, remove_blank_text=False)
    root: etree._Element | None = None
    last: etree._Element | None = None  # the last top-level element yielded (emptied since)
    try:
        for _, element in events:
            if root is None:
                root = element.getroottree().getroot()
                _check_dtd(root.getroottree(), data, url)
                yield root
            if element.getparent() is not root:
                continue  # nested in a top-level element: read with it
            previous = element.getprevious()
            if previous is not last:  # comments, or top-level elements the parser did not report
                unreported = []
                while previous is not None and previous is not last:
                    unreported.append(previous)
                    previous = previous.getprevious()
                for sibling in reversed(unreported):
                    if type(sibling.tag) is str:
                        yield sibling  # an unknown name
            yield element
            element.clear()  # the reader has let go of its descendants: they are freed at once
            last = element
        if root is None:
            root = events.root
            _check_dtd(root.getroottree(), data, url)
            yield root
    except etree.XMLSyntaxError as e:
        line = e.lineno if getattr(e, "lineno", None) else None
        msg = e.msg if getattr(e, "msg", None) else str(e)
        raise ConfigurationError(f"malformed XML: {msg}", url, line) from None
    for leftover in list(last.itersiblings() if last is not None else root):
        if type(leftover.tag) is str:
            yield leftover


def safe_parse(data: bytes, url: str) -> etree._ElementTree:
    """Parse ``data``; malformed XML and entity declarations raise ConfigurationError(url, line)."""
    _refuse_declared_entities(data, url)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as e:
        line = e.lineno if getattr(e, "lineno", None) else None
        msg = e.msg if getattr(e, "msg", None) else str(e)
        raise ConfigurationError(f"malformed XML: {msg}", url, line) from None
    tree = root.getroottree()
    _check_dtd(tree, data, url)
    return tree
