"""Call providers used by the core tests, wired through external-component-plugins in the fixtures."""
from __future__ import annotations

from exo_container import InitParams

from webconferencing.errors import InvalidCallArgument
from webconferencing.identity import IdentityDirectory
from webconferencing.provider import CallProvider


class MyCallProvider(CallProvider):
    """Needs an api key (a missing one is a configuration error); its server URL is admin-editable."""

    TYPE = "mycall"

    def __init__(self, identities: IdentityDirectory, params: InitParams | None = None):
        super().__init__(params)
        self.api_key = self.require_config("api-key")
        self.server_url = self.config.get("server-url", "https://mycall.example")
        identities.register_im_type(self.TYPE, "My Call")

    def get_type(self) -> str:
        return self.TYPE

    def get_supported_types(self) -> list[str]:
        return [self.TYPE, "mycall_audio"]

    def get_title(self) -> str:
        return "My Call"

    def get_version(self) -> str:
        return "1.0"

    def get_settings(self) -> dict:
        return {**super().get_settings(), "serverUrl": self.server_url}

    def get_editable_settings(self) -> dict:
        return {"server-url": self.server_url}

    def validate_setting(self, name: str, value) -> str:
        if name != "server-url":
            return super().validate_setting(name, value)
        text = str(value).strip()
        if not text.startswith(("https://", "http://")):
            raise InvalidCallArgument(f"server-url must be an http(s) URL, not '{text}'", field=name)
        return text

    def apply_setting(self, name: str, value: str) -> None:
        super().apply_setting(name, value)
        if name == "server-url":
            self.server_url = value


class OtherCallProvider(CallProvider):
    """Allows two joined participants per call, as WebRTC's mesh allows a few."""

    def get_type(self) -> str:
        return "othercall"

    def get_max_participants(self) -> int | None:
        return 2

    def get_supported_types(self) -> list[str]:
        return ["othercall"]

    def get_title(self) -> str:
        return "Other Call"

    def get_version(self) -> str:
        return "2.0"


class BadlyNamedProvider(CallProvider):
    def get_type(self) -> str:
        return "My Call"

    def get_supported_types(self) -> list[str]:
        return ["My Call"]

    def get_title(self) -> str:
        return "Badly named"

    def get_version(self) -> str:
        return "0"
