"""Info objects: what the service hands out about users, spaces, rooms and calls.

Each has ``to_json()`` giving the original add-on's camelCase wire form, so the REST and websocket layers share one
serialisation and a client written for the original reads ours.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from enum import StrEnum


class OwnerType(StrEnum):
    USER = "user"
    SPACE = "space"
    CHAT_ROOM = "chat_room"


class CallState(StrEnum):
    STARTED = "started"
    STOPPED = "stopped"
    PAUSED = "paused"


class ParticipantState(StrEnum):
    """A participant's state; ``None`` (null on the wire) means invited, ringing, not answered yet."""

    JOINED = "joined"
    LEAVED = "leaved"


class UserStatus(StrEnum):
    AVAILABLE = "available"
    AWAY = "away"
    DO_NOT_DISTURB = "donotdisturb"
    OFFLINE = "offline"


PEER_CALL_PREFIX = "p/"
GROUP_CALL_PREFIX = "g/"
# characters that stay safe inside a channel segment (/webconferencing/call/<call-id>) and a URL path
_SAFE_SEGMENT = r"[A-Za-z0-9_.@:~-]+"
CALL_ID_PATTERN = re.compile(rf"(?:{_SAFE_SEGMENT})(?:/{_SAFE_SEGMENT})*")


def peer_call_id(user_a: str, user_b: str) -> str:
    """The id of the 1:1 call between two users: ``p/<a>-<b>`` with the ids sorted, so both sides compute the same."""
    first, second = sorted((user_a, user_b))
    return f"{PEER_CALL_PREFIX}{first}-{second}"


def group_call_id(owner_id: str) -> str:
    """The id of the group call of a space or chat room: ``g/<owner id>``."""
    return f"{GROUP_CALL_PREFIX}{owner_id}"


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="milliseconds") if value else None


@dataclass(frozen=True)
class IMInfo:
    """An instant-messaging account of a user for one IM type (the type usually is a provider type)."""

    type: str
    id: str

    def to_json(self) -> dict:
        return {"type": self.type, "id": self.id}


@dataclass
class UserInfo:
    id: str
    first_name: str
    last_name: str
    avatar_link: str | None = None
    profile_link: str | None = None
    status: str = UserStatus.AVAILABLE
    ims: dict[str, list[IMInfo]] = field(default_factory=dict)
    is_admin: bool = False
    email: str | None = None
    #: the pages' language the user chose in their profile ("en", "fr"); None: the browser's (issue 11)
    language: str | None = None

    type = OwnerType.USER.value

    @property
    def title(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.id

    def get_im_account(self, im_type: str) -> IMInfo | None:
        accounts = self.ims.get(im_type)
        return accounts[0] if accounts else None

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "type": self.type,
            "title": self.title,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "avatarLink": self.avatar_link,
            "profileLink": self.profile_link,
            "status": self.status,
            "imAccounts": {t: [im.to_json() for im in ims] for t, ims in self.ims.items()},
        }


class GroupInfo:
    """What spaces and chat rooms have in common as call owners (the original's ``GroupInfo``): members, whose
    group call has the stable id ``g/<group id>``."""

    id: str
    members: dict[str, UserInfo]

    @property
    def call_id(self) -> str:
        return group_call_id(self.id)

    def is_member(self, user_id: str) -> bool:
        return user_id in self.members

    def members_json(self) -> dict:
        return {uid: u.to_json() for uid, u in self.members.items()}


@dataclass
class SpaceInfo(GroupInfo):
    """A space: its pretty name is its id. Members and managers are user infos keyed by user id."""

    pretty_name: str
    title: str
    members: dict[str, UserInfo] = field(default_factory=dict)
    managers: list[str] = field(default_factory=list)
    avatar_link: str | None = None
    profile_link: str | None = None

    type = OwnerType.SPACE.value

    @property
    def id(self) -> str:
        return self.pretty_name

    @property
    def group_id(self) -> str:
        return f"/spaces/{self.pretty_name}"

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "type": self.type,
            "title": self.title,
            "prettyName": self.pretty_name,
            "groupId": self.group_id,
            "callId": self.call_id,
            "avatarLink": self.avatar_link,
            "profileLink": self.profile_link,
            "members": self.members_json(),
            "managers": list(self.managers),
        }


