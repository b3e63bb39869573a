"""Translatable texts in Java resource bundles: the eXo kernel's ``ResourceBundleService`` for this product and its
connectors (issue 11).

The original add-on ships its browser texts in ``.properties`` bundles and every connector WAR declares its own with
a ``BaseResourceBundlePlugin`` on ``org.exoplatform.services.resources.ResourceBundleService`` (``set-method``
``addResourceBundle``; values-param ``portal.resource.names``: bundles merged into the portal's shared catalogue).
The same XML works here unchanged: this module gives the Python classes those Java names.

**Where a bundle base name resolves.** ``locale.myconnector.MyConnector`` in language ``fr`` is the classpath
resource ``locale/myconnector/MyConnector_fr.properties``, searched in the portal's classpath, first hit wins:

1. ``<extension folder>/WEB-INF/classes/`` of every extension, in the load order (a WAR's classes folder);
2. every installed top-level Python package (what ``classpath:`` imports resolve in, :mod:`exo_container.urls`):
   the core's ``webconferencing/locale/webconferencing/WebConferencingClient_fr.properties``, or a pip-installed
   connector's own package.

**File format.** ``java.util.Properties`` (comments, ``\\``-continued lines, ``\\uXXXX`` and the other escapes, read by
the kernel's own parser, :func:`exo_container.properties.load_properties_file`), in UTF-8 as Java 9+'s
``PropertyResourceBundle`` reads them, falling back to ISO-8859-1 (Java 8's encoding) when the bytes are not UTF-8;
``\\uXXXX`` escapes work in both. A missing or malformed bundle file fails the plugin at boot with its name.

**Fallback.** A key missing in ``fr`` takes the ``en`` text (:data:`DEFAULT_LANGUAGE`, the bundles' reference
language, which every declared bundle must have), logged once per bundle and language; a key missing everywhere is
the key itself (logged once). ``init.resources`` (which the original stores in its database at first launch) is
kept as declared; texts are read from the files only.
"""
from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from exo_container import BaseComponentPlugin, ExoContainer, InitParams, Startable, java_name
from exo_container.properties import load_properties_file
from exo_container.urls import find_resource

log = logging.getLogger(__name__)

DEFAULT_LANGUAGE = "en"
SUFFIX = ".properties"
INIT_RESOURCES = "init.resources"
PORTAL_RESOURCE_NAMES = "portal.resource.names"
CLASSPATH_RESOURCES = "classpath.resources"
WAR_CLASSES = ("WEB-INF", "classes")
_BASE_NAME = re.compile(r"[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)*")
_LANGUAGE = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class BundleNotFound(LookupError):
    """A declared bundle has no file for the reference language anywhere on the classpath."""


def format_message(text: str, params: Sequence[Any] | Mapping[str, Any] | None = None) -> str:
    """``{0}``, ``{1}`` ... (as Java's ``MessageFormat``) from a sequence, or ``{name}`` from a mapping; a
    placeholder without a value stays as written. One pass: a value holding ``{1}`` is not substituted again.
    Apostrophes are plain text (unlike ``MessageFormat``, no ``''`` needed), as the browser's ``message()`` does."""
    if params is None:
        return text
    if isinstance(params, Mapping):
        values = {str(k): v for k, v in params.items()}
    else:
        values = {str(i): v for i, v in enumerate(params)}

    def value(match: re.Match[str]) -> str:
        found = values.get(match.group(1))
        return match.group(0) if found is None else str(found)

    return _PLACEHOLDER.sub(value, text)


def language_chain(language: str) -> list[str]:
    """The bundle suffixes read for ``language``, weakest first: the reference language, then the language, then
    the language with its country (``fr_CA`` -> ``["en", "fr", "fr_CA"]``), as Java's candidate list reversed."""
    language = language.replace("-", "_")
    if not _LANGUAGE.fullmatch(language):
        raise ValueError(f"not a language tag: {language!r} (expected 'fr' or 'fr_CA')")
    chain = [DEFAULT_LANGUAGE]
    base = language.split("_")[0]
    for candidate in (base, language):
        if candidate not in chain:
            chain.append(candidate)
    return chain


