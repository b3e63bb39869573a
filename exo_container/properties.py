"""The property store: what ``${name}`` resolves against (the JVM system properties
of the eXo kernel), and the ``java.util.Properties`` file format.

Precedence when the process starts (``PropertyStore.from_process``), lowest first;
each layer overwrites the previous one, like successive ``System.setProperty`` calls:

1. environment variables prefixed ``EXO_``: ``EXO_FOO_BAR`` becomes ``foo.bar``
   (prefix stripped, lower-cased, ``_`` becomes ``.``, ``__`` becomes a literal ``_``:
   ``EXO_WEBCONFERENCING_MY__KEY`` -> ``webconferencing.my_key``);
2. ``-D name=value`` options given on the command line (the JVM system properties);
3. the properties file, ``exo.properties`` by default, or the file named by the
   ``exo.properties.url`` property when layers 1-2 set it (a path or a ``file:`` URL).
   The file wins over both, as the kernel's ``PropertyConfigurator`` overwrites
   system properties. A missing default file is skipped; a missing file named by
   ``exo.properties.url`` is an error.

Values of a file are substituted in file order, first against the entries of that
file read before them, then against the store; they are not re-resolved later.
``.properties`` files are read as UTF-8 (falling back to ISO-8859-1, Java's
encoding, when the bytes are not valid UTF-8); ``.xml`` files use the
``Properties.loadFromXML`` format; any other suffix is ignored with a warning, as
in the kernel.

Below all of them, the JVM's built-in properties (``java.io.tmpdir``, ``user.home``,
``user.dir``, ``user.name``, ``file.separator``, ``path.separator``, ``line.separator``,
``os.name``: :mod:`exo_container.jvm`) and ``exo.conf.dir``, the folder of the root
configuration (where eXo keeps ``exo.properties``), answer ``${}`` when nothing set them.
``exo.data.dir`` has no such default: it resolves only where it is defined.

Active profiles come from ``exo.profiles`` (comma separated, items trimmed).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Iterator, Mapping

from .errors import ConfigurationError
from .jvm import EXO_CONF_DIR, jvm_properties
from .variables import EmptyPropertyName, java_trim, resolve_variables

log = logging.getLogger(__name__)

ENV_PREFIX = "EXO_"
PROPERTIES_URL = "exo.properties.url"
PROFILES = "exo.profiles"
CONTAINER_NAME_SUFFIX = "container.name.suffix"
PORTAL_CONTAINER_PREFIX = "portal.container."

_WHITESPACE = " \t\f"
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "f": "\f"}


def env_to_property_name(variable: str) -> str | None:
    """``EXO_FOO_BAR`` -> ``foo.bar`` (``__`` keeps a ``_``); None for other variables."""
    if not variable.startswith(ENV_PREFIX) or len(variable) == len(ENV_PREFIX):
        return None
    parts = variable[len(ENV_PREFIX):].lower().split("__")
    return "_".join(part.replace("_", ".") for part in parts)


def parse_profiles(value: str | None) -> set[str]:
    """``exo.profiles`` as the kernel reads it: split on ``,``, each item trimmed.

    Empty items are dropped: the kernel adds ``""`` to the set, but a ``profiles``
    attribute never contains an empty item, so it can never match anything.
    """
    if value is None:
        return set()
    return {p for p in (java_trim(item) for item in value.split(",")) if p}


# --- java.util.Properties syntax -------------------------------------------------------


def _logical_lines(text: str) -> Iterator[tuple[str, int]]:
    """Java's ``LineReader``: comments, blank lines and continuations, with start line numbers."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    i = 0
    while i < len(lines):
        lineno = i + 1
        line = lines[i].lstrip(_WHITESPACE)
        i += 1
        if not line or line[0] in "#!":
            continue
        parts: list[str] = []
        while True:
            trailing = len(line) - len(line.rstrip("\\"))
            if trailing % 2 == 1:  # an odd number of backslashes continues the line
                parts.append(line[:-1])
                if i >= len(lines):
                    break
                line = lines[i].lstrip(_WHITESPACE)
                i += 1
            else:
                parts.append(line)
                break
        yield "".join(parts), lineno


