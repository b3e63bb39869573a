"""Acceptance: configuration files in the shape of the original template connector's (fixtures/README.md says how
they differ from the upstream files), changed only in ``<type>``, are the myconnector extension, and they boot the
product with the provider registered."""
from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from exo_container import ConfigurationWarning
from webconferencing.identity import IdentityDirectory
from webconferencing.service import WebConferencingService

from .conftest import EXTENSIONS, extensions_with

ORIGINAL = Path(__file__).parent / "fixtures" / "original"
FILES = ["META-INF/exo-conf/configuration.xml", "WEB-INF/conf/configuration.xml",
         "WEB-INF/conf/myconnector/configuration.xml"]
PROVIDER_FILE = "WEB-INF/conf/myconnector/configuration.xml"


def changed_lines(name: str) -> list[str]:
    original = (ORIGINAL / name).read_text(encoding="utf-8").splitlines()
    ported = (EXTENSIONS / "myconnector" / name).read_text(encoding="utf-8").splitlines()
    return [line for line in difflib.unified_diff(original, ported, lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]


@pytest.mark.parametrize("name", FILES)
def test_the_extension_file_differs_from_the_original_only_in_type_lines(name):
    for line in changed_lines(name):
        assert line[1:].strip().startswith("<type>") and line[1:].strip().endswith("</type>"), line


def test_the_only_change_names_the_python_provider_instead_of_the_java_class():
    assert changed_lines(PROVIDER_FILE) == [
        "-      <type>org.exoplatform.webconferencing.myconnector.MyConnectorProvider</type>",
        "+      <type>myconnector.provider.MyConnectorProvider</type>",
    ]


def test_the_ported_files_boot_the_product_with_the_provider_and_its_defaults(boot_product, tmp_path):
    container = boot_product(extensions_with(tmp_path, "myconnector"))
    provider = container.get_component_instance_of_type(WebConferencingService).get_provider("myconnector")
    assert provider.config == {"my-apiKey": "myApiKey", "my-clientId": "myClientId", "active": "true"}
    assert (provider.is_active(), provider.get_title()) == (True, "My Connector")


def test_the_provider_reads_its_values_from_exo_properties(boot_product, tmp_path):
    container = boot_product(extensions_with(tmp_path, "myconnector"), **{
        "webconferencing.myconnector.clientId": "acme", "webconferencing.myconnector.apiKey": "k-1",
        "webconferencing.myconnector.active": "false"})
    provider = container.get_component_instance_of_type(WebConferencingService).get_provider("myconnector")
    assert (provider.api_client_id, provider.api_key, provider.is_active()) == ("acme", "k-1", False)


def test_only_the_original_portlet_plugin_is_skipped_the_resource_bundle_plugin_is_applied(boot_product, tmp_path):
    container = boot_product(extensions_with(tmp_path, "myconnector"))
    skipped = [(p.message.split(" (")[0], p.line) for p in container.problems
               if p.file and p.file.endswith("myconnector/" + PROVIDER_FILE)]
    assert skipped == [("External plugins for unknown target org.exoplatform.commons.addons.AddOnService", 26)]
    assert all(isinstance(p, ConfigurationWarning) for p in container.problems)


def test_the_provider_registers_its_im_type_for_user_profiles(boot_product, tmp_path):
    container = boot_product(extensions_with(tmp_path, "myconnector"))
    assert container.get_component_instance_of_type(IdentityDirectory).get_im_types() == {"myconnector": "My Connector"}


def test_the_connector_orders_itself_after_webconferencing(boot_product, tmp_path):
    container = boot_product(extensions_with(tmp_path, "myconnector", "webrtc"))
    portal = container.get_component_instance("org.exoplatform.container.definition.PortalContainerConfig")
    dependencies = portal.get_dependencies()
    assert dependencies.index("webconferencing") < dependencies.index("myconnector")
    assert dependencies.index("webconferencing") < dependencies.index("webrtc")
