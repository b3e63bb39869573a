"""``exo-server --check`` with a connector written for the Java add-on dropped in unchanged (the original jitsi
connector's configuration, tests/kernel/fixtures/real-exo): the Java classes Python does not implement are reported
as unknown classes at their file:line, the file is dropped as the Java kernel drops it, and the check fails."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXO_SERVER = Path(sys.executable).with_name("exo-server")
JITSI = REPO / "tests" / "kernel" / "fixtures" / "real-exo" / "jitsi"


def test_a_java_connector_dropped_in_unchanged_is_reported_class_by_class(tmp_path):
    extension = tmp_path / "extensions" / "jitsi"
    shutil.copytree(JITSI, extension)
    (extension / "WEB-INF" / "conf" / "configuration.xml").write_text(
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<configuration '
        'xmlns="http://www.exoplatform.org/xml/ns/kernel_1_3.xsd"><import>war:/conf/jitsi/configuration.xml</import>'
        '</configuration>\n', encoding="latin-1")
    run_dir = tmp_path / "run"
    run_dir.mkdir()

    done = subprocess.run([str(EXO_SERVER), "--check", "--config", str(REPO / "configuration.xml"), "--extensions",
                           str(REPO / "extensions"), "--extensions", str(tmp_path / "extensions")],
                          cwd=run_dir, capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if not k.startswith("EXO_")})

    jitsi = extension / "WEB-INF" / "conf" / "jitsi" / "configuration.xml"
    assert done.returncode == 1
    assert f"error: {jitsi}:120: class 'org.exoplatform.web.filter.FilterDefinition' not found" in done.stderr
    assert f"error: {jitsi}: file dropped whole, as the kernel does" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr
    assert done.stdout.rstrip().endswith("NOT OK")
    assert list(run_dir.iterdir()) == []