def _unescape(raw: str, source: str, line: int) -> str:
    out: list[str] = []
    i = 0
    while i < len(raw):
        c = raw[i]
        i += 1
        if c != "\\":
            out.append(c)
            continue
        if i >= len(raw):
            break  # a lone trailing backslash vanishes
        c = raw[i]
        i += 1
        if c == "u":
            digits = raw[i:i + 4]
            if len(digits) < 4 or any(d not in "0123456789abcdefABCDEF" for d in digits):
                raise ConfigurationError(f"malformed \\uxxxx encoding: \\u{digits}", source, line)
            out.append(chr(int(digits, 16)))
            i += 4
        else:
            out.append(_ESCAPES.get(c, c))
    return "".join(out)


def _split_entry(line: str) -> tuple[str, str]:
    key_end, value_start, has_separator, backslash = len(line), len(line), False, False
    for i, c in enumerate(line):
        if c in "=:" and not backslash:
            key_end, value_start, has_separator = i, i + 1, True
            break
        if c in _WHITESPACE and not backslash:
            key_end, value_start = i, i + 1
            break
        backslash = (not backslash) if c == "\\" else False
    while value_start < len(line):
        c = line[value_start]
        if c not in _WHITESPACE:
            if not has_separator and c in "=:":
                has_separator = True
            else:
                break
        value_start += 1
    return line[:key_end], line[value_start:]


def load_properties_text(text: str, source: str = "<properties>", lines: dict[str, int] | None = None) -> dict[str, str]:
    """Entries of a ``.properties`` text, raw (no ``${}``); a repeated key moves to the end.
    ``lines``, when given, receives the line each key was (last) set on."""
    entries: dict[str, str] = {}
    for line, lineno in _logical_lines(text):
        raw_key, raw_value = _split_entry(line)
        key = _unescape(raw_key, source, lineno)
        entries.pop(key, None)
        entries[key] = _unescape(raw_value, source, lineno)
        if lines is not None:
            lines[key] = lineno
    return entries


def load_properties_xml(data: bytes, source: str = "<properties>") -> dict[str, str]:
    """Entries of a ``Properties.loadFromXML`` document (``<properties><entry key=...>``)."""
    from .xml.safe import safe_parse

    root = safe_parse(data, source).getroot()
    if root.tag != "properties":
        raise ConfigurationError(f"expected <properties>, found <{root.tag}>", source, root.sourceline)
    entries: dict[str, str] = {}
    for child in root:
        if not isinstance(child.tag, str) or child.tag == "comment":
            continue
        if child.tag != "entry":
            raise ConfigurationError(f"unexpected element <{child.tag}> in <properties>", source, child.sourceline)
        key = child.get("key")
        if key is None:
            raise ConfigurationError("<entry> without a key attribute", source, child.sourceline)
        entries.pop(key, None)
        entries[key] = "".join(child.itertext())
    return entries


