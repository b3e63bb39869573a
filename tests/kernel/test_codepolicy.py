"""``exo-container check``/``dump`` run no code a configuration names (issue 10, "An honest check and dump").

Java reference: the kernel has no inspection mode: JiBX loads every ``<object type>`` class and calls its no-arg
constructor while parsing (kernel-configuration.md §1, ``object``). ``check`` and ``dump`` deliberately depart from
that: a configuration file is data, so without ``--deep`` only classes *defined* in the kernel are built.
"""
from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest

from exo_container.cli import main
from exo_container.codepolicy import is_kernel_class

# a standard-library class reached through a kernel module's namespace: building it creates a folder
THROUGH_A_KERNEL_MODULE = """
<component><type>codepolicy.Store</type>
  <init-params><object-param><name>o</name>
    <object type="exo_container.jvm.tempfile.TemporaryDirectory"/>
  </object-param></init-params>
</component>
"""


@pytest.fixture
def no_temp_folder(tmp_path: Path, monkeypatch) -> None:
    """tempfile's folder is a plain file: whatever tries to create a temporary folder fails loudly."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(blocker))


@pytest.mark.parametrize("command", ["check", "dump"])
def test_a_class_reached_through_a_kernel_module_is_not_built(command, write_config, no_temp_folder):
    path = write_config("configuration.xml", THROUGH_A_KERNEL_MODULE)
    out = io.StringIO()

    code = main([command, str(path)], out=out)

    assert code == 0, out.getvalue()  # built, TemporaryDirectory() would fail and the file be dropped


@pytest.mark.parametrize("name", [
    "exo_container.jvm.tempfile.TemporaryDirectory",  # a module the kernel imported
    "exo_container.container.providers.Callable",     # a third-party class imported by the kernel
    "exo_container.cli.sys.modules",                  # not a class at all
    "exo_container.jvm",                              # a module
    "this",                                           # the Zen of Python, printed on import
])
def test_only_a_class_defined_in_the_kernel_counts_as_kernel_code(name):
    assert not is_kernel_class(name)


@pytest.mark.parametrize("name", [
    "exo_container.extensions.PortalContainerConfig",
    "org.exoplatform.container.definition.PortalContainerDefinitionChange$AddDependencies",  # by its Java name
])
def test_the_kernel_own_classes_still_load_without_deep(name):
    assert is_kernel_class(name)