@java_name("org.exoplatform.services.resources.impl.BaseResourceBundlePlugin")
class BaseResourceBundlePlugin(BaseComponentPlugin):
    """The bundles one product or connector declares (values-params ``portal.resource.names``, ``init.resources``,
    ``classpath.resources``, as in the original's plugin)."""

    def __init__(self, params: InitParams | None = None):
        self.portal_resources = self._names(params, PORTAL_RESOURCE_NAMES)
        self.init_resources = self._names(params, INIT_RESOURCES)
        self.classpath_resources = self._names(params, CLASSPATH_RESOURCES)

    @staticmethod
    def _names(params: InitParams | None, name: str) -> list[str]:
        param = params.get_values_param(name) if params is not None else None
        names = [value.strip() for value in (param.get_values() if param is not None else []) if value.strip()]
        for bundle in names:
            if not _BASE_NAME.fullmatch(bundle):
                raise ValueError(f"{name}: {bundle!r} is not a bundle base name (like locale.myconnector.MyConnector)")
        return names

    def get_portal_resources(self) -> list[str]:
        return list(self.portal_resources)

    def get_init_resources(self) -> list[str]:
        return list(self.init_resources)

    def get_classpath_resources(self) -> list[str]:
        return list(self.classpath_resources)


@dataclass(frozen=True)
class Bundle:
    """One bundle base name and the files found for it, by language suffix."""

    name: str
    files: Mapping[str, Path]


