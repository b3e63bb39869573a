"""The Connector SPI: a call provider is a component plugin of WebConferencingService.

A connector declares its providers in XML (``external-component-plugins`` on
``org.exoplatform.webconferencing.WebConferencingService``, ``set-method`` ``addPlugin``) with a ``properties-param``
named ``provider-configuration``; the kernel has already resolved ``${}`` in it. Settings an administrator changes
(``active``, ``log-enabled`` and provider-specific ones) are persisted through the service, so after a restart the
saved value wins over the XML default.
"""
from __future__ import annotations

import logging
import re
from abc import ABC, abstractmethod
from typing import Any, Protocol

from exo_container import ComponentPlugin, InitParams

from .errors import InvalidCallArgument, ProviderConfigurationError
from .info import IMInfo

log = logging.getLogger(__name__)

PROVIDER_TYPE_PATTERN = re.compile(r"[a-z0-9_]+")

CONFIG_PROVIDER_CONFIGURATION = "provider-configuration"
CONFIG_ACTIVE = "active"
CONFIG_LOG_ENABLED = "log-enabled"

_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def parse_flag(value: Any, name: str) -> bool | None:
    """A boolean from configuration text or a form value; None when it is not one."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    return None


def provider_configuration(params: InitParams | None) -> dict[str, str]:
    """The ``provider-configuration`` properties-param (empty when absent)."""
    props = params.get_properties_param(CONFIG_PROVIDER_CONFIGURATION) if params else None
    return props.get_properties() if props else {}


class ProviderSettingsStore(Protocol):
    """Where admin-edited provider settings live (the service, backed by the database)."""

    def load_provider_settings(self, provider_type: str) -> dict[str, str]: ...

    def save_provider_settings(self, provider_type: str, settings: dict[str, str]) -> None: ...


class CallProvider(ComponentPlugin, ABC):
    """Base of every call provider.

    Subclasses read their own keys from ``self.config`` in their constructor (use :meth:`require_config` so a
    missing key is reported by name) and implement the four abstract getters. To expose more admin-editable settings,
    override :meth:`get_editable_settings`, :meth:`validate_setting` and :meth:`apply_setting`.
    """

    def __init__(self, params: InitParams | None = None):
        self.config: dict[str, str] = provider_configuration(params)
        self._active = self._config_flag(self.config, CONFIG_ACTIVE, True)
        self._log_enabled = self._config_flag(self.config, CONFIG_LOG_ENABLED, False)
        self.validate_configuration(self.config)  # the boot refuses exactly what exo-server --check refuses
        self._store: ProviderSettingsStore | None = None

    # ---- identity of the provider (abstract) ----

    @abstractmethod
    def get_type(self) -> str:
        """The major call type, also the provider id: lowercase, one word (``[a-z0-9_]+``)."""

    @abstractmethod
    def get_supported_types(self) -> list[str]:
        """Every call type this provider handles, the major one included."""

    @abstractmethod
    def get_title(self) -> str: ...

    @abstractmethod
    def get_version(self) -> str: ...

    def get_description(self) -> str:
        return self.description or ""

    def is_supported_type(self, call_type: str) -> bool:
        return call_type in self.get_supported_types()

    def get_im_info(self, im_id: str) -> IMInfo | None:
        """An IM account of this provider's type; override to validate or enrich the id."""
        return IMInfo(self.get_type(), im_id)

    # ---- configuration ----

    @classmethod
    def validate_init_params(cls, params: InitParams | None) -> dict[str, str]:
        """The provider-configuration, if this provider accepts it: the kernel's check hook
        (:mod:`exo_container.validation`), which ``exo-server --check`` calls with no identity directory and no
        settings store. It checks the switches, then :meth:`validate_configuration`."""
        config = provider_configuration(params)
        cls._config_flag(config, CONFIG_ACTIVE, True)
        cls._config_flag(config, CONFIG_LOG_ENABLED, False)
        cls.validate_configuration(config)
        return config

    @classmethod
    def validate_configuration(cls, config: dict[str, str]) -> None:
        """Refuse, with no side effect, a ``config`` this provider cannot work with (a
        :class:`ProviderConfigurationError` naming the key). The base constructor calls it, and so does
        ``exo-server --check`` (with no instance, no identity directory, no store): override it rather than checking
        settings in the constructor, or the check says OK for a value that then fails the provider at boot."""

    def require_config(self, key: str) -> str:
        """A required, non-blank configuration value; otherwise a configuration error naming ``key``."""
        return self.required(self.config, key)

    @classmethod
    def required(cls, config: dict[str, str], key: str) -> str:
        """:meth:`require_config` for :meth:`validate_configuration`, where there is no instance yet."""
        value = (config.get(key) or "").strip()
        if not value:
            raise ProviderConfigurationError(
                f"{cls.__name__}: {CONFIG_PROVIDER_CONFIGURATION} property '{key}' is required and must not be "
                f"empty", key=key)
        return value

    @classmethod
    def _config_flag(cls, config: dict[str, str], key: str, default: bool) -> bool:
        raw = config.get(key)
        if raw is None or not raw.strip():
            return default
        flag = parse_flag(raw, key)
        if flag is None:
            raise ProviderConfigurationError(
                f"{cls.__name__}: {CONFIG_PROVIDER_CONFIGURATION} property '{key}' must be true or false, "
                f"not '{raw}'", key=key)
        return flag

    def is_active(self) -> bool:
        return self._active

    def set_active(self, active: bool) -> None:
        """The admin switch; persisted (when the provider is registered) so it survives a restart."""
        self.update_configuration({CONFIG_ACTIVE: bool(active)})

    def is_log_enabled(self) -> bool:
        """Whether client logs of this provider are spooled to the server log (CallLogService)."""
        return self._log_enabled

    def set_log_enabled(self, enabled: bool) -> None:
        self.update_configuration({CONFIG_LOG_ENABLED: bool(enabled)})

    def get_max_participants(self) -> int | None:
        """How many participants may be joined in one call at once (None: no limit). The server enforces it on
        join: a limit only the browser honoured was bypassed by anyone calling the API directly."""
        return None

    def supports_guests(self) -> bool:
        """Whether people without a portal account may join this provider's calls by an invite link (issue 12).
        False by default: a connector whose service needs an account for every party (My Connector's IM ids) declines;
        one that only needs a browser (WebRTC) says yes, and its call page then runs for guest sessions."""
        return False

    def get_settings(self) -> dict:
        """What the browser gets to configure the provider's client module."""
        return {
            "type": self.get_type(),
            "supportedTypes": list(self.get_supported_types()),
            "title": self.get_title(),
            "version": self.get_version(),
            "description": self.get_description(),
            "active": self.is_active(),
        }

    def get_editable_settings(self) -> dict[str, Any]:
        """Current values of provider-specific admin settings (none by default)."""
        return {}

    def validate_setting(self, name: str, value: Any) -> str:
        """The value to store for an admin setting, or InvalidCallArgument naming the field."""
        raise InvalidCallArgument(f"{self.get_type()} has no setting '{name}'", field=name)

    def apply_setting(self, name: str, value: str) -> None:
        """Use a validated (or restored) provider-specific setting."""
        self.config[name] = value

    def get_configuration(self) -> dict:
        """The admin view: identity, the switches and the provider-specific settings."""
        return {
            "type": self.get_type(),
            "title": self.get_title(),
            "description": self.get_description(),
            "active": self.is_active(),
            "logEnabled": self.is_log_enabled(),
            **self.get_editable_settings(),
        }

    def update_configuration(self, changes: dict[str, Any]) -> dict:
        """Validate every change first, then persist and apply them all; an invalid one stores nothing."""
        normalized: dict[str, str] = {}
        for name, value in changes.items():
            if name in (CONFIG_ACTIVE, CONFIG_LOG_ENABLED, "logEnabled"):
                flag = parse_flag(value, name)
                if flag is None:
                    raise InvalidCallArgument(f"'{name}' must be true or false, not '{value}'", field=name)
                normalized[CONFIG_LOG_ENABLED if name == "logEnabled" else name] = "true" if flag else "false"
            else:
                normalized[name] = self.validate_setting(name, value)
        if self._store is not None:
            self._store.save_provider_settings(self.get_type(), normalized)
        self._apply(normalized)
        return self.get_configuration()

    def _apply(self, settings: dict[str, str]) -> None:
        for name, value in settings.items():
            if name == CONFIG_ACTIVE:
                self._active = value == "true"
            elif name == CONFIG_LOG_ENABLED:
                self._log_enabled = value == "true"
            else:
                self.apply_setting(name, value)

    # ---- web ----

    def get_blueprint(self) -> Any:
        """A Flask blueprint with the provider's own pages or REST (a call window, a settings form), or None.

        The server registers it once at start, for every registered provider (an inactive one should answer 404
        itself, so that an admin can switch it on without a restart). Import Flask inside the override: the provider
        itself must stay usable without the web layer.
        """
        return None

    # ---- registration (called by the service) ----

    def attach(self, store: ProviderSettingsStore | None) -> None:
        self._store = store

    def restore_configuration(self, saved: dict[str, str]) -> None:
        """Apply settings saved by an admin over the XML defaults; a value the provider now rejects is skipped."""
        valid: dict[str, str] = {}
        for name, value in saved.items():
            try:
                if name in (CONFIG_ACTIVE, CONFIG_LOG_ENABLED):
                    valid[name] = value
                else:
                    valid[name] = self.validate_setting(name, value)
            except InvalidCallArgument as e:
                log.warning("Ignoring saved setting %s of provider %s: %s", name, self.get_type(), e.message)
        self._apply(valid)

    def validate_registration(self) -> None:
        """Provider ids must be lowercase single words; checked when the service registers the provider."""
        types = [self.get_type(), *self.get_supported_types()]
        for call_type in types:
            if not isinstance(call_type, str) or not PROVIDER_TYPE_PATTERN.fullmatch(call_type):
                raise ProviderConfigurationError(
                    f"{type(self).__name__}: provider type '{call_type}' must be one lowercase word of letters, digits "
                    f"or '_'", key="type")
        if self.get_type() not in self.get_supported_types():
            raise ProviderConfigurationError(
                f"{type(self).__name__}: supported types {self.get_supported_types()} must include the type "
                f"'{self.get_type()}'", key="type")

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.get_type()} active={self.is_active()}>"
