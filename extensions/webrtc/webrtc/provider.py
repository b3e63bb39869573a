"""The WebRTC call provider: STUN/TURN servers and the group size, from exo.properties to the browser.

``ice-servers`` (``webconferencing.webrtc.iceServers``) is either JSON -- a list of RTCIceServer objects
(``{"urls": ..., "username": ..., "credential": ...}``) or a single one -- or a comma separated list of
``stun:``/``turn:`` URLs. Empty is valid: on a LAN or on loopback, host candidates are enough. A bad value fails the
provider at boot with the property's name, so a typo is not discovered by users whose calls never connect.

With a TURN shared secret (``turn-secret``, ``webconferencing.webrtc.turn.secret``, coturn's ``static-auth-secret``)
and ``turn-urls``, browsers get expiring per-user TURN credentials (:mod:`.turn`) from ``GET`` :data:`ICE_SERVERS_PATH`
instead of static ones: the settings then carry ``iceServersUrl``, and static TURN entries are refused (their
password would be the same for everyone, forever).
"""
from __future__ import annotations

import json
from typing import Any

from exo_container import InitParams

from webconferencing.errors import InvalidCallArgument, ProviderConfigurationError
from webconferencing.identity import IdentityDirectory
from webconferencing.provider import CallProvider

from .turn import TurnConfigurationError, TurnCredentials, parse_ttl, parse_urls

TYPE = "webrtc"
TITLE = "WebRTC"
VERSION = "1.0.0"

CONFIG_ICE_SERVERS = "ice-servers"
CONFIG_MAX_PARTICIPANTS = "max-participants"
CONFIG_TURN_SECRET = "turn-secret"
CONFIG_TURN_URLS = "turn-urls"
CONFIG_TURN_TTL = "turn-ttl"
PROPERTIES = {CONFIG_ICE_SERVERS: "webconferencing.webrtc.iceServers",
              CONFIG_MAX_PARTICIPANTS: "webconferencing.webrtc.maxParticipants",
              CONFIG_TURN_SECRET: "webconferencing.webrtc.turn.secret",
              CONFIG_TURN_URLS: "webconferencing.webrtc.turn.urls",
              CONFIG_TURN_TTL: "webconferencing.webrtc.turn.ttl"}
ICE_SERVERS_PATH = "/portal/rest/webconferencing/webrtc/iceservers"
EDITABLE = {"iceServers": CONFIG_ICE_SERVERS, "maxParticipants": CONFIG_MAX_PARTICIPANTS}

ICE_SCHEMES = ("stun:", "stuns:", "turn:", "turns:")
MIN_PARTICIPANTS, MAX_PARTICIPANTS, DEFAULT_PARTICIPANTS = 2, 8, 4
ICE_SERVER_FIELDS = {"urls", "username", "credential"}


class IceServersError(ValueError):
    """The ICE servers text is not JSON RTCIceServers nor a list of stun:/turn: URLs; the message says why."""


def parse_ice_servers(text: str | list | dict | None) -> list[dict[str, Any]]:
    """RTCIceServer dicts from configuration text (JSON or comma list) or from already decoded JSON."""
    if text is None:
        return []
    if isinstance(text, str):
        text = text.strip()
        if not text:
            return []
        if text[0] in "[{":
            try:
                decoded: Any = json.loads(text)
            except json.JSONDecodeError as exc:
                raise IceServersError(f"invalid JSON at character {exc.pos}: {exc.msg}") from None
        else:
            decoded = [{"urls": url.strip()} for url in text.split(",") if url.strip()]
    else:
        decoded = text
    servers = decoded if isinstance(decoded, list) else [decoded]
    return [_ice_server(server, index) for index, server in enumerate(servers)]


def _ice_server(server: Any, index: int) -> dict[str, Any]:
    if not isinstance(server, dict):
        raise IceServersError(f"server {index + 1} must be an object with 'urls'")
    unknown = set(server) - ICE_SERVER_FIELDS
    if unknown:
        raise IceServersError(f"server {index + 1} has unknown field(s) {sorted(unknown)}")
    urls = server.get("urls")
    url_list = [urls] if isinstance(urls, str) else urls
    if not url_list or not isinstance(url_list, list) or not all(isinstance(u, str) for u in url_list):
        raise IceServersError(f"server {index + 1} needs 'urls': a URL or a list of URLs")
    for url in url_list:
        if not url.startswith(ICE_SCHEMES) or len(url) <= url.index(":") + 1 or any(c.isspace() for c in url):
            raise IceServersError(f"'{url}' is not a stun:, stuns:, turn: or turns: URL")
        if url.startswith(("turn:", "turns:")) and not (server.get("username") and server.get("credential")):
            raise IceServersError(f"TURN server '{url}' needs 'username' and 'credential' (use the JSON form)")
    result: dict[str, Any] = {"urls": urls}
    for name in ("username", "credential"):
        if name in server:
            if not isinstance(server[name], str):
                raise IceServersError(f"server {index + 1}: '{name}' must be a string")
            result[name] = server[name]
    return result


