"""``${name}`` / ``${name:default}`` substitution, exactly as the eXo kernel's
``Deserializer.resolveVariables`` does it.

The algorithm is deliberately not a regex: the kernel's single left-to-right pass
has quirks real configuration relies on (or trips over), and a port must behave the
same so Java files load unchanged:

* only ``${`` opens a reference; a ``$`` inside an open reference is plain text, so
  references never nest (``${a${b}}`` looks up the key ``a${b``);
* a reference closes at the first ``}`` not escaped by a backslash: an odd run of
  backslashes before it escapes it, an even run (``${u:a\\\\}``) is backslashes and
  the ``}`` closes;
* the content splits at the *first* ``:`` (the default may contain more ``:``);
  in the default ``\\{`` and ``\\}`` stand for ``{`` and ``}``; there is no
  bash-style ``:-``;
* if nothing in the string resolved, the input comes back unchanged (unresolved
  references included); as soon as one reference resolved, the unresolved ones
  are replaced by nothing;
* values are never re-resolved, and ``${}`` is emitted literally;
* an empty key (``${:x}``, ``${:}``) is an error, as ``System.getProperty("")`` throws
  in Java: the file that holds it is dropped (:class:`EmptyPropertyName`).

Which keys are special (``container.name.suffix``, ``portal.container.X``) is the
``lookup``'s business, not this module's.
"""
from __future__ import annotations

import re
from typing import Callable

from .errors import ConfigurationError

Lookup = Callable[[str], "str | None"]

# java.lang.String.trim() removes every char <= U+0020, not Unicode whitespace.
JAVA_TRIM_CHARS = "".join(chr(c) for c in range(0x21))


class EmptyPropertyName(ConfigurationError):
    """``${:default}``: a reference with no property name (Java's "key can't be empty")."""


# A text that is one reference and nothing else, with no backslash, brace or ``$`` in its name or
# default: what nearly every ${} of a real file looks like, resolved without the general loop below
# (which gives the same result for it: a large file has thousands of them).
_WHOLE_REFERENCE = re.compile(r"\$\{([^:{}$\\]+)(?::([^{}$\\]*))?\}")


def _escaped(text: str, i: int) -> bool:
    """True when ``text[i]`` follows an odd run of backslashes."""
    run = 0
    while i - run - 1 >= 0 and text[i - run - 1] == "\\":
        run += 1
    return run % 2 == 1


def java_trim(text: str) -> str:
    """``String.trim()``: strips ASCII control characters and spaces only."""
    return text.strip(JAVA_TRIM_CHARS)


def resolve_variables(text: str, lookup: Lookup, missing: list[str] | None = None) -> str:
    """Substitute the ``${...}`` references of ``text`` using ``lookup`` (None = not found).

    ``missing``, when given, receives the key of every reference that neither ``lookup``
    nor a default answered (what ``exo-container check`` warns about).
    """
    if not text or "${" not in text:
        return text
    whole = _WHOLE_REFERENCE.fullmatch(text)
    if whole is not None:
        key, default = whole.groups()
        value = lookup(key)
        if value is None:
            value = default
        if value is not None:
            return value
        if missing is not None:
            missing.append(key)
        return text  # nothing resolved: the input as written
    out: list[str] = []
    resolved_any = False
    start = 0  # first char not yet copied to ``out``
    # The kernel's character-by-character state machine, jumping from one "${" to the next:
    # outside a reference only "${" matters, inside one only the first unescaped "}".
    opening = text.find("${")
    while opening >= 0:
        closing = text.find("}", opening + 2)
        while closing >= 0 and text[closing - 1] == "\\" and _escaped(text, closing):
            closing = text.find("}", closing + 1)
        if closing < 0:
            break  # unterminated: the rest stays as written
        out.append(text[start:opening])
        if closing == opening + 2:
            out.append("${}")
        else:
            key = text[opening + 2:closing]
            default: str | None = None
            colon = key.find(":")
            if colon >= 0:
                key, default = key[:colon], key[colon + 1:]
            if not key:
                raise EmptyPropertyName(f"{text[opening:closing + 1]} has no property name (the kernel refuses an empty key)")
            value = lookup(key)
            if value is None and default is not None:
                value = default.replace("\\{", "{").replace("\\}", "}") if "\\" in default else default
            if value is not None:
                resolved_any = True
                out.append(value)
            elif missing is not None:
                missing.append(key)
        start = closing + 1
        opening = text.find("${", start)
    if not resolved_any:
        return text
    out.append(text[start:])
    return "".join(out)


def resolve_string(text: str, lookup: Lookup, missing: list[str] | None = None) -> str:
    """What every string of a configuration file gets: substitution, then ``trim()``."""
    return java_trim(resolve_variables(text, lookup, missing))
