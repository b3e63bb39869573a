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
import itertools
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
    if b"<!DOCTYPE" not in data:  # the usual case; the pattern's search crawls through a large file
        return
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
    a trip through Python, so only elements with those local names (any namespace) come back;
    a top-level element of another name is found among the siblings before a reported one (or
    after the last) and yielded too, so that the caller can refuse it. Same hardening and
    errors as :func:`safe_parse`.

    Why "start" events: lxml re-takes the GIL for each element the parser hooks (its feed
    parses without it), and asking for "end" events hooks both the start and the end of every
    element, "start" only the start: an eighth of the cost of streaming a large file. A
    top-level element is complete once the next one starts (or the document ends), so each is
    yielded then, which gives the same sequence, at most one element later. A malformed file
    is read again by :func:`_iter_ended` (end events), which says exactly what had ended
    before the error; what this reading had not yielded yet comes from there.
    """
    names = tuple(names)
    _refuse_declared_entities(data, url)
    events = etree.iterparse(io.BytesIO(data), events=("start",), tag=[f"{{*}}{name}" for name in names],
                             resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             dtd_validation=False, remove_blank_text=False)
    root: etree._Element | None = None
    started = False  # root yielded (after the first top-level element ended, as _iter_ended does)
    pending: etree._Element | None = None  # the top-level element started last, not yielded yet
    last: etree._Element | None = None  # the last top-level element yielded (emptied since)
    yielded = 0
    try:
        for _, element in events:
            if root is None:
                root = element.getroottree().getroot()
            if element.getparent() is not root:
                continue  # nested in a top-level element: read with it
            if pending is not None:  # it ended before this one started
                if not started:
                    _check_dtd(root.getroottree(), data, url)
                    started = True
                    yielded += 1
                    yield root
                if pending.getprevious() is not last:  # comments, or elements the parser did not report
                    for sibling in _between(last, pending, root):
                        yielded += 1
                        yield sibling
                yielded += 1
                yield pending
                pending.clear()  # the reader has let go of its descendants: they are freed at once
                last = pending
            pending = element
    except etree.XMLSyntaxError:
        yield from itertools.islice(_iter_ended(data, url, names), yielded, None)
        raise AssertionError("a file malformed for iterparse is malformed for _iter_ended too") from None
    if root is None:
        root = events.root
    if not started:
        _check_dtd(root.getroottree(), data, url)
        yield root
    if pending is not None:
        yield from _between(last, pending, root)
        yield pending
        pending.clear()
        last = pending
    for leftover in list(last.itersiblings() if last is not None else root):
        if type(leftover.tag) is str:
            yield leftover


def _between(last: etree._Element | None, element: etree._Element, root: etree._Element) -> list[etree._Element]:
    """The elements among the siblings between ``last`` (or the start of ``root``) and ``element``:
    top-level elements the parser did not report (comments and processing instructions left out)."""
    unreported = []
    previous = element.getprevious()
    while previous is not None and previous is not last:
        if type(previous.tag) is str:
            unreported.append(previous)
        previous = previous.getprevious()
    unreported.reverse()
    return unreported


def _iter_ended(data: bytes, url: str, names: tuple[str, ...]) -> Iterator[etree._Element]:
    """What :func:`iter_top_level` yields, each top-level element as soon as it ends ("end"
    events): the reference for a malformed file, where what is yielded before the syntax error
    (whose problems are reported with it) is what had ended before it."""
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
            yield from _between(last, element, root)
            yield element
            element.clear()
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
