"""The My Connector call provider: the server side of the template connector.

As the original ``MyConnectorProvider``: the XML ``provider-configuration`` gives the API key and the client id
(``my-apiKey`` / ``my-clientId``, from ``webconferencing.myconnector.*`` in exo.properties); a missing client id
is a configuration error, so a broken install is seen at boot rather than at the first call. The provider registers
its IM type so that user profiles get a "My Connector" account field, and only users with such an account get a
call button.
"""
from __future__ import annotations

from typing import Any

from exo_container import InitParams, java_name

from webconferencing.errors import InvalidCallArgument, ProviderConfigurationError
from webconferencing.identity import IdentityDirectory
from webconferencing.provider import CallProvider

TYPE = "myconnector"
TITLE = "My Connector"
VERSION = "1.0.0"
URL = "/myconnector"  # where .web mounts the call window and the settings form

CONFIG_API_KEY = "my-apiKey"
CONFIG_CLIENT_ID = "my-clientId"
PROPERTY_PREFIX = "webconferencing.myconnector."
# Admin-editable settings: name on the wire (settings form, REST) -> key in provider-configuration.
EDITABLE = {"apiKey": CONFIG_API_KEY, "clientId": CONFIG_CLIENT_ID}
SETTING_MAX_LENGTH = 200


@java_name("org.exoplatform.webconferencing.myconnector.MyConnectorProvider")
class MyConnectorProvider(CallProvider):
    """``identities`` is injected by the container (the original took ``UserProfileSettingsService``)."""

    def __init__(self, identities: IdentityDirectory, params: InitParams | None = None):
        super().__init__(params)
        self.url = URL
        self.api_client_id = self._required(self.config, CONFIG_CLIENT_ID)
        self.api_key = (self.config.get(CONFIG_API_KEY) or "").strip()
        identities.register_im_type(TYPE, TITLE)

    @classmethod
    def validate_configuration(cls, config: dict[str, str]) -> None:
        cls._required(config, CONFIG_CLIENT_ID)

    @classmethod
    def _required(cls, config: dict[str, str], key: str) -> str:
        value = (config.get(key) or "").strip()
        if not value:
            prop = PROPERTY_PREFIX + _property_suffix(key)
            raise ProviderConfigurationError(
                f"{cls.__name__}: provider-configuration property '{key}' is required and must not be empty "
                f"(set {prop} in exo.properties)", key=key)
        return value

    # ---- identity ----

    def get_type(self) -> str:
        return TYPE

    def get_supported_types(self) -> list[str]:
        return [TYPE]

    def get_title(self) -> str:
        return TITLE

    def get_version(self) -> str:
        return VERSION

    def get_description(self) -> str:
        return self.description or "Template connector: opens a call window, without media."

    # ---- what the browser gets ----

    def get_settings(self) -> dict:
        """The client id and the page URLs go to the browser module; the API key is a server secret and does not."""
        return {**super().get_settings(), "clientId": self.api_client_id, "url": self.url,
                "callUrl": f"{self.url}/call", "settingsUrl": f"{self.url}/settings"}

    # ---- admin settings (persisted by the core through POST provider/myconnector/configuration) ----

    def get_editable_settings(self) -> dict[str, Any]:
        return {"apiKey": self.api_key, "clientId": self.api_client_id}

    def validate_setting(self, name: str, value: Any) -> str:
        if name not in EDITABLE:
            return super().validate_setting(name, value)
        text = ("" if value is None else str(value)).strip()
        if not text:
            raise InvalidCallArgument(f"'{name}' must not be empty", field=name)
        if len(text) > SETTING_MAX_LENGTH or any(ch.isspace() for ch in text):
            raise InvalidCallArgument(f"'{name}' must be one word of at most {SETTING_MAX_LENGTH} characters",
                                      field=name)
        return text

    def apply_setting(self, name: str, value: str) -> None:
        key = EDITABLE.get(name, name)
        self.config[key] = value
        if key == CONFIG_CLIENT_ID:
            self.api_client_id = value
        elif key == CONFIG_API_KEY:
            self.api_key = value

    # ---- web ----

    def get_blueprint(self):
        """The call window and the settings form (imported here: the provider itself does not need Flask)."""
        from .web import create_blueprint

        return create_blueprint(self)


def _property_suffix(key: str) -> str:
    """``my-clientId`` -> ``clientId``: the exo.properties name the template's XML reads the key from."""
    return key[len("my-"):] if key.startswith("my-") else key
