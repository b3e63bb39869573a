"""Installed packages as the classpath: a pip-installed package declaring an ``exo_container.packages`` entry
point contributes its conf/configuration.xml to the root files and its conf/portal/configuration.xml to the
portal container's files, as the Java kernel loads every jar's (§5 top-level files, §8)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from conftest import kernel_document
from exo_container import ExoContainer, InitParams, boot, java_name
from exo_container.packages import discover_installed_packages


@java_name("pkg.Holder")
class Holder:
    def __init__(self, params: InitParams | None):
        self.params = params

    def value(self, name: str) -> str:
        return self.params.get_value_param(name).value


def holder(key: str, **values: str) -> str:
    params = "".join(f"<value-param><name>{n}</name><value>{v}</value></value-param>" for n, v in values.items())
    return f"<component><key>{key}</key><type>pkg.Holder</type><init-params>{params}</init-params></component>"


@pytest.fixture
def site(tmp_path: Path, monkeypatch) -> Path:
    """A site-packages folder on sys.path, where install() puts a distribution as pip would."""
    folder = tmp_path / "site-packages"
    folder.mkdir()
    monkeypatch.syspath_prepend(str(folder))
    return folder


def install(site: Path, distribution: str, entry_points: dict[str, str], files: dict[str, str]) -> None:
    """A distribution's files plus its dist-info (METADATA, entry_points.txt), nothing else."""
    info = site / f"{distribution.replace('-', '_')}-1.0.dist-info"  # named as pip names it
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {distribution}\nVersion: 1.0\n", encoding="utf-8")
    lines = "".join(f"{name} = {value}\n" for name, value in entry_points.items())
    (info / "entry_points.txt").write_text(f"[exo_container.packages]\n{lines}", encoding="utf-8")
    for path, text in files.items():
        target = site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


TRIPWIRE = "import pathlib\npathlib.Path(__file__).with_name('imported').write_text('yes')\n"


@pytest.fixture
def connector(site: Path) -> Path:
    """An installed connector shipping both files; its package leaves a file behind if it is ever imported."""
    install(site, "exo-jitsi-connector", {"jitsi": "exo_jitsi_test"}, {
        "exo_jitsi_test/__init__.py": TRIPWIRE,
        "exo_jitsi_test/conf/configuration.xml": kernel_document(holder("root-level", v="root")),
        "exo_jitsi_test/conf/portal/configuration.xml": kernel_document(
            holder("portal-level", portal="${portal.container.name}")),
    })
    yield site / "exo_jitsi_test"
    sys.modules.pop("exo_jitsi_test", None)


def boot_root(write_config, body: str = "") -> ExoContainer:
    return boot(write_config("configuration.xml", body), environ={}, start=False)


def test_an_installed_package_is_found_by_its_entry_point_without_being_imported(connector: Path):
    packages, problems = discover_installed_packages()
    assert [(p.name, p.path) for p in packages if p.name == "jitsi"] == [("jitsi", connector)]
    assert problems == []
    assert not (connector / "imported").exists()


def test_its_portal_configuration_is_loaded_into_the_portal_container(write_config, connector: Path):
    container = boot_root(write_config)
    assert container.get_component_instance("portal-level").value("portal") == "portal"  # a portal-container file
    assert str(connector / "conf" / "portal" / "configuration.xml") in container.files


def test_its_root_configuration_is_loaded_before_the_root_file_which_overrides_it(write_config, connector: Path):
    container = boot_root(write_config, holder("root-level", v="product"))
    assert container.get_component_instance("root-level").value("v") == "product"
    files = container.files
    assert files.index(str(connector / "conf" / "configuration.xml")) < files.index(
        str(write_config("configuration.xml", holder("root-level", v="product"))))


def test_uninstalling_the_package_removes_its_components(write_config, connector: Path, site: Path):
    import shutil

    shutil.rmtree(site / "exo_jitsi_connector-1.0.dist-info")
    assert boot_root(write_config).get_component_instance("portal-level") is None


def test_package_portal_files_follow_the_dependency_order(write_config, site: Path):
    for name in ("alpha", "beta"):
        install(site, f"exo-{name}", {name: f"exo_{name}_test"}, {
            f"exo_{name}_test/__init__.py": "",
            f"exo_{name}_test/conf/portal/configuration.xml": kernel_document(holder("shared", by=name))})
    order = """
      <external-component-plugins>
        <target-component>org.exoplatform.container.definition.PortalContainerConfig</target-component>
        <component-plugin><name>order</name><set-method>registerChangePlugin</set-method>
          <type>org.exoplatform.container.definition.PortalContainerDefinitionChangePlugin</type>
          <init-params><object-param><name>change</name>
            <object type="org.exoplatform.container.definition.PortalContainerDefinitionChange$AddDependencies">
              <field name="dependencies"><collection type="java.util.ArrayList">
                <value><string>beta</string></value><value><string>alpha</string></value></collection></field>
            </object></object-param></init-params>
        </component-plugin>
      </external-component-plugins>"""
    container = boot_root(write_config, order)
    assert container.get_component_instance("shared").value("by") == "alpha"  # the later dependency wins


def test_an_entry_point_naming_no_installed_package_is_a_warning(write_config, site: Path):
    install(site, "exo-broken", {"broken": "no_such_package_here"}, {})
    container = boot_root(write_config)
    [warning] = [p for p in container.problems if "broken" in p.message]
    assert warning.message == ("entry point broken = no_such_package_here (exo_container.packages): "
                               "no installed package no_such_package_here; ignored")