def load_properties_file(path: str | Path, lines: dict[str, int] | None = None) -> dict[str, str]:
    """Raw entries of a ``.properties`` or ``.xml`` file (other suffixes: ignored, empty)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".properties", ".xml"):
        log.warning("Properties file %s ignored: only .properties and .xml files are read", path)
        return {}
    try:
        data = path.read_bytes()
    except OSError as e:
        raise ConfigurationError(f"cannot read properties file: {e.strerror}", str(path)) from None
    if suffix == ".xml":
        return load_properties_xml(data, str(path))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("iso-8859-1")
    return load_properties_text(text, str(path), lines)


def resolve_properties(entries: Mapping[str, str], lookup) -> dict[str, str]:
    """Substitute each value against the already resolved earlier entries, then ``lookup``."""
    resolved: dict[str, str] = {}

    def local_then_store(key: str) -> str | None:
        return resolved[key] if key in resolved else lookup(key)

    for key, value in entries.items():
        resolved[key] = resolve_variables(value, local_then_store)
    return resolved


# --- the store -------------------------------------------------------------------------


class PropertyStore:
    """Process-wide properties that ``${}`` resolves against (the JVM system properties)."""

    def __init__(self, values: Mapping[str, str] | None = None, defaults: Mapping[str, str] | None = None):
        self._values: dict[str, str] = dict(values or {})
        # name -> (file, line) of the properties file that set it last (what check points at)
        self.origins: dict[str, tuple[str, int | None]] = {}
        # what answers when nothing set a name: the JVM's built-ins unless given
        self._defaults: dict[str, str] = jvm_properties() if defaults is None else dict(defaults)

    @classmethod
    def from_process(
        cls,
        system_properties: Mapping[str, str] | None = None,
        environ: Mapping[str, str] | None = None,
        properties_file: str | Path | None = None,
        conf_dir: str | Path | None = None,
    ) -> "PropertyStore":
        """Layer ``EXO_*`` environment, then ``-D`` properties, then the properties file;
        ``conf_dir`` is the default of ``exo.conf.dir``."""
        store = cls()
        if conf_dir is not None:
            store._defaults[EXO_CONF_DIR] = str(conf_dir)
        for variable, value in (os.environ if environ is None else environ).items():
            name = env_to_property_name(variable)
            if name:
                store.set(name, value)
        for name, value in (system_properties or {}).items():
            store.set(name, value)
        explicit = store.get(PROPERTIES_URL)
        if explicit:
            store.load_file(_url_to_path(resolve_variables(java_trim(explicit), store.lookup)))
        elif properties_file is not None:
            path = Path(properties_file)
            if path.is_file():
                store.load_file(path)
            else:
                log.info("No properties file %s: only environment and -D properties are used", path)
        return store

    def get(self, name: str, default: str | None = None) -> str | None:
        """The property as set, else its built-in value, else ``default``."""
        value = self._values.get(name)
        if value is None:
            value = self._defaults.get(name)
        return default if value is None else value

    def set(self, name: str, value: str) -> None:
        self._values[name] = value
        self.origins.pop(name, None)

    def remove(self, name: str) -> None:
        self._values.pop(name, None)

    def update(self, values: Mapping[str, str]) -> None:
        for name, value in values.items():
            self.set(name, value)

    def __contains__(self, name: object) -> bool:
        return name in self._values

    def as_dict(self) -> dict[str, str]:
        """The properties set (environment, ``-D``, files), without the built-ins."""
        return dict(self._values)

    def lookup(self, key: str) -> str | None:
        """A ``resolve_variables`` lookup: the properties set, then the built-ins.

        ``container.name.suffix`` and ``portal.container.*`` are never answered from
        properties (the kernel has no fallback for them); outside a portal container
        they are simply not found.
        """
        if key == CONTAINER_NAME_SUFFIX or key.startswith(PORTAL_CONTAINER_PREFIX):
            return None
        return self.get(key)

    def load_file(self, path: str | Path) -> dict[str, str]:
        """Load a properties file into the store (the file overwrites); returns its resolved entries."""
        path = Path(path)
        if not path.is_file():
            raise ConfigurationError("properties file not found", str(path))
        lines: dict[str, int] = {}
        try:
            entries = resolve_properties(load_properties_file(path, lines), self.lookup)
        except EmptyPropertyName as e:
            raise ConfigurationError(e.message, str(path)) from None
        self.update(entries)
        for name in entries:
            self.origins[name] = (str(path), lines.get(name))
        return entries

    def profiles(self) -> set[str]:
        """The active profiles named by ``exo.profiles``."""
        return parse_profiles(self.get(PROFILES))

    def __repr__(self) -> str:
        return f"PropertyStore({len(self._values)} properties)"


def _url_to_path(url: str) -> Path:
    if url.startswith("file:"):
        from .urls import file_url_to_path

        return file_url_to_path(url)
    return Path(url)
