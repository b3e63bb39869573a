"""The My Connector provider: its required client id, what the browser gets, admin settings that survive a restart."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from exo_container import ConfigurationError
from webconferencing.errors import InvalidCallArgument
from webconferencing.service import WebConferencingService

from .conftest import ROOT, extensions_with

CLIENT_ID = "webconferencing.myconnector.clientId"


def service_of(container) -> WebConferencingService:
    return container.get_component_instance_of_type(WebConferencingService)


def test_an_empty_client_id_fails_a_strict_boot_naming_the_property_and_the_key(boot_product, tmp_path):
    with pytest.raises(ConfigurationError) as failure:
        boot_product(extensions_with(tmp_path, "myconnector"), strict=True, **{CLIENT_ID: " "})
    message = str(failure.value)
    assert CLIENT_ID in message and "'my-clientId'" in message
    assert failure.value.file.endswith("WEB-INF/conf/myconnector/configuration.xml") and failure.value.line == 9


def test_an_empty_client_id_leaves_the_provider_out_with_an_error_in_a_tolerant_boot(boot_product, tmp_path):
    container = boot_product(extensions_with(tmp_path, "myconnector"), **{CLIENT_ID: ""})
    [error] = [p for p in container.problems if p.severity == "error"]
    assert CLIENT_ID in error.message and error.line == 9
    assert [p.get_type() for p in service_of(container).get_providers()] == []


@pytest.mark.parametrize("mode", [[], ["--strict"]], ids=["tolerant", "strict"])
def test_exo_server_refuses_to_start_without_a_client_id(tmp_path, mode):
    server = [str(Path(sys.executable).with_name("exo-server")), *mode, "--config", str(ROOT / "configuration.xml"),
              "--extensions", str(extensions_with(tmp_path, "myconnector")), "--port", "0",
              f"-Dwebconferencing.db.url=sqlite:///{tmp_path / 'wc.db'}", f"-D{CLIENT_ID}="]
    done = subprocess.run(server, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert f"(set {CLIENT_ID} in exo.properties)" in done.stdout + done.stderr
    assert "ready on" not in done.stdout


def test_the_browser_gets_the_client_id_and_page_urls_but_not_the_api_key(boot_product, tmp_path):
    container = boot_product(extensions_with(tmp_path, "myconnector"), **{
        CLIENT_ID: "acme", "webconferencing.myconnector.apiKey": "secret-key"})
    settings = service_of(container).get_provider("myconnector").get_settings()
    assert (settings["clientId"], settings["callUrl"], settings["settingsUrl"]) == (
        "acme", "/myconnector/call", "/myconnector/settings")
    assert "secret-key" not in repr(settings)


def test_admin_settings_are_validated_field_by_field(boot_product, tmp_path):
    provider = service_of(boot_product(extensions_with(tmp_path, "myconnector"))).get_provider("myconnector")
    with pytest.raises(InvalidCallArgument) as failure:
        provider.update_configuration({"apiKey": "new-key", "clientId": "two words"})
    assert failure.value.field == "clientId"
    assert provider.get_configuration()["apiKey"] == "myApiKey"  # nothing stored when one field is bad


def test_admin_settings_survive_a_restart_and_win_over_the_xml_defaults(boot_product, tmp_path):
    extensions = extensions_with(tmp_path, "myconnector")
    first = boot_product(extensions)
    service_of(first).get_provider("myconnector").update_configuration({"clientId": "acme-42", "active": False})
    first.stop()
    first.dispose()
    provider = service_of(boot_product(extensions)).get_provider("myconnector")
    assert (provider.api_client_id, provider.is_active()) == ("acme-42", False)
    assert provider.config["my-clientId"] == "acme-42"
