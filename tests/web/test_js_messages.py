"""Issue 11: every text the shipped scripts show comes from a resource bundle, and each bundle is complete in French.

The scripts are read as text (no browser): a visible string written into a script (a literal put in ``textContent``,
a title, an ``aria-label``, a placeholder, an element built with ``el(tag, class, text)``, a notice, a dialog's title,
a status map's value, or any literal phrase of two words or more outside log calls and developer errors) fails, and so
does a ``message("...")`` key that the script's own bundles (the core's, or its connector's) lack in English or in
French. Developer texts stay English on purpose (log lines, ``clientError``/``Error`` messages, rejections that only
reach the log), as the server's REST messages do (webconferencing/web/i18n.py).
"""
from __future__ import annotations

import codecs
import re
from pathlib import Path

import pytest

from exo_container.properties import load_properties_file

ROOT = Path(__file__).resolve().parents[2]
CORE_JS = ROOT / "webconferencing" / "web" / "static" / "js"
CORE_LOCALE = ROOT / "webconferencing" / "locale"
EXTENSIONS = ROOT / "extensions"
LANGUAGES = ("en", "fr")

LIT = r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
# where a literal is shown as it is
SINKS = [
    re.compile(r"\.textContent\s*=\s*" + LIT),
    re.compile(r"\.(?:title|placeholder|label|alt)\s*=\s*" + LIT),
    re.compile(r"""setAttribute\(\s*["'](?:aria-label|aria-description|title|placeholder|alt)["']\s*,\s*""" + LIT),
    re.compile(r"\bel\(\s*" + LIT + r"\s*,\s*(?:" + LIT + r"|null)\s*,\s*" + LIT),
    re.compile(r"\bbutton\(\s*" + LIT + r"\s*,\s*" + LIT),
    re.compile(r"\b(?:notice(?:Info|Warn|Error)|show(?:Info|Warn|Confirm))\(\s*" + LIT),
    re.compile(r"\b(?:notice(?:Info|Warn|Error)|show(?:Info|Warn|Confirm))\([^;]*?,\s*" + LIT),
    re.compile(r"\.showError\([^;]*?,\s*err\s*,\s*" + LIT),
    re.compile(r"""\b(?:hangup|say\w*|end|setState)\([^;]*?("[A-Z][a-z][^"]*"|'[A-Z][a-z][^']*')"""),
    re.compile(r"""(?:^|[{,]\s*)["']?\w+["']?\s*:\s*("[A-Z][a-z][^"]*"|'[A-Z][a-z][^']*')"""),
]
# a phrase: a capitalised word then more words ("Call failed", "Failed to save "), anywhere but in developer texts
# (CSS class lists and selectors are lowercase or start with a punctuation)
PHRASE = re.compile(r"""^["'][A-Z][a-z']+[ ,.:;!?]+\S""")
DEVELOPER = re.compile(r"""\b\w*[lL]og\w*(?:\(\w*\))?\.(?:debug|info|warn|error|trace|showError)\(|\bconsole\.|\bclientError\(|"""
                       r"""\bnew Error\(|\bsuper\(|\bthrow\s|Promise\.reject\(|\.getLog\(""")
KEY = re.compile(r"""["']((?:webconferencing|myconnector|webrtc|[a-z][a-z0-9]*)\.[A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)["']""")
MESSAGE_CALL = re.compile(r"""\bmessage\(\s*["']([^"']+)["']\s*[,)]""")
# not texts to translate: event keys, HTTP names, and the providers' product names (the fallback of their titles,
# which the server gives)
NOT_TEXT = {"Escape", "Tab", "Enter", "Content-Type", "Error", "My Connector", "WebRTC"}


def shipped_scripts() -> list[Path]:
    return sorted([*CORE_JS.rglob("*.js"), *EXTENSIONS.glob("*/static/js/**/*.js")])


def bundles_of(script: Path) -> list[Path]:
    """The bundles a script may use, by their English file: the core's, plus its connector's own."""
    bundles = sorted(CORE_LOCALE.rglob("*_en.properties"))
    if EXTENSIONS in script.parents:
        extension = script.relative_to(EXTENSIONS).parts[0]
        bundles += sorted((EXTENSIONS / extension / "WEB-INF" / "classes").rglob("*_en.properties"))
    return bundles


def all_bundles() -> list[Path]:
    return sorted([*CORE_LOCALE.rglob("*_en.properties"), *EXTENSIONS.glob("*/WEB-INF/classes/**/*_en.properties")])


def keys(english: Path, language: str) -> set[str]:
    return set(load_properties_file(english.with_name(english.name.replace("_en.", f"_{language}."))))


def statements(source: str) -> list[tuple[int, str]]:
    """Lines without comments, a line continued on the next (ending in ``(``, ``,``, ``+``, ``?``, ``:``, ``&&``,
    ``||`` or an operator) joined to it, with the number of its first line."""
    source = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), source, flags=re.S)
    out: list[tuple[int, str]] = []
    pending, start = "", 0
    for number, line in enumerate(source.splitlines(), 1):
        line = re.sub(r"(^|\s)//\s.*$", "", line).rstrip()
        if not pending:
            start = number
        pending = f"{pending} {line.strip()}" if pending else line
        if not re.search(r"(?:[(,+?:]|&&|\|\|)$", pending):
            out.append((start, pending))
            pending = ""
    if pending:
        out.append((start, pending))
    return out