def parse_max_participants(text: Any) -> int:
    raw = str(text).strip() if text is not None else ""
    if not raw:
        return DEFAULT_PARTICIPANTS
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"'{raw}' is not a number") from None
    if not MIN_PARTICIPANTS <= value <= MAX_PARTICIPANTS:
        raise ValueError(f"{value} is not between {MIN_PARTICIPANTS} and {MAX_PARTICIPANTS}")
    return value


class WebRTCProvider(CallProvider):
    """Registers the ``webrtc`` IM type: only users with a WebRTC account get a video call button."""

    def __init__(self, identities: IdentityDirectory, params: InitParams | None = None):
        super().__init__(params)
        self.ice_servers, self.max_participants, self.turn = self.read_configuration(self.config)
        identities.register_im_type(TYPE, TITLE)

    @classmethod
    def validate_configuration(cls, config: dict[str, str]) -> None:
        cls.read_configuration(config)

    @classmethod
    def read_configuration(cls, config: dict[str, str]) -> tuple[list[dict[str, Any]], int, TurnCredentials | None]:
        """(ICE servers, largest group, TURN credentials or None) from the provider-configuration; a bad value is a
        ProviderConfigurationError naming the key and its property. Nothing is reached."""
        ice_servers = cls._parsed(config, CONFIG_ICE_SERVERS, parse_ice_servers)
        max_participants = cls._parsed(config, CONFIG_MAX_PARTICIPANTS, parse_max_participants)
        return ice_servers, max_participants, cls._turn(config, ice_servers)

    @classmethod
    def _turn(cls, config: dict[str, str], ice_servers: list[dict[str, Any]]) -> TurnCredentials | None:
        secret = str(config.get(CONFIG_TURN_SECRET) or "").strip()
        if not secret:
            return None
        urls = cls._parsed(config, CONFIG_TURN_URLS, parse_urls)
        ttl = cls._parsed(config, CONFIG_TURN_TTL, parse_ttl)
        try:
            turn = TurnCredentials(secret, tuple(urls), ttl)
            _no_static_turn(ice_servers)
        except TurnConfigurationError as exc:
            raise ProviderConfigurationError(
                f"{cls.__name__}: provider-configuration property '{CONFIG_TURN_SECRET}' "
                f"({PROPERTIES[CONFIG_TURN_SECRET]}): {exc}", key=CONFIG_TURN_SECRET) from None
        return turn

    def ice_servers_for(self, user_id: str) -> list[dict[str, Any]]:
        """The RTCIceServers for one user now: the configured ones, plus TURN with fresh credentials when a shared
        secret is set."""
        servers = list(self.ice_servers)
        if self.turn is not None:
            servers.append(self.turn.ice_server(user_id))
        return servers

    @classmethod
    def _parsed(cls, config: dict[str, str], key: str, parse):
        try:
            return parse(config.get(key))
        except ValueError as exc:
            raise ProviderConfigurationError(
                f"{cls.__name__}: provider-configuration property '{key}' ({PROPERTIES[key]}): {exc}",
                key=key) from None

    def get_type(self) -> str:
        return TYPE

    def get_supported_types(self) -> list[str]:
        return [TYPE]

    def get_title(self) -> str:
        return TITLE

    def get_version(self) -> str:
        return VERSION

    def get_max_participants(self) -> int | None:
        return self.max_participants

    def supports_guests(self) -> bool:
        """A browser is all a WebRTC party needs: guests with an invite link join without an account."""
        return True

    def get_settings(self) -> dict:
        settings = {**super().get_settings(), "iceServers": self.ice_servers, "maxParticipants": self.max_participants}
        if self.turn is not None:
            settings["iceServersUrl"] = ICE_SERVERS_PATH  # per-user TURN credentials: ask before each call
        return settings

    def get_blueprint(self):
        """``GET`` :data:`ICE_SERVERS_PATH` (imported here: the provider itself does not need Flask)."""
        from .web import create_blueprint

        return create_blueprint(self)

    def get_editable_settings(self) -> dict[str, Any]:
        return {"iceServers": self.ice_servers, "maxParticipants": self.max_participants}

    def validate_setting(self, name: str, value: Any) -> str:
        """Stored as text in the configuration's own syntax (canonical JSON for the servers)."""
        try:
            if name == "iceServers":
                servers = parse_ice_servers(value)
                if self.turn is not None:
                    _no_static_turn(servers)
                return json.dumps(servers, separators=(",", ":"))
            if name == "maxParticipants":
                return str(parse_max_participants(value))
        except ValueError as exc:
            raise InvalidCallArgument(f"'{name}': {exc}", field=name) from None
        return super().validate_setting(name, value)

    def apply_setting(self, name: str, value: str) -> None:
        self.config[EDITABLE.get(name, name)] = value
        if name == "iceServers":
            self.ice_servers = parse_ice_servers(value)
        elif name == "maxParticipants":
            self.max_participants = parse_max_participants(value)


def _no_static_turn(servers: list[dict[str, Any]]) -> None:
    """With a shared secret, TURN credentials are issued per user: a static TURN entry would bypass them."""
    for server in servers:
        urls = server["urls"] if isinstance(server["urls"], list) else [server["urls"]]
        static = [url for url in urls if url.startswith(("turn:", "turns:"))]
        if static:
            raise TurnConfigurationError(f"{static[0]} has a static password while TURN credentials are issued "
                                         f"from the shared secret: list it in turn-urls instead")
