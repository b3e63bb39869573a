"""Hardened lxml parsing shared by every XML the kernel reads (configuration and
``.xml`` properties files).

Configuration files come from extension folders a deployer drops in, so they are
untrusted input: no entity expansion, no DTD loading, no network, no huge trees.
lxml with ``resolve_entities=False`` leaves entity references unexpanded rather than
failing, so any DOCTYPE that *declares* entities is rejected explicitly: that is the
shape of every billion-laughs and XXE payload, and no kernel file needs one.
"""
from __future__ import annotations

import re

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


def safe_parse(data: bytes, url: str) -> etree._ElementTree:
    """Parse ``data``; malformed XML and entity declarations raise ConfigurationError(url, line)."""
    # checked before parsing too: libxml2 would otherwise report a billion-laughs
    # payload as an obscure "amplification factor" syntax error
    subset = _INTERNAL_SUBSET.search(data)
    if subset:
        names = [m.decode("utf-8", "replace") for m in _ENTITY.findall(subset.group(1))]
        if names:
            _refuse_entities(names, data, url)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as e:
        line = e.lineno if getattr(e, "lineno", None) else None
        msg = e.msg if getattr(e, "msg", None) else str(e)
        raise ConfigurationError(f"malformed XML: {msg}", url, line) from None
    tree = root.getroottree()
    dtd = tree.docinfo.internalDTD
    if dtd is not None:
        names = [e.name for e in dtd.iterentities()]
        if names:
            _refuse_entities(names, data, url)
    return tree
