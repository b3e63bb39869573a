"""The server pages' catalogues are complete (issue 11): no visible template text outside gettext, every message
translated into French with the same placeholders, and the committed ``.mo`` compiled from the current ``.po``.

Run ``python scripts/update_translations.py`` after changing a text, translate what it lists, and run it again.
"""
from __future__ import annotations

import gettext
import importlib.util
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "webconferencing" / "web" / "templates"
TRANSLATED_LANGUAGES = ("fr",)
#: attributes a person reads or hears (tooltips, screen readers, empty fields, images, button captions)
VISIBLE_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
BUTTON_INPUTS = ("submit", "button", "reset")
LETTER = re.compile(r"[^\W\d_]")
#: blocks whose content fills an attribute of the parent template, not text (base.html's <body class>)
NON_TEXT_BLOCKS = ("body_class",)
#: no language's words: an example address in an empty field
URL_EXAMPLE = re.compile(r"[a-z]+://\S*")


def _load_script():
    spec = importlib.util.spec_from_file_location("update_translations", ROOT / "scripts" / "update_translations.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


catalogues = _load_script()


# --- visible template text outside gettext --------------------------------------------------


_JINJA_COMMENT = re.compile(r"\{#.*?#\}", re.S)
_NON_TEXT_BLOCK = re.compile(r"\{%-?\s*block\s+(?:" + "|".join(NON_TEXT_BLOCKS) + r")\s*-?%\}"
                             r".*?\{%-?\s*endblock\b.*?%\}", re.S)
_TRANS_BLOCK = re.compile(r"\{%-?\s*trans\b.*?\{%-?\s*endtrans\s*-?%\}", re.S)
_JINJA_EXPRESSION = re.compile(r"\{\{.*?\}\}", re.S)
_JINJA_STATEMENT = re.compile(r"\{%.*?%\}", re.S)


class _VisibleText(HTMLParser):
    """Text nodes and read attributes of the markup left once every Jinja construct is taken out."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self._raw_depth = 0  # inside <script> or <style>: code, not text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._raw_depth += 1
        values = dict(attrs)
        for name, value in attrs:
            read = name in VISIBLE_ATTRIBUTES or (name == "value" and tag == "input"
                                                 and (values.get("type") or "").lower() in BUTTON_INPUTS)
            if read and value and LETTER.search(value) and not URL_EXAMPLE.fullmatch(value.strip()):
                self.found.append((self.getpos()[0], f'{tag}[{name}="{value.strip()}"]'))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._raw_depth:
            self._raw_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._raw_depth and LETTER.search(data):
            self.found.append((self.getpos()[0], data.strip()))


def untranslated_texts(source: str) -> list[tuple[int, str]]:
    """(line, text) of what a page would show from ``source`` without going through the catalogue. Jinja constructs
    are blanked out line for line, so the lines reported are the template's."""
    def blank(match: re.Match) -> str:
        return "\n" * match.group(0).count("\n")

    for pattern in (_JINJA_COMMENT, _NON_TEXT_BLOCK, _TRANS_BLOCK, _JINJA_EXPRESSION, _JINJA_STATEMENT):
        source = pattern.sub(blank, source)
    parser = _VisibleText()
    parser.feed(source)
    parser.close()
    return parser.found


CORE_TEMPLATES = sorted(TEMPLATES.rglob("*.html"))


def test_the_core_templates_are_all_scanned():
    names = {path.relative_to(TEMPLATES).as_posix() for path in CORE_TEMPLATES}
    assert {"base.html", "error.html", "login.html", "portal/layout.html", "portal/profile.html"} <= names


@pytest.mark.parametrize("template", CORE_TEMPLATES, ids=lambda p: p.relative_to(TEMPLATES).as_posix())
def test_no_visible_text_of_a_core_template_escapes_the_catalogue(template: Path):
    found = untranslated_texts(template.read_text(encoding="utf-8"))
    assert not found, "\n".join(f"{template.relative_to(ROOT)}:{line}: {text!r} is not translatable: "
                                f"wrap it in {{{{ _('...') }}}} or {{% trans %}}" for line, text in found)


@pytest.mark.parametrize("markup, text", [
    ("<h1>People</h1>", "People"),
    ("<button type=\"button\" title=\"Close the dialog\">{{ _('Close') }}</button>", "Close the dialog"),
    ("<input placeholder=\"Search\" aria-label=\"{{ _('Search') }}\">", "Search"),
    ("<img src=\"x.png\" alt=\"Avatar\">", "Avatar"),
    ("<input type=\"submit\" value=\"Send\">", "Send"),
    ("{% if x %}<p>{{ name }} joined</p>{% endif %}", "joined"),
])
def test_the_scan_finds_text_left_outside_gettext(markup: str, text: str):
    assert text in " ".join(found for _line, found in untranslated_texts(markup))


@pytest.mark.parametrize("markup", [
    "<h1>{{ _('People') }}</h1>",
    "<p>{% trans name=user.title %}Signed in as <strong>{{ name }}</strong>{% endtrans %}</p>",
    "<input name=\"q\" value=\"{{ query }}\" placeholder=\"{{ _('Search') }}\">",
    "{# a comment is no text #}<span aria-hidden=\"true\">·</span>",
    "<script type=\"application/json\">{\"title\": \"data\"}</script>",
    "<body class=\"{% block body_class %}portal{% endblock %}\"><input type=\"url\" placeholder=\"https://\">",
])
def test_the_scan_lets_translated_markup_and_non_text_through(markup: str):
    assert untranslated_texts(markup) == []


# --- the catalogues --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def extracted():
    return catalogues.extract()


def test_messages_are_extracted_from_templates_and_python(extracted):
    places = {location[0].split("/")[-1] for message in extracted if message.id for location in message.locations}
    assert {"layout.html", "profile.html", "error.html", "errors.py", "pages.py", "auth.py"} <= places


def missing_translations(extracted: Catalog, catalog: Catalog) -> list[str]:
    """The extracted messages ``catalog`` has no (complete, non-fuzzy) translation of, with where they are used."""
    missing = []
    for message in extracted:
        if not message.id:
            continue
        translated = catalog.get(message.id, context=message.context)
        if translated is None or not catalogues.is_translated(translated):
            where = ", ".join(f"{file}:{line}" for file, line in message.locations[:2])
            missing.append(f"{message.id!r} ({where})")
    return missing


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_every_message_has_its_translation(extracted, language: str):
    missing = missing_translations(extracted, catalogues.read_catalog(language))
    assert not missing, (f"{len(missing)} messages without a {language} translation in "
                         f"{catalogues.po_path(language).relative_to(ROOT)} (run scripts/update_translations.py):\n"
                         + "\n".join(missing))


def test_a_message_new_empty_fuzzy_or_half_plural_counts_as_missing():
    extracted = Catalog()
    for message in ("Saved", "New", "Empty", "Guessed", ("%(num)d call", "%(num)d calls")):
        extracted.add(message, locations=[("page.html", 1)])
    french = Catalog(locale="fr")
    french.add("Saved", "Enregistré")
    french.add("Empty", "")
    french.add("Guessed", "Deviné", flags=["fuzzy"])
    french.add(("%(num)d call", "%(num)d calls"), ("%(num)d appel", ""))
    assert [entry.split(" (")[0] for entry in missing_translations(extracted, french)] == [
        "'New'", "'Empty'", "'Guessed'", "('%(num)d call', '%(num)d calls')"]


@pytest.mark.parametrize("language", TRANSLATED_LANGUAGES)
def test_translations_keep_the_placeholders_of_their_message(language: str):
    catalog = catalogues.read_catalog(language)
    problems = [f"{message.id!r}: {'; '.join(str(e) for e in errors)}" for message, errors in catalog.check()]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("language", catalogues.languages())
def test_the_committed_mo_is_compiled_from_the_current_po(language: str):
    po = catalogues.po_path(language)
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo.relative_to(ROOT)} is missing: run scripts/update_translations.py"
    with open(mo, "rb") as file:
        shipped = messages_of(gettext.GNUTranslations(file))
    expected = messages_of(gettext.GNUTranslations(io.BytesIO(catalogues.compiled(catalogues.read_catalog(language)))))
    assert shipped == expected, f"{mo.relative_to(ROOT)} does not match {po.name}: run scripts/update_translations.py"


def messages_of(translations: gettext.GNUTranslations) -> dict:
    """Every (msgid, msgstr) pair a compiled catalogue holds, header included (its plural rule)."""
    return dict(translations._catalog)
