#!/usr/bin/env python3
"""Bring the server pages' catalogues up to date: extract, merge, compile (issue 11).

    python scripts/update_translations.py            # every language of webconferencing/translations/
    python scripts/update_translations.py --add de   # start a new language (then add it to SUPPORTED_LANGUAGES)

It reads what ``babel.cfg`` names (the core templates and the web layer's Python), merges the messages into each
``translations/<lang>/LC_MESSAGES/messages.po`` (new ones empty, gone ones marked obsolete), and compiles each
``.po`` into the ``.mo`` Flask-Babel reads: both are committed, so an installed package needs no build step. Then
translate the empty ``msgstr`` and run it again; tests/web/test_translations.py fails while a message has no
translation or a ``.mo`` is older than its ``.po``.

The same as ``pybabel extract -F babel.cfg -k _l -k lazy_gettext`` + ``pybabel update`` + ``pybabel compile``,
with the options written once here for the tests to use too.
"""
from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
BABEL_CFG = ROOT / "babel.cfg"
TRANSLATIONS = ROOT / "webconferencing" / "translations"
DOMAIN = "messages"
#: gettext's names in this code base besides Babel's defaults (``_``, ``gettext``, ``ngettext``...)
KEYWORDS = {"_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
#: what translators see at the top of the files
PROJECT = "exo-webconf"


def extract() -> Catalog:
    """Every message of the sources ``babel.cfg`` names, with where each is used."""
    from babel.messages.extract import DEFAULT_KEYWORDS

    with open(BABEL_CFG, encoding="utf-8") as config:
        method_map, options_map = parse_mapping_cfg(config, filename=str(BABEL_CFG))
    catalog = Catalog(project=PROJECT, charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
            ROOT, method_map, options_map, keywords={**DEFAULT_KEYWORDS, **KEYWORDS}, strip_comment_tags=True):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def is_translated(message: Message) -> bool:
    """Whether ``message`` has its translation (every plural form of it), and not only a fuzzy guess."""
    strings = message.string if isinstance(message.string, (tuple, list)) else (message.string,)
    return all(strings) and not message.fuzzy


def po_path(language: str) -> Path:
    return TRANSLATIONS / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def languages() -> list[str]:
    return sorted(path.parent.parent.name for path in TRANSLATIONS.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read_catalog(language: str) -> Catalog:
    with open(po_path(language), "rb") as file:
        return read_po(file, locale=language)


def compiled(catalog: Catalog) -> bytes:
    """The ``.mo`` of ``catalog``: fuzzy entries left out, as gettext does."""
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def update(language: str, template: Catalog) -> Catalog:
    path = po_path(language)
    if path.exists():
        catalog = read_catalog(language)
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        catalog = Catalog(locale=language, project=PROJECT, charset="utf-8")
        catalog.update(template, no_fuzzy_matching=True)
    with open(path, "wb") as file:
        write_po(file, catalog, width=120, sort_output=False, ignore_obsolete=True)
    path.with_suffix(".mo").write_bytes(compiled(read_catalog(language)))
    return catalog


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--add", metavar="LANG", action="append", default=[], help="start a catalogue for LANG")
    args = parser.parse_args(argv)
    template = extract()
    for language in sorted(set(languages()) | set(args.add)):
        catalog = update(language, template)
        missing = [m.id for m in catalog if m.id and not is_translated(m)]
        print(f"{po_path(language).relative_to(ROOT)}: {len(template)} messages, {len(missing)} to translate")
    return 0


if __name__ == "__main__":
    sys.exit(main())
