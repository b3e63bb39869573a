"""``exo-server`` and a broken extension: it refuses to start, naming file:line and ``--lenient``; with
``--lenient`` it starts without the broken file, as eXo skips it (issue 10)."""
from __future__ import annotations

import subprocess
from pathlib import Path

import requests

from .harness import REST, OpenApi, Server, User


def broken_extension(tmp_path: Path) -> tuple[Path, Path]:
    """An extensions folder holding one extension whose configuration is malformed XML."""
    folder = tmp_path / "more-extensions"
    conf = folder / "broken" / "WEB-INF" / "conf" / "configuration.xml"
    conf.parent.mkdir(parents=True)
    conf.write_text('<configuration xmlns="http://www.exoplatform.org/xml/ns/kernel_1_3.xsd">\n'
                    '  <component><type>x.Y</type>\n</configuration>\n', encoding="utf-8")
    return folder, conf


def test_a_broken_extension_stops_the_server_with_its_file_line_and_how_to_start_anyway(tmp_path):
    folder, conf = broken_extension(tmp_path)
    server = Server(tmp_path / "data", args=["--extensions", str(folder)])
    server.data_dir.mkdir(parents=True)

    done = subprocess.run(server.command(), cwd=server.data_dir, capture_output=True, text=True, timeout=60)

    assert done.returncode == 1
    assert f"{conf}:3:" in done.stderr
    assert "--lenient" in done.stderr
    assert "ready on" not in done.stdout


def test_lenient_starts_without_the_broken_file(tmp_path):
    folder, conf = broken_extension(tmp_path)
    server = Server(tmp_path / "data", args=["--extensions", str(folder), "--lenient"]).start()
    try:
        assert f"{conf}:3:" in server.log()  # still reported
    finally:
        assert server.stop() == 0


def test_after_a_lenient_start_the_admin_page_lists_what_was_skipped(tmp_path):
    folder, conf = broken_extension(tmp_path)
    server = Server(tmp_path / "data", args=["--extensions", str(folder), "--lenient"]).start()
    try:
        admin = User(server, OpenApi(requests.get(f"{server.base}{REST}/openapi.json", timeout=5).json()), "john")
        page = admin.http.get(f"{server.base}/portal/admin", timeout=5)
        plain = User(server, admin.openapi, "mary").http.get(f"{server.base}/portal/admin", timeout=5)
    finally:
        server.stop()
    assert page.status_code == 200
    assert "Configuration problems at start-up" in page.text and f"{conf}:3:" in page.text
    assert "--lenient" in page.text
    assert plain.status_code == 403  # problems name files and classes: administrators only


def test_strict_and_lenient_together_are_a_usage_error(tmp_path):
    server = Server(tmp_path, args=["--strict", "--lenient"])
    tmp_path.mkdir(exist_ok=True)
    done = subprocess.run(server.command(), cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "--strict and --lenient contradict each other" in done.stderr


def test_check_flags_a_misspelled_property_of_a_known_prefix(tmp_path):
    properties = tmp_path / "exo.properties"
    properties.write_text("webconferencing.db.busy.timeot=5000\n", encoding="utf-8")
    server = Server(tmp_path / "data", args=["--check"])
    server.data_dir.mkdir(parents=True)
    command = [part if part != str(server.data_dir / "exo.properties") else str(properties) for part in server.command()]

    done = subprocess.run(command, cwd=server.data_dir, capture_output=True, text=True, timeout=60)

    assert done.returncode == 0, done.stderr
    assert (f"warning: {properties}:1: property webconferencing.db.busy.timeot is set but no configuration "
            "asks for it: did you mean webconferencing.db.busy.timeout?") in done.stderr
