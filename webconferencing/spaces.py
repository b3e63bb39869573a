"""Per-space video-conference settings: may a space's members call, and which providers does the space offer.

The original's ``ActiveCallProvider {connectorId, name, url, integratedConnector}``: the installed connectors an
administrator switched on (``integratedConnector: true``, no URL) and the space's own **external meeting links**
(a permanent Zoom, Teams or Jitsi room: ``integratedConnector: false`` with an http(s) URL), shown on the space's call
button as "Join the <name> meeting".

Who may change them: the space's managers and portal administrators. The original let any member do it; a plain
member is refused here. Every change is told to the members' open pages on their user channels
(``{eventType: "space_settings", spaceId, videoConferenceEnabled, providers}``), so call buttons appear or vanish
without a reload.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Callable, Iterable
from urllib.parse import urlsplit

from .broker import Broker, user_channel
from .errors import AccessDenied, IdentityNotFound, InvalidCallArgument
from .identity import IdentityDirectory
from .info import SpaceInfo
from .limits import check_text
from .provider import CallProvider
from .storage import Database
from .storage.space_settings import SpaceSettingsDAO, StoredLink

log = logging.getLogger(__name__)

EVENT_SPACE_SETTINGS = "space_settings"
MAX_LINK_NAME_LENGTH = 100
MAX_URL_LENGTH = 2048
CONNECTOR_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
URL_SCHEMES = ("http", "https")


class VideoConferenceDisabled(AccessDenied):
    """A new call owned by a space whose managers switched video conferencing off (403, the message says why)."""


@dataclass(frozen=True)
class ActiveCallProvider:
    connector_id: str
    name: str
    url: str | None
    integrated_connector: bool

    def to_json(self) -> dict:
        return {"connectorId": self.connector_id, "name": self.name, "url": self.url,
                "integratedConnector": self.integrated_connector}


def check_meeting_url(value: object, field: str = "url") -> str:
    """An absolute http(s) URL with a host, on one line: anything else (``javascript:``, ``data:``, a relative path)
    would run script or lead nowhere when a member clicks it."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidCallArgument(f"Field '{field}' is required: an http(s) URL", field=field)
    url = check_text(value.strip(), field, MAX_URL_LENGTH)
    if any(ch.isspace() for ch in url):
        raise InvalidCallArgument(f"Field '{field}' must not contain spaces", field=field)
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise InvalidCallArgument(f"Field '{field}' is not a valid URL", field=field) from None
    if parts.scheme.lower() not in URL_SCHEMES:
        raise InvalidCallArgument(f"Field '{field}' must be an http or https URL", field=field)
    if not host:
        raise InvalidCallArgument(f"Field '{field}' must name a host", field=field)
    return url


