"""Hardened lxml parsing shared by every XML the kernel reads (configuration and
``.xml`` properties files).

Configuration files come from extension folders a deployer drops in, so they are
untrusted input: no entity expansion, no DTD loading, no network, no huge trees.
lxml with ``resolve_entities=False`` leaves entity references unexpanded rather than
failing, so any DOCTYPE that *declares* entities is rejected explicitly: that is the
shape of every billion-laughs and XXE payload, and no kernel file needs one.
"""
from __future__ import annotations

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


def safe_parse(data: bytes, url: str) -> etree._ElementTree:
    """Parse ``data``; malformed XML and entity declarations raise ConfigurationError(url, line)."""
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
            raise ConfigurationError(
                "DOCTYPE declares entities (" + ", ".join(names) + "): entity declarations are "
                "refused (XXE / entity-expansion protection)",
                url,
                _line_of(data, b"<!ENTITY") or _line_of(data, b"<!DOCTYPE"),
            )
    return tree
