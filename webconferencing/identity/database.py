"""The default directory: identities in the core's database, seeded once from a JSON data file.

Init-params (value-params): ``data-file`` (a path, or ``classpath:``/``jar:`` + a resource path inside the
installed packages such as ``classpath:webconferencing/data/demo-org.json``; empty: no seeding),
``cache-seconds`` (how long a looked-up identity is reused before being read again, default 5: other processes
may change statuses), ``password-hash-method`` (werkzeug method, default ``scrypt``).

Seeding happens at the first start on an empty directory only, so edits made later are never overwritten. Every
seeded password gets its own hash (its own random salt), even when users share a password: equal hashes would tell
whoever reads the table which accounts share a password, and let one cracked hash open them all. A directory
seeded by an older version (one hash for all the demo users) keeps working, and each of those users gets a hash of
their own at their next login.

Logging in costs one password-hash verification whether the user exists or not (an unknown name is checked against
a dummy hash of the same method): otherwise the answer time tells which user names exist.
"""
from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
from importlib import resources
from pathlib import Path
from typing import Any, Callable, TypeVar

from werkzeug.security import check_password_hash, generate_password_hash

from exo_container import ConfigurationError, InitParams, Startable
from exo_container.errors import InvalidParam

from ..errors import IdentityNotFound, InvalidCallArgument
from ..info import IMInfo, RoomInfo, SpaceInfo, UserInfo
from ..storage import Database, utcnow
from ..storage.identities import IdentityDAO, RoomRow, SpaceRow, UserRow
from . import USER_STATUSES, IdentityDirectory

log = logging.getLogger(__name__)

LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?")  # what the language column holds: "fr", "pt-BR"

T = TypeVar("T")


def _value(params: InitParams | None, name: str, default: str) -> str:
    param = params.get_value_param(name) if params else None
    return param.get_value().strip() if param and param.get_value().strip() else default


def _is_hash_method(method: str) -> bool:
    """werkzeug's method syntax: ``scrypt:n:r:p`` (numbers) or ``pbkdf2:hash:iterations`` (a hashlib name)."""
    import hashlib

    name, *args = method.split(":")
    if name == "scrypt":
        return len(args) <= 3 and all(a.isdigit() for a in args)
    if name == "pbkdf2":
        return (not args or args[0] in hashlib.algorithms_available) and len(args) <= 2 and \
            all(a.isdigit() for a in args[1:])
    return False