@java_name("org.exoplatform.services.resources.ResourceBundleService")
class ResourceBundleService(Startable):
    """Finds and merges the declared bundles. Files are read once per language and kept (they ship with the code).

    Startable so that it is built, and its plugins applied, at boot: a bundle a plugin names but nobody ships is a
    problem of the boot (with the plugin's file:line), not of the first page."""

    def __init__(self, container: ExoContainer):
        self._roots = [Path(ext.path).joinpath(*WAR_CLASSES) for ext in getattr(container, "extensions", ())]
        self._bundles: dict[str, Bundle] = {}
        self._portal: list[str] = []  # portal.resource.names, in declaration (load) order
        self._texts: dict[tuple[str, str], dict[str, str]] = {}
        self._warned: set[tuple[str, str, str]] = set()
        self._lock = threading.Lock()

    # --- declaration (the set-method of the plugins) -------------------------------------------

    def add_resource_bundle(self, plugin: BaseResourceBundlePlugin) -> None:
        """Register a plugin's bundles; each must have its reference-language file (else BundleNotFound)."""
        names = [*plugin.get_portal_resources(), *plugin.get_init_resources(), *plugin.get_classpath_resources()]
        for name in names:
            if name not in self._bundles:
                self._bundles[name] = self._locate(name)
        for name in plugin.get_portal_resources():
            if name not in self._portal:
                self._portal.append(name)

    def _locate(self, name: str) -> Bundle:
        stem = name.replace(".", "/")
        files: dict[str, Path] = {}
        plain = find_resource(stem + SUFFIX, self._roots)
        if plain is not None:
            files[""] = plain
        # a bundle's files sit together: its languages are the files beside the first one found
        anchor = plain or find_resource(f"{stem}_{DEFAULT_LANGUAGE}{SUFFIX}", self._roots)
        if anchor is None:
            raise BundleNotFound(
                f"resource bundle {name}: no {stem}_{DEFAULT_LANGUAGE}{SUFFIX} (nor {stem}{SUFFIX}) in the extensions' "
                f"{'/'.join(WAR_CLASSES)}/ folders or the installed packages")
        prefix = stem.rsplit("/", 1)[-1] + "_"
        for path in sorted(anchor.parent.glob(f"{prefix}*{SUFFIX}")):
            language = path.name[len(prefix):-len(SUFFIX)]
            if _LANGUAGE.fullmatch(language):
                files[language] = path
        for path in files.values():
            load_properties_file(path)  # a malformed file fails the plugin now, with its name, not a page later
        return Bundle(name, files)

    def start(self) -> None:
        """Read the reference texts of the portal bundles now (the first page need not), and say what was found."""
        for name in self._portal:
            self._texts_of(name, DEFAULT_LANGUAGE)
        log.info("Resource bundles: %d declared (%s), languages %s", len(self._bundles), ", ".join(self._bundles),
                 ", ".join(self.get_languages()) or "none")

    def stop(self) -> None:
        """Nothing held: the texts are plain data."""

    # --- reading ---------------------------------------------------------------------------------

    def get_shared_resource_bundle_names(self) -> list[str]:
        """The ``portal.resource.names`` of every plugin, in the order they were declared."""
        return list(self._portal)

    def get_languages(self) -> list[str]:
        """Every language some declared bundle has a file for."""
        return sorted({lang for bundle in self._bundles.values() for lang in bundle.files if lang})

    def get_resource_bundle(self, names: str | Iterable[str], language: str) -> dict[str, str]:
        """The texts of one bundle or several merged (a later name wins a key), in ``language`` with the fallback."""
        merged: dict[str, str] = {}
        for name in [names] if isinstance(names, str) else names:
            merged.update(self._texts_of(name, language))
        return merged

    def get_portal_catalogue(self, language: str) -> dict[str, str]:
        """Every ``portal.resource.names`` bundle merged, in ``language``: what pages give their scripts."""
        return self.get_resource_bundle(self._portal, language)

    def get_message(self, names: str | Iterable[str], key: str, language: str,
                    params: Sequence[Any] | Mapping[str, Any] | None = None) -> str:
        """One text, formatted (:func:`format_message`); a key no bundle has is the key itself (logged once)."""
        text = self.get_resource_bundle(names, language).get(key)
        if text is None:
            self._warn_once("", language, key, "Resource bundles %s: no text for key %s; the key is shown",
                            names if isinstance(names, str) else ", ".join(names), key)
            text = key
        return format_message(text, params)

    def _texts_of(self, name: str, language: str) -> dict[str, str]:
        bundle = self._bundles.get(name)
        if bundle is None:
            raise BundleNotFound(f"resource bundle {name} was not declared (no plugin on ResourceBundleService)")
        cached = self._texts.get((name, language))
        if cached is not None:
            return cached
        with self._lock:
            texts: dict[str, str] = {}
            for suffix in ["", *language_chain(language)]:
                path = bundle.files.get(suffix)
                if path is not None:
                    texts.update(load_properties_file(path))
            missing = sorted(set(self._reference(bundle)) - set(self._own(bundle, language)))
            if missing and language_chain(language)[-1] != DEFAULT_LANGUAGE:
                self._warn_once(name, language, "*", "Resource bundle %s: %d key(s) missing in %s, shown in %s: %s",
                                name, len(missing), language, DEFAULT_LANGUAGE, ", ".join(missing))
            self._texts[(name, language)] = texts
            return texts

    @staticmethod
    def _reference(bundle: Bundle) -> dict[str, str]:
        path = bundle.files.get(DEFAULT_LANGUAGE) or bundle.files.get("")
        return load_properties_file(path) if path is not None else {}

    @staticmethod
    def _own(bundle: Bundle, language: str) -> dict[str, str]:
        """The keys the language's own files give (without the reference language's)."""
        own: dict[str, str] = {}
        for suffix in language_chain(language)[1:]:
            path = bundle.files.get(suffix)
            if path is not None:
                own.update(load_properties_file(path))
        return own

    def _warn_once(self, name: str, language: str, key: str, message: str, *args: Any) -> None:
        if (name, language, key) not in self._warned:
            self._warned.add((name, language, key))
            log.warning(message, *args)