class SpaceSettings:
    """The rules of per-space settings, on top of their storage. ``providers`` lists the installed providers
    (the service's registry), so a space's list shows what is switched on now."""

    def __init__(self, database: Database, identities: IdentityDirectory, broker: Broker,
                 providers: Callable[[], Iterable[CallProvider]]):
        self.database = database
        self.identities = identities
        self.broker = broker
        self.providers = providers
        self.dao = SpaceSettingsDAO()

    # ---- who may ----

    def _space(self, space_id: str) -> SpaceInfo:
        space = self.identities.get_space(space_id) if space_id else None
        if space is None:
            raise IdentityNotFound(f"space '{space_id}' not found")
        return space

    def _is_admin(self, user_id: str) -> bool:
        user = self.identities.get_user(user_id)
        return bool(user and user.is_admin)

    def readable_space(self, user_id: str, space_id: str) -> SpaceInfo:
        """Members and administrators read a space's settings."""
        space = self._space(space_id)
        if not space.is_member(user_id) and not self._is_admin(user_id):
            raise AccessDenied(f"user '{user_id}' is not a member of space '{space_id}'")
        return space

    def managed_space(self, user_id: str, space_id: str) -> SpaceInfo:
        """Only the space's managers and administrators change its settings."""
        space = self._space(space_id)
        if user_id not in space.managers and not self._is_admin(user_id):
            raise AccessDenied(f"user '{user_id}' is not a manager of space '{space_id}': only its managers and "
                               f"administrators change its video-conference settings")
        return space

    def can_manage(self, user_id: str, space_id: str) -> bool:
        try:
            self.managed_space(user_id, space_id)
        except (AccessDenied, IdentityNotFound):
            return False
        return True

    # ---- reading ----

    def is_enabled(self, space_id: str) -> bool:
        with self.database.read():
            return self.dao.is_enabled(space_id)

    def check_calls_allowed(self, owner_id: str) -> None:
        """Refuse a new call owned by a space whose video conferencing is off."""
        if not self.is_enabled(owner_id):
            raise VideoConferenceDisabled(f"video conferencing is switched off in space '{owner_id}': its managers "
                                          f"can switch it on again")

    def active_providers(self, space_id: str) -> list[ActiveCallProvider]:
        """The installed providers switched on, then the space's external links, in the order they were added."""
        installed = [ActiveCallProvider(p.get_type(), p.get_title(), None, True)
                     for p in self.providers() if p.is_active()]
        with self.database.read():
            links = self.dao.links(space_id)
        return installed + [ActiveCallProvider(link.connector_id, link.name, link.url, False) for link in links]

    # ---- changing ----

    def set_enabled(self, user_id: str, space_id: str, enabled: bool) -> bool:
        space = self.managed_space(user_id, space_id)
        with self.database.write():
            self.dao.set_enabled(space.id, enabled)
        log.info("Space %s: video conferencing %s by %s", space.id, "on" if enabled else "off", user_id)
        self._tell_members(space)
        return enabled

    def save_provider(self, user_id: str, space_id: str, data: object) -> ActiveCallProvider:
        """Add or change an external meeting link. Installed connectors are switched on and off by administrators
        for the whole portal, so a space cannot save one."""
        space = self.managed_space(user_id, space_id)
        link = self._parse_link(data)
        with self.database.write():
            self.dao.save_link(space.id, StoredLink(link.connector_id, link.name, link.url or ""))
        log.info("Space %s: external meeting link %s saved by %s", space.id, link.connector_id, user_id)
        self._tell_members(space)
        return link

    def remove_provider(self, user_id: str, space_id: str, connector_id: str) -> None:
        space = self.managed_space(user_id, space_id)
        with self.database.write():
            removed = self.dao.remove_link(space.id, connector_id)
        if not removed:
            raise IdentityNotFound(f"space '{space.id}' has no external meeting link '{connector_id}'")
        log.info("Space %s: external meeting link %s removed by %s", space.id, connector_id, user_id)
        self._tell_members(space)

    def _parse_link(self, data: object) -> ActiveCallProvider:
        if not isinstance(data, dict):
            raise InvalidCallArgument("The body must be a JSON object {connectorId, name, url, integratedConnector}")
        if data.get("integratedConnector") not in (False, None):
            raise InvalidCallArgument("Installed connectors are switched on and off by administrators; a space "
                                      "saves external meeting links (integratedConnector false, with a url)",
                                      field="integratedConnector")
        connector_id = data.get("connectorId")
        if not isinstance(connector_id, str) or not CONNECTOR_ID.fullmatch(connector_id):
            raise InvalidCallArgument("Field 'connectorId' must be 1 to 64 of a-z, 0-9, _ and -, starting with a "
                                      "letter or digit", field="connectorId")
        if connector_id in {p.get_type() for p in self.providers()}:
            raise InvalidCallArgument(f"Field 'connectorId': '{connector_id}' is an installed connector; choose "
                                      f"another id for an external link", field="connectorId")
        name = data.get("name")
        if not isinstance(name, str) or not name.strip():
            raise InvalidCallArgument("Field 'name' is required (shown as 'Join the <name> meeting')", field="name")
        name = check_text(name.strip(), "name", MAX_LINK_NAME_LENGTH)
        return ActiveCallProvider(connector_id, name, check_meeting_url(data.get("url")), False)

    def _tell_members(self, space: SpaceInfo) -> None:
        """After the commit: each member's open pages update their buttons and the settings panel."""
        event = {"eventType": EVENT_SPACE_SETTINGS, "spaceId": space.id,
                 "videoConferenceEnabled": self.is_enabled(space.id),
                 "providers": [p.to_json() for p in self.active_providers(space.id)]}
        for member_id in space.members:
            try:
                self.broker.publish(user_channel(member_id), event)
            except Exception:
                log.exception("Cannot tell %s about the settings of space %s", member_id, space.id)
