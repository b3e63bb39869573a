"""webconferencing.testing as an author meets it: registered with pytest by the install, and a test file that does
not say which connector to load fails saying what to define (before any server starts)."""
from __future__ import annotations

import importlib.metadata
import subprocess
import sys


def test_the_plugin_is_registered_with_pytest_by_the_install():
    plugins = {e.name: e.value for e in importlib.metadata.entry_points(group="pytest11")}
    assert plugins.get("webconferencing") == "webconferencing.testing"


def test_a_test_file_naming_no_connector_fails_saying_which_fixture_to_define(tmp_path):
    (tmp_path / "test_mine.py").write_text("def test_listed(exo_login):\n    exo_login('john')\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "pytest", "test_mine.py", "-q", "-p", "no:cacheprovider"],
                          cwd=tmp_path, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=120)
    assert done.returncode == 1, done.stdout
    assert "define the fixture exo_connectors (scope='module')" in done.stdout
    assert "exo-server ready" not in done.stdout
