"""No code path turns a string into markup: the browser code shipped with the product (the core module, the portal
pages' scripts, the connectors, the test connector) uses none of the DOM's HTML sinks nor eval, and no template marks
text safe. The browser tests show that the payloads we thought of do not run; this keeps the next field from being
written with ``innerHTML`` in the first place.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BROWSER_CODE = [ROOT / "webconferencing" / "web" / "static", ROOT / "extensions",
                ROOT / "tests" / "e2e" / "fixtures" / "extensions"]
TEMPLATES = [ROOT / "webconferencing" / "web" / "templates", ROOT / "extensions"]

HTML_SINKS = re.compile(r"\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write(ln)?\s*\(|\beval\s*\("
                        r"|\bnew\s+Function\s*\(|\.html\s*\(|\bsetTimeout\s*\(\s*[\"']|createContextualFragment")
UNSAFE_TEMPLATE = re.compile(r"\|\s*safe\b|Markup\s*\(|autoescape\s+false")


def files(roots: list[Path], suffix: str) -> list[Path]:
    return sorted(path for root in roots for path in root.rglob(f"*{suffix}") if path.is_file())


def test_the_checks_see_the_shipped_browser_code():
    scripts = {path.relative_to(ROOT).as_posix() for path in files(BROWSER_CODE, ".js")}
    assert "webconferencing/web/static/js/webconferencing/dialogs.js" in scripts
    assert "extensions/myconnector/static/js/webconferencing-myconnector.js" in scripts
    assert any(name.startswith("extensions/webrtc/static/js/") for name in scripts)


@pytest.mark.parametrize("script", files(BROWSER_CODE, ".js"), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_browser_code_uses_no_html_sink_nor_eval(script: Path):
    found = [f"{script.relative_to(ROOT)}:{number}: {line.strip()}"
             for number, line in enumerate(script.read_text(encoding="utf-8").splitlines(), 1)
             if HTML_SINKS.search(line)]
    assert found == []


@pytest.mark.parametrize("template", files(TEMPLATES, ".html"), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_templates_never_mark_text_safe_nor_run_inline_script(template: Path):
    text = template.read_text(encoding="utf-8")
    assert not UNSAFE_TEMPLATE.search(text)
    for attributes in re.findall(r"<script([^>]*)>", text):
        assert "src=" in attributes or 'type="application/json"' in attributes, f"{template}: inline <script>"
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", text), f"{template}: inline event handler"
