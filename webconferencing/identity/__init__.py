"""The organization directory: users, spaces and chat rooms as the call rules see them.

:class:`IdentityDirectory` is the interface the service depends on (key ``webconferencing.identity.IdentityDirectory``
in configuration.xml); the default implementation is :class:`webconferencing.identity.database.DatabaseIdentityDirectory`.
Another directory (LDAP, a portal's social API) replaces it by configuration alone.
"""
from __future__ import annotations

import threading
from abc import ABC, abstractmethod

from ..info import RoomInfo, SpaceInfo, UserInfo, UserStatus

USER_STATUSES = tuple(s.value for s in UserStatus)


class IdentityDirectory(ABC):
    """Lookups return None for an unknown identity; the service turns that into IdentityNotFound.

    IM types are registered at runtime by providers (the eXo ``UserProfileSettingsService.addIMType`` idea) and are
    kept in memory: providers register them again at every boot.
    """

    def __init__(self) -> None:
        self._im_types: dict[str, str] = {}
        self._im_lock = threading.Lock()

    # ---- users ----

    @abstractmethod
    def get_user(self, user_id: str) -> UserInfo | None: ...

    @abstractmethod
    def find_users(self, text: str, limit: int = 20) -> list[UserInfo]: ...

    @abstractmethod
    def list_users(self) -> list[UserInfo]: ...

    @abstractmethod
    def authenticate(self, user_id: str, password: str) -> UserInfo | None:
        """The user when the password matches their stored hash, else None (also for unknown users)."""

    @abstractmethod
    def set_user_status(self, user_id: str, status: str) -> UserInfo: ...

    @abstractmethod
    def set_user_language(self, user_id: str, language: str | None) -> UserInfo:
        """Keep the language the user chose for their pages (None: their browser's); the web layer decides which
        languages it offers."""

    @abstractmethod
    def set_im_account(self, user_id: str, im_type: str, im_id: str) -> UserInfo: ...

    @abstractmethod
    def remove_im_account(self, user_id: str, im_type: str) -> UserInfo: ...

    # ---- spaces and rooms ----

    @abstractmethod
    def get_space(self, pretty_name: str) -> SpaceInfo | None: ...

    @abstractmethod
    def list_spaces(self) -> list[SpaceInfo]: ...

    @abstractmethod
    def get_room(self, room_id: str) -> RoomInfo | None: ...

    @abstractmethod
    def list_rooms(self) -> list[RoomInfo]: ...

    @abstractmethod
    def save_room(self, room_id: str, name: str, title: str, member_ids: list[str]) -> RoomInfo:
        """Create or replace a chat room (rooms come from the chat application, which tells us their members)."""

    # ---- IM types ----

    def register_im_type(self, im_type: str, title: str) -> None:
        with self._im_lock:
            self._im_types[im_type] = title

    def get_im_types(self) -> dict[str, str]:
        with self._im_lock:
            return dict(self._im_types)
