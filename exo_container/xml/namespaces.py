"""The kernel XML namespaces (eXo's ``Namespaces``).

The misspelled ``www.exoplaform.org`` URIs are real: old files use them and the
kernel keeps accepting them; there never was a misspelled 1_3.
"""
from __future__ import annotations

_GOOD = "http://www.exoplatform.org/xml/ns/kernel_1_{}.xsd"
_OLD = "http://www.exoplaform.org/xml/ns/kernel_1_{}.xsd"

KERNEL_1_0 = _GOOD.format(0)
KERNEL_1_1 = _GOOD.format(1)
KERNEL_1_2 = _GOOD.format(2)
KERNEL_1_3 = _GOOD.format(3)
KERNEL_1_0_OLD = _OLD.format(0)
KERNEL_1_1_OLD = _OLD.format(1)
KERNEL_1_2_OLD = _OLD.format(2)

KERNEL_NAMESPACES = frozenset(
    {KERNEL_1_0, KERNEL_1_1, KERNEL_1_2, KERNEL_1_3, KERNEL_1_0_OLD, KERNEL_1_1_OLD, KERNEL_1_2_OLD}
)
# a namespace-qualified ``profiles`` attribute only counts in the versions that define it
PROFILED_NAMESPACES = KERNEL_NAMESPACES - {KERNEL_1_0, KERNEL_1_0_OLD}


def split_tag(tag: str) -> tuple[str | None, str]:
    """``{ns}local`` -> (ns, local); a plain name -> (None, name)."""
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return None, tag