@dataclass
class RoomInfo(GroupInfo):
    """A chat room: ``id`` like ``team-5f3a...``, ``name`` a no-space name, ``title`` for humans."""

    id: str
    name: str
    title: str
    members: dict[str, UserInfo] = field(default_factory=dict)
    avatar_link: str | None = None
    profile_link: str | None = None

    type = OwnerType.CHAT_ROOM.value

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "type": self.type,
            "name": self.name,
            "title": self.title,
            "callId": self.call_id,
            "avatarLink": self.avatar_link,
            "profileLink": self.profile_link,
            "members": self.members_json(),
        }


@dataclass(frozen=True)
class OwnerInfo:
    """The short form of a call owner (a user, space or room) carried inside a call."""

    id: str
    type: str
    title: str
    avatar_link: str | None = None
    profile_link: str | None = None

    @classmethod
    def of(cls, identity: UserInfo | SpaceInfo | RoomInfo) -> "OwnerInfo":
        return cls(identity.id, identity.type, identity.title, identity.avatar_link, identity.profile_link)

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "type": self.type,
            "title": self.title,
            "avatarLink": self.avatar_link,
            "profileLink": self.profile_link,
        }


@dataclass
class ParticipantInfo:
    """A user in a call with their state (``None`` = invited) and the client id (browser tab) that last joined."""

    user: UserInfo
    state: str | None = None
    client_id: str | None = None

    @property
    def id(self) -> str:
        return self.user.id

    @property
    def type(self) -> str:
        return self.user.type

    def to_json(self, viewer: str | None = None) -> dict:
        """``viewer``: the user the JSON is for. A client id is a tab's credential for its call membership, so only
        its own user sees it; everyone else gets null."""
        data = self.user.to_json()
        data["state"] = self.state
        data["clientId"] = self.client_id if viewer is None or viewer == self.id else None
        return data


@dataclass
class CallInfo:
    id: str
    provider_type: str
    owner: OwnerInfo
    title: str
    state: str
    participants: list[ParticipantInfo] = field(default_factory=list)
    created: dt.datetime | None = None
    last_date: dt.datetime | None = None

    @property
    def owner_type(self) -> str:
        return self.owner.type

    @property
    def is_group(self) -> bool:
        return self.owner.type != OwnerType.USER

    def get_participant(self, user_id: str) -> ParticipantInfo | None:
        for part in self.participants:
            if part.id == user_id:
                return part
        return None

    def participant_ids(self) -> list[str]:
        return [p.id for p in self.participants]

    def to_json(self, viewer: str | None = None) -> dict:
        """The wire form; for a ``viewer``, other participants' client ids are left out (see ParticipantInfo)."""
        return {
            "id": self.id,
            "title": self.title,
            "owner": self.owner.to_json(),
            "ownerType": self.owner.type,
            "ownerLink": self.owner.profile_link,
            "avatarLink": self.owner.avatar_link,
            "providerType": self.provider_type,
            "state": self.state,
            "created": _iso(self.created),
            "lastDate": _iso(self.last_date),
            "participants": [p.to_json(viewer) for p in self.participants],
        }


@dataclass
class ContextInfo:
    """What a page needs to initialise the client: who is calling from where, and which providers are on."""

    current_user: UserInfo
    space_id: str | None = None
    room_id: str | None = None
    room_title: str | None = None
    is_admin: bool = False
    providers: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "currentUserId": self.current_user.id,
            "currentUser": self.current_user.to_json(),
            "spaceId": self.space_id,
            "roomId": self.room_id,
            "roomTitle": self.room_title,
            "isAdmin": self.is_admin,
            "providersConfig": list(self.providers),
        }
