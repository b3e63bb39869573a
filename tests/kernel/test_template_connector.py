"""Acceptance: configuration in the shape of the original add-on's template connector loads (issue 2).

The three files under fixtures/template/extensions/myconnector are in the shape of the
template's; each file's header says how it differs from the add-on's (one is written for
this test). The root configuration.xml stands in for the product's. The kernel test never
imports webconferencing: template_components declares stand-ins under the Java names.
"""
from __future__ import annotations

from pathlib import Path

import pytest

import template_components as tc
from exo_container import ConfigurationWarning, ExoContainer, boot
from exo_container.aliases import aliases_declared

TEMPLATE = Path(__file__).parent / "fixtures" / "template"
PROVIDER_FILE = TEMPLATE / "extensions/myconnector/WEB-INF/conf/myconnector/configuration.xml"


@pytest.fixture(autouse=True)
def template_stand_ins():
    """The Java names of the template's XML resolve to the stand-ins only while a test of this module runs."""
    with aliases_declared(tc.ALIASES):
        yield


def boot_template(properties_file: Path | None = None) -> ExoContainer:
    return boot(TEMPLATE / "configuration.xml", properties_file=properties_file, environ={})


def provider_of(container: ExoContainer) -> tc.MyConnectorProvider:
    [provider] = container.get_component_instance_of_type(tc.WebConferencingService).providers
    return provider


def test_provider_plugin_receives_the_defaults_of_its_provider_configuration():
    provider = provider_of(boot_template())
    assert provider.config == {"my-apiKey": "myApiKey", "my-clientId": "myClientId", "active": "true"}


def test_provider_plugin_receives_values_overridden_in_exo_properties(tmp_path: Path):
    properties = tmp_path / "exo.properties"
    properties.write_text(
        "######### My Connector ###########\n"
        "webconferencing.myconnector.apiKey=secret-key\n"
        "webconferencing.myconnector.clientId=acme\n",
        encoding="utf-8",
    )
    provider = provider_of(boot_template(properties))
    assert provider.config == {"my-apiKey": "secret-key", "my-clientId": "acme", "active": "true"}


def test_provider_plugin_gets_its_name_and_description():
    provider = provider_of(boot_template())
    assert (provider.get_name(), provider.get_description()) == ("add.callprovider", "Call provider description here.")


def test_connector_orders_itself_after_webconferencing():
    container = boot_template()
    portal = container.get_component_instance("org.exoplatform.container.definition.PortalContainerConfig")
    assert portal.get_dependencies() == ["webconferencing", "myconnector"]
    assert [e.name for e in container.extensions] == ["myconnector"]


def test_the_war_import_loads_the_connector_file():
    assert str(PROVIDER_FILE) in boot_template().files


def declared_at(target: str) -> tuple[int, int]:
    """Lines of the fixture's ``external-component-plugins`` block for ``target`` and of its plugin."""
    lines = PROVIDER_FILE.read_text(encoding="iso-8859-1").splitlines()
    target_line = next(i for i, text in enumerate(lines, 1) if f"<target-component>{target}<" in text)
    block = max(i for i in range(1, target_line) if "<external-component-plugins>" in lines[i - 1])
    plugin = next(i for i in range(target_line, len(lines) + 1) if "<component-plugin>" in lines[i - 1])
    return block, plugin


OTHER_PRODUCTS = ["org.exoplatform.commons.addons.AddOnService", "org.exoplatform.services.resources.ResourceBundleService"]


@pytest.mark.parametrize("target", OTHER_PRODUCTS)
def test_targets_of_other_products_are_skipped_with_one_warning_each(target):
    problems = boot_template().problems
    [warning] = [p for p in problems if target in p.message]
    block, plugin = declared_at(target)
    assert isinstance(warning, ConfigurationWarning)
    assert (warning.file, warning.line) == (str(PROVIDER_FILE), block)
    assert warning.message == f"External plugins for unknown target {target} (1 plugin, declared at line {plugin}) skipped"


def test_the_template_loads_with_no_problem_but_the_unknown_targets():
    problems = boot_template().problems
    assert [p for p in problems if not any(target in p.message for target in OTHER_PRODUCTS)] == []
