"""What extensions/README.md promises of admin-saved settings: at the next start they win over exo.properties, and the
server log says which ones did (names only: a setting may be a secret)."""
from __future__ import annotations

import logging

from webconferencing.service import WebConferencingService

from .conftest import extensions_with


def my_connector(container):
    return container.get_component_instance_of_type(WebConferencingService).get_provider("myconnector")


def test_a_setting_saved_by_an_admin_wins_over_exo_properties_at_the_next_start(tmp_path, boot_product):
    extensions = extensions_with(tmp_path, "myconnector")
    first = boot_product(extensions, **{"webconferencing.myconnector.clientId": "from-properties"})
    my_connector(first).update_configuration({"clientId": "saved-by-admin"})
    first.stop()
    restarted = boot_product(extensions, **{"webconferencing.myconnector.clientId": "from-properties"})
    assert my_connector(restarted).get_settings()["clientId"] == "saved-by-admin"


def test_the_server_logs_which_saved_settings_override_the_configuration_and_not_their_values(
        tmp_path, boot_product, caplog):
    extensions = extensions_with(tmp_path, "myconnector")
    first = boot_product(extensions)
    my_connector(first).update_configuration({"apiKey": "s3cret", "active": False})
    first.stop()
    caplog.set_level(logging.INFO, logger="webconferencing.service")
    boot_product(extensions)
    lines = [r.getMessage() for r in caplog.records if "override its configuration" in r.getMessage()]
    assert lines == ["Call provider myconnector: settings saved by an administrator override its configuration "
                     "(exo.properties, XML): active, apiKey"]
    assert "s3cret" not in caplog.text