class _TTLCache:
    """A small time-bounded cache; writes through this directory invalidate their entries at once."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._entries: dict[Any, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, load: Callable[[], T]) -> T:
        now = time.monotonic()
        entry = self._entries.get(key)
        if entry is not None and entry[0] > now:
            return entry[1]
        value = load()
        if self.seconds > 0:
            with self._lock:
                self._entries[key] = (now + self.seconds, value)
        return value

    def invalidate(self, key: Any = None) -> None:
        with self._lock:
            if key is None:
                self._entries.clear()
            else:
                self._entries.pop(key, None)


class DatabaseIdentityDirectory(IdentityDirectory, Startable):
    def __init__(self, database: Database, params: InitParams | None = None):
        super().__init__()
        self.database = database
        self.data_file = _value(params, "data-file", "")
        self.password_hash_method, cache_seconds = self.validate_init_params(params)
        self._cache = _TTLCache(cache_seconds)
        self.dao = IdentityDAO()
        self._dummy_hash: str | None = None
        self._dummy_lock = threading.Lock()

    @classmethod
    def validate_init_params(cls, params: InitParams | None) -> tuple[str, float]:
        """(password hash method, cache seconds); the kernel's check hook too (exo_container.validation). The data
        file is not read: only the first start on an empty directory reads it."""
        method = _value(params, "password-hash-method", "scrypt")
        if not _is_hash_method(method):
            raise InvalidParam(f"DatabaseIdentityDirectory: password-hash-method (webconferencing.identity.password.hash)"
                               f" must be scrypt[:n:r:p] or pbkdf2[:hash[:iterations]], not '{method}'",
                               "password-hash-method")
        raw = _value(params, "cache-seconds", "5")
        try:
            cache_seconds = float(raw)
        except ValueError:
            raise InvalidParam(f"DatabaseIdentityDirectory: cache-seconds (webconferencing.identity.cache.seconds) "
                               f"must be a number, not '{raw}'", "cache-seconds") from None
        return method, cache_seconds

    # ---- lifecycle and seeding ----

    def start(self) -> None:
        if self.data_file:
            self.seed(self.data_file)
        self.dummy_hash()  # made now, so that the first unknown name is not slower (or faster) than a known one

    def stop(self) -> None:
        self._cache.invalidate()

    def seed(self, source: str) -> bool:
        """Load a data file into an empty directory; returns whether it did (never when anything was seeded)."""
        with self.database.write():
            self.database.lock("directory-seed")  # processes starting at once on an empty database seed it once
            if self.dao.any_seed():
                return False
            data = self._read_data_file(source)
            users, spaces, rooms = self._parse_org(data, source)
            for user in users:
                self.dao.insert_user(user)
            for space in spaces:
                self.dao.insert_space(space)
            for room in rooms:
                self.dao.save_room(room)
            self.dao.mark_seeded(source, utcnow())
        self._cache.invalidate()
        log.info("Identity directory seeded from %s: %d users, %d spaces, %d rooms", source, len(users),
                 len(spaces), len(rooms))
        return True

    @staticmethod
    def _read_data_file(source: str) -> Any:
        try:
            if source.startswith(("classpath:", "jar:")):
                resource = source.split(":", 1)[1].lstrip("/")
                package, _, name = resource.rpartition("/")
                text = resources.files(package.replace("/", ".")).joinpath(name).read_text(encoding="utf-8")
            else:
                text = Path(source.removeprefix("file:")).read_text(encoding="utf-8")
        except (OSError, ModuleNotFoundError, ValueError) as e:
            raise ConfigurationError(f"identity data file cannot be read: {e}", file=source) from e
        try:
            return json.loads(text)
        except json.JSONDecodeError as e:
            raise ConfigurationError(f"identity data file is not valid JSON: {e.msg}", file=source,
                                     line=e.lineno) from e

    def _parse_org(self, data: Any, source: str) -> tuple[list[UserRow], list[SpaceRow], list[RoomRow]]:
        def fail(where: str, message: str) -> ConfigurationError:
            return ConfigurationError(f"{where}: {message}", file=source)

        if not isinstance(data, dict):
            raise fail("top level", "expected an object with users, spaces and rooms")
        def password_hash(entry: dict) -> str | None:
            if entry.get("passwordHash"):
                return entry["passwordHash"]
            password = entry.get("password")
            if not password:
                return None
            return generate_password_hash(password, method=self.password_hash_method)  # a new salt per user

        users: list[UserRow] = []
        for i, entry in enumerate(data.get("users", [])):
            where = f"users[{i}]"
            if not isinstance(entry, dict) or not entry.get("id"):
                raise fail(where, "a user needs an 'id'")
            status = entry.get("status", "available")
            if status not in USER_STATUSES:
                raise fail(where, f"status '{status}' is not one of {', '.join(USER_STATUSES)}")
            ims = entry.get("ims", {})
            if not isinstance(ims, dict):
                raise fail(where, "'ims' must map an IM type to an account id")
            users.append(UserRow(
                id=entry["id"], first_name=entry.get("firstName", ""), last_name=entry.get("lastName", ""),
                email=entry.get("email"), password_hash=password_hash(entry), status=status,
                is_admin=bool(entry.get("admin", False)), avatar_link=entry.get("avatarLink"),
                profile_link=entry.get("profileLink"), ims={str(k): str(v) for k, v in ims.items()}))
        known = {u.id for u in users}

        def members(where: str, entry: dict, key: str) -> list[str]:
            ids = entry.get(key, [])
            unknown = [uid for uid in ids if uid not in known]
            if unknown:
                raise fail(where, f"{key} {unknown} are not users of this file")
            return list(ids)

        spaces = []
        for i, entry in enumerate(data.get("spaces", [])):
            where = f"spaces[{i}]"
            if not isinstance(entry, dict) or not entry.get("prettyName"):
                raise fail(where, "a space needs a 'prettyName'")
            spaces.append(SpaceRow(entry["prettyName"], entry.get("title", entry["prettyName"]),
                                   entry.get("avatarLink"), members(where, entry, "members"),
                                   members(where, entry, "managers")))
        rooms = []
        for i, entry in enumerate(data.get("rooms", [])):
            where = f"rooms[{i}]"
            if not isinstance(entry, dict) or not entry.get("id"):
                raise fail(where, "a room needs an 'id'")
            rooms.append(RoomRow(entry["id"], entry.get("name", entry["id"]), entry.get("title", entry["id"]),
                                 members(where, entry, "members")))
        return users, spaces, rooms

    # ---- users ----

    @staticmethod
    def _user_info(row: UserRow) -> UserInfo:
        return UserInfo(id=row.id, first_name=row.first_name, last_name=row.last_name,
                        avatar_link=row.avatar_link, profile_link=row.profile_link, status=row.status,
                        ims={t: [IMInfo(t, im_id)] for t, im_id in row.ims.items()}, is_admin=row.is_admin,
                        email=row.email, language=row.language)

    def get_user(self, user_id: str) -> UserInfo | None:
        return self._cache.get(("user", user_id), lambda: self._load_user(user_id))

    def _load_user(self, user_id: str) -> UserInfo | None:
        rows = self.dao.get_users([user_id])
        return self._user_info(rows[0]) if rows else None

    def find_users(self, text: str, limit: int = 20) -> list[UserInfo]:
        ids = self.dao.search_users(text, limit)
        return [self._user_info(row) for row in self.dao.get_users(ids)]

    def list_users(self) -> list[UserInfo]:
        return [self._user_info(row) for row in self.dao.get_users()]

    def dummy_hash(self) -> str:
        """A hash of a random password, by the configured method: what an unknown user's password is checked
        against, so that the check costs the same as for a real user."""
        with self._dummy_lock:
            if self._dummy_hash is None:
                self._dummy_hash = generate_password_hash(secrets.token_urlsafe(16),
                                                          method=self.password_hash_method)
            return self._dummy_hash

    def authenticate(self, user_id: str, password: str) -> UserInfo | None:
        rows = self.dao.get_users([user_id])
        row = rows[0] if rows else None
        stored = row.password_hash if row is not None and row.password_hash else None
        matches = check_password_hash(stored or self.dummy_hash(), password)
        if stored is None or not matches:
            return None
        if self.dao.shares_password_hash(row.id, stored):  # seeded before salts were per user: give it its own
            with self.database.write():
                self.dao.update_user(row.id, password_hash=generate_password_hash(
                    password, method=self.password_hash_method))
        return self._user_info(row)

    def _changed_user(self, user_id: str, updated: int) -> UserInfo:
        self._cache.invalidate()  # spaces and rooms embed their members' infos
        user = self.get_user(user_id) if updated else None
        if user is None:
            raise IdentityNotFound(f"user '{user_id}' not found")
        return user

    def set_user_status(self, user_id: str, status: str) -> UserInfo:
        if status not in USER_STATUSES:
            raise InvalidCallArgument(f"status '{status}' is not one of {', '.join(USER_STATUSES)}", field="status")
        with self.database.write():
            updated = self.dao.update_user(user_id, status=status)
        return self._changed_user(user_id, updated)

    def set_user_language(self, user_id: str, language: str | None) -> UserInfo:
        if language is not None and not LANGUAGE_TAG.fullmatch(language):
            raise InvalidCallArgument(f"language '{language[:40]}' is not a language tag", field="language")
        with self.database.write():
            updated = self.dao.update_user(user_id, language=language)
        return self._changed_user(user_id, updated)

    def set_im_account(self, user_id: str, im_type: str, im_id: str) -> UserInfo:
        if not im_type or not im_id:
            raise InvalidCallArgument("an IM account needs a type and an id", field="imId" if im_type else "imType")
        with self.database.write():
            exists = bool(self.dao.get_users([user_id]))
            if exists:
                self.dao.set_im_account(user_id, im_type, im_id)
        return self._changed_user(user_id, exists)

    def remove_im_account(self, user_id: str, im_type: str) -> UserInfo:
        with self.database.write():
            exists = bool(self.dao.get_users([user_id]))
            if exists:
                self.dao.remove_im_account(user_id, im_type)
        return self._changed_user(user_id, exists)

    def _members(self, ids: list[str]) -> dict[str, UserInfo]:
        members = {}
        for uid in ids:
            user = self.get_user(uid)
            if user is not None:
                members[uid] = user
        return members

    # ---- spaces ----

    def _space_info(self, row: SpaceRow) -> SpaceInfo:
        return SpaceInfo(row.pretty_name, row.title, self._members(row.members), list(row.managers),
                         avatar_link=row.avatar_link)

    def get_space(self, pretty_name: str) -> SpaceInfo | None:
        def load() -> SpaceInfo | None:
            rows = self.dao.get_spaces([pretty_name])
            return self._space_info(rows[0]) if rows else None
        return self._cache.get(("space", pretty_name), load)

    def list_spaces(self) -> list[SpaceInfo]:
        return [self._space_info(row) for row in self.dao.get_spaces()]

    # ---- rooms ----

    def _room_info(self, row: RoomRow) -> RoomInfo:
        return RoomInfo(row.id, row.name, row.title, self._members(row.members))

    def get_room(self, room_id: str) -> RoomInfo | None:
        def load() -> RoomInfo | None:
            rows = self.dao.get_rooms([room_id])
            return self._room_info(rows[0]) if rows else None
        return self._cache.get(("room", room_id), load)

    def list_rooms(self) -> list[RoomInfo]:
        return [self._room_info(row) for row in self.dao.get_rooms()]

    def save_room(self, room_id: str, name: str, title: str, member_ids: list[str]) -> RoomInfo:
        unknown = [uid for uid in member_ids if self.get_user(uid) is None]
        if unknown:
            raise IdentityNotFound(f"room members {unknown} are not known users")
        with self.database.write():
            self.dao.save_room(RoomRow(room_id, name, title, list(member_ids)))
        self._cache.invalidate(("room", room_id))
        room = self.get_room(room_id)
        assert room is not None
        return room