def visible_literals(script: Path, root: Path = ROOT) -> list[str]:
    """``file:line: literal`` for every text shown as written (see the module's docstring)."""
    found = []
    for number, statement in statements(script.read_text(encoding="utf-8")):
        literals: set[str] = set()
        for sink in SINKS:
            for match in sink.finditer(statement):
                literals.add(match.groups()[-1])  # the text: the last literal a sink names
        if not DEVELOPER.search(statement):
            literals.update(m.group(0) for m in re.finditer(LIT, statement) if PHRASE.search(m.group(0)))
        for literal in sorted(literals):
            text = codecs.decode(literal[1:-1], "unicode_escape")
            if re.search(r"[A-Za-z]", text) and text not in NOT_TEXT and not KEY.fullmatch(literal):
                found.append(f"{script.relative_to(root)}:{number}: {literal}")
    return found


@pytest.mark.parametrize("script", shipped_scripts(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_shipped_script_shows_no_text_of_its_own(script):
    assert visible_literals(script) == []


@pytest.mark.parametrize("script", shipped_scripts(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_message_key_a_script_names_is_in_its_bundles_in_english_and_french(script):
    source = script.read_text(encoding="utf-8")
    named = set(MESSAGE_CALL.findall(source))
    available = {language: set().union(*(keys(b, language) for b in bundles_of(script))) for language in LANGUAGES}
    namespaces = {key.split(".")[0] for key in available["en"]}
    named |= {key for key in KEY.findall(source) if key.split(".")[0] in namespaces}
    assert {language: sorted(named - available[language]) for language in LANGUAGES} == {"en": [], "fr": []}


@pytest.mark.parametrize("english", all_bundles(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_bundle_has_the_same_keys_in_french_as_in_english(english):
    assert sorted(keys(english, "en") ^ keys(english, "fr")) == []


def test_the_scan_finds_every_kind_of_visible_literal(tmp_path):
    """The scanner itself: each way a script can show a literal is caught, developer texts are not."""
    script = tmp_path / "shown.js"
    script.write_text("\n".join([
        'node.textContent = "Join";',
        'button.title = "Call";',
        'toggle.setAttribute("aria-label", "More options");',
        'var b = el("button", "btn", "Accept");',
        'webConferencing.noticeInfo("Call", text);',
        'log.showError("Failed to start: " + id, err, "Call failed");',
        'var STATES = { connected: "Connected" };',
        'say(ok ? "In the call" : other);',
        'log.info("Joined call: " + id);',
        'return Promise.reject(util.clientError("ACCESS_ERROR", "Provider is not active"));',
        'label.textContent = message("webconferencing.ok");',
    ]), encoding="utf-8")
    shown = [line.split(": ", 1)[1] for line in visible_literals(script, tmp_path)]
    assert shown == ['"Join"', '"Call"', '"More options"', '"Accept"', '"Call"', '"Call failed"', '"Connected"',
                     '"In the call"']


@pytest.mark.parametrize("english", all_bundles(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_french_text_has_the_placeholders_of_its_english_text(english):
    french = load_properties_file(english.with_name(english.name.replace("_en.", "_fr.")))
    placeholders = re.compile(r"\{(\w+)\}")
    assert {key: sorted(set(placeholders.findall(text)))
            for key, text in load_properties_file(english).items() if key in french} == {
        key: sorted(set(placeholders.findall(text))) for key, text in french.items()}


# An error's own message is English (the server's is for logs and API clients): shown to a person, it is the text of
# its code, `webConferencing.errorText(err)` (error-texts.js). These put the raw one in the page.
SHOWN = re.compile(r"""\.textContent\s*=|\bsetContent\(|\b(?:show(?:Info|Warn|Error|Confirm)|notice(?:Info|Warn|Error)|"""
                   r"""say\w*|hangup|end|setState)\(|\bmessage\(\s*["']""")
RAW_ERROR = re.compile(r"""\b(?:err|error|exc|reason|e)\.(?:message|statusText)\b(?!\s*\()|\butil\.errorText\(""")


def raw_errors_shown(script: Path, root: Path = ROOT) -> list[str]:
    """``file:line: statement`` for every statement that shows an error's raw message (outside log calls)."""
    return [f"{script.relative_to(root)}:{number}: {statement.strip()}"
            for number, statement in statements(script.read_text(encoding="utf-8"))
            if SHOWN.search(statement) and RAW_ERROR.search(statement) and not DEVELOPER.search(statement)]


@pytest.mark.parametrize("script", shipped_scripts(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_shipped_script_shows_an_error_by_its_translated_text_never_by_its_raw_message(script):
    assert raw_errors_shown(script) == []


def test_the_scan_finds_a_raw_error_message_put_in_the_page(tmp_path):
    script = tmp_path / "errors.js"
    script.write_text("\n".join([
        "error.textContent = err.message;",
        "say(message(\"webconferencing.callPage.failed\", [util.errorText(err)]), \"failed\");",
        "webConferencing.showError(title, e.message);",
        "error.textContent = webConferencing.errorText(err);",
        "log.error(\"Failed: \" + err.message, err);",
        "var text = err.message;",
    ]), encoding="utf-8")
    assert [line.split(": ", 1)[0] for line in raw_errors_shown(script, tmp_path)] == [
        "errors.js:1", "errors.js:2", "errors.js:3"]
