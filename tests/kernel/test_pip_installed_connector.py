"""A connector installed by a real ``pip install`` is loaded as the Java kernel loads a jar (issue 10, "Installed
packages as the classpath").

Java reference (kernel-configuration.md §5): every jar's ``conf/portal/configuration.xml`` is a top-level file of each
portal container, and ``classpath:``/``jar:`` imports name a resource of any jar on the classpath. Here the wheel is
built by hand (the stdlib's zipfile: no build backend needed) and installed by pip into a folder put on PYTHONPATH.
"""
from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import kernel_document

EXO_CONTAINER = Path(sys.executable).with_name("exo-container")
PACKAGE = "exo_pip_demo_connector"

FILES = {
    "__init__.py": "print('connector package imported')\n",
    "conf/portal/configuration.xml": kernel_document(
        "<component><key>demo-provider</key><type>exo_pip_demo_connector.Provider</type></component>\n"
        "<import>jar:/exo_pip_demo_connector/conf/more/configuration.xml</import>"),
    "conf/more/configuration.xml": kernel_document(
        "<component><key>demo-settings</key><type>exo_pip_demo_connector.Settings</type></component>"),
}


def build_wheel(folder: Path) -> Path:
    """A pure-Python wheel of the connector: its files, METADATA, WHEEL, the entry point and a RECORD with hashes."""
    info = f"{PACKAGE}-1.0.dist-info"
    contents = {**{f"{PACKAGE}/{path}": text for path, text in FILES.items()},
                f"{info}/METADATA": "Metadata-Version: 2.1\nName: exo-pip-demo-connector\nVersion: 1.0\n",
                f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
                f"{info}/entry_points.txt": f"[exo_container.packages]\npipdemo = {PACKAGE}\n"}

    def record(path: str, text: str) -> str:
        data = text.encode("utf-8")
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        return f"{path},sha256={digest},{len(data)}"

    wheel = folder / f"{PACKAGE}-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in contents.items():
            archive.writestr(path, text)
        archive.writestr(f"{info}/RECORD", "".join(record(p, t) + "\n" for p, t in contents.items()) + f"{info}/RECORD,,\n")
    return wheel


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("pip")
    target = folder / "site-packages"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "--quiet",
                           "--disable-pip-version-check", "--target", str(target), str(build_wheel(folder))],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return target


def exo_container(command: str, site: Path, root: Path) -> subprocess.CompletedProcess:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("EXO_")}, "PYTHONPATH": str(site)}
    return subprocess.run([str(EXO_CONTAINER), command, str(root), "--extensions", str(root.parent / "none")],
                          cwd=root.parent, env=env, capture_output=True, text=True, timeout=120)


def test_its_portal_configuration_and_what_it_imports_from_its_own_package_are_loaded(site, write_config):
    root = write_config("configuration.xml", "")

    done = exo_container("dump", site, root)

    assert done.returncode == 0, done.stderr
    assert "<key>demo-provider</key>" in done.stdout
    assert f"{site / PACKAGE / 'conf' / 'portal' / 'configuration.xml'}:3" in done.stdout
    assert "<key>demo-settings</key>" in done.stdout  # the jar: import resolved inside the installed package


def test_checking_it_does_not_import_the_package(site, write_config):
    done = exo_container("check", site, write_config("configuration.xml", ""))

    assert done.returncode == 0, done.stdout + done.stderr
    assert "connector package imported" not in done.stdout + done.stderr
