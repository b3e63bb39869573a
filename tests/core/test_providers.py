"""Call providers: registration from XML and in code, ids, configuration errors, admin settings."""
from __future__ import annotations

import pytest

from exo_container import ConfigurationError
from webconferencing.errors import InvalidCallArgument, ProviderConfigurationError, ProviderNotFound

from .providers import BadlyNamedProvider, MyCallProvider, OtherCallProvider


def test_providers_declared_as_plugins_are_registered(core):
    providers = core.service.get_providers()
    assert [type(p) for p in providers] == [MyCallProvider, OtherCallProvider]
    assert core.container.problems == []


def test_provider_is_found_by_any_of_its_supported_types(service):
    assert service.get_provider("mycall_audio") is service.get_provider("mycall")


def test_unknown_provider_type_is_not_found(service):
    with pytest.raises(ProviderNotFound):
        service.get_provider("skype")


def test_plugin_gets_its_name_description_and_configuration(service):
    provider = service.get_provider("mycall")
    assert provider.get_name() == "add.callprovider" and provider.get_description() == "My Call for tests"
    assert provider.api_key == "key-123" and provider.is_active() and provider.is_log_enabled()


def test_provider_registers_its_im_type_in_the_directory(core):
    assert core.identities.get_im_types()["mycall"] == "My Call"


def test_settings_for_the_browser(service):
    assert service.get_provider("mycall").get_settings() == {
        "type": "mycall", "supportedTypes": ["mycall", "mycall_audio"], "title": "My Call", "version": "1.0",
        "description": "My Call for tests", "active": True, "serverUrl": "https://mycall.example"}


def test_provider_configuration_mistakes_are_boot_problems_naming_the_key(boot_core):
    core = boot_core("bad-providers.xml")
    problems = [str(p) for p in core.container.problems]
    assert len(problems) == 3, problems
    missing, bad_active, bad_type = problems
    assert "'api-key' is required" in missing and "bad-providers.xml:" in missing
    assert "'active' must be true or false, not 'sometimes'" in bad_active
    assert "'My Call' must be one lowercase word" in bad_type
    # the good providers of the imported file are still there
    assert [p.get_type() for p in core.service.get_providers()] == ["mycall", "othercall"]


def test_provider_id_is_validated_when_added_in_code(service):
    with pytest.raises(ProviderConfigurationError) as error:
        service.add_provider(BadlyNamedProvider(None))
    assert isinstance(error.value, ConfigurationError) and error.value.key == "type"


def test_a_type_registered_twice_is_refused(service):
    with pytest.raises(ProviderConfigurationError, match="already registered"):
        service.add_provider(OtherCallProvider(None))


def test_a_plugin_that_is_no_provider_is_refused(service):
    from exo_container import ComponentPlugin
    with pytest.raises(ConfigurationError, match="not a CallProvider"):
        service.add_plugin(ComponentPlugin())


def test_provider_added_in_code_after_start_gets_its_saved_settings(service):
    class Third(OtherCallProvider):
        def get_type(self):
            return "third"

        def get_supported_types(self):
            return ["third"]

    service.save_provider_settings("third", {"active": "false"})
    provider = Third(None)
    service.add_provider(provider)
    assert service.get_provider("third") is provider and not provider.is_active()


def test_context_lists_only_active_providers(service):
    service.get_provider("othercall").set_active(False)
    context = service.get_context("mary", space_id="product_team")
    assert [p["type"] for p in context.providers] == ["mycall"]
    data = context.to_json()
    assert data["currentUserId"] == "mary" and data["spaceId"] == "product_team" and data["isAdmin"] is False


def test_admin_configuration_update_is_validated_and_applied(service):
    provider = service.get_provider("mycall")
    result = provider.update_configuration({"server-url": "https://other.example", "logEnabled": "false"})
    assert result["server-url"] == "https://other.example" and result["logEnabled"] is False
    assert provider.server_url == "https://other.example"


def test_an_invalid_admin_value_names_the_field_and_stores_nothing(service):
    provider = service.get_provider("mycall")
    with pytest.raises(InvalidCallArgument) as error:
        provider.update_configuration({"active": "false", "server-url": "ftp://nope"})
    assert error.value.field == "server-url"
    assert provider.is_active() and provider.server_url == "https://mycall.example"
    assert service.load_provider_settings("mycall") == {}


def test_unknown_admin_setting_is_refused(service):
    with pytest.raises(InvalidCallArgument) as error:
        service.get_provider("othercall").update_configuration({"color": "blue"})
    assert error.value.field == "color"


def test_active_must_be_a_boolean(service):
    with pytest.raises(InvalidCallArgument) as error:
        service.get_provider("othercall").update_configuration({"active": "maybe"})
    assert error.value.field == "active"
