"""Rows of the database identity directory: users, IM accounts, spaces, rooms, and the seed marker."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .models import (DirectorySeedRecord, IMAccountRecord, RoomMemberRecord, RoomRecord, SpaceMemberRecord,
                     SpaceRecord, UserRecord)


@dataclass
class UserRow:
    id: str
    first_name: str
    last_name: str
    email: str | None = None
    password_hash: str | None = None
    status: str = "available"
    is_admin: bool = False
    avatar_link: str | None = None
    profile_link: str | None = None
    ims: dict[str, str] = field(default_factory=dict)
    language: str | None = None


@dataclass
class SpaceRow:
    pretty_name: str
    title: str
    avatar_link: str | None = None
    members: list[str] = field(default_factory=list)
    managers: list[str] = field(default_factory=list)


@dataclass
class RoomRow:
    id: str
    name: str
    title: str
    members: list[str] = field(default_factory=list)


_USER_COLUMNS = (UserRecord.id, UserRecord.first_name, UserRecord.last_name, UserRecord.email,
                 UserRecord.password_hash, UserRecord.status, UserRecord.is_admin, UserRecord.avatar_link,
                 UserRecord.profile_link, UserRecord.language)


class IdentityDAO:
    # ---- users ----

    def get_users(self, user_ids: list[str] | None = None) -> list[UserRow]:
        query = UserRecord.select(*_USER_COLUMNS).order_by(UserRecord.id)
        if user_ids is not None:
            query = query.where(UserRecord.id.in_(user_ids))
        users = {row[0]: UserRow(*row[:-1], language=row[-1]) for row in query.tuples()}
        if users:
            ims = IMAccountRecord.select(IMAccountRecord.user, IMAccountRecord.im_type, IMAccountRecord.im_id)
            if user_ids is not None:
                ims = ims.where(IMAccountRecord.user.in_(list(users)))
            for user_id, im_type, im_id in ims.order_by(IMAccountRecord.im_type).tuples():
                users[user_id].ims[im_type] = im_id
        return list(users.values())

    def search_users(self, text: str, limit: int) -> list[str]:
        """Ids of users whose id or name contains ``text`` (case-insensitive)."""
        query = (UserRecord.select(UserRecord.id)
                 .where(UserRecord.id.contains(text) | UserRecord.first_name.contains(text)
                        | UserRecord.last_name.contains(text))
                 .order_by(UserRecord.id).limit(limit))
        return [uid for (uid,) in query.tuples()]

    def insert_user(self, user: UserRow) -> None:
        UserRecord.insert(id=user.id, first_name=user.first_name, last_name=user.last_name, email=user.email,
                          password_hash=user.password_hash, status=user.status, is_admin=user.is_admin,
                          avatar_link=user.avatar_link, profile_link=user.profile_link).execute()
        for im_type, im_id in user.ims.items():
            self.set_im_account(user.id, im_type, im_id)

    def shares_password_hash(self, user_id: str, password_hash: str) -> bool:
        """Whether another user has this very hash (same salt): directories seeded before each user got a salt."""
        return (UserRecord.select().where((UserRecord.password_hash == password_hash) & (UserRecord.id != user_id))
                .exists())

    def update_user(self, user_id: str, **fields) -> int:
        return UserRecord.update(**fields).where(UserRecord.id == user_id).execute()

    def set_im_account(self, user_id: str, im_type: str, im_id: str) -> None:
        (IMAccountRecord.insert(user=user_id, im_type=im_type, im_id=im_id)
         .on_conflict(conflict_target=[IMAccountRecord.user, IMAccountRecord.im_type],
                      preserve=[IMAccountRecord.im_id]).execute())

    def remove_im_account(self, user_id: str, im_type: str) -> int:
        return (IMAccountRecord.delete()
                .where((IMAccountRecord.user == user_id) & (IMAccountRecord.im_type == im_type)).execute())

    # ---- spaces ----

    def get_spaces(self, pretty_names: list[str] | None = None) -> list[SpaceRow]:
        query = SpaceRecord.select(SpaceRecord.pretty_name, SpaceRecord.title, SpaceRecord.avatar_link)
        if pretty_names is not None:
            query = query.where(SpaceRecord.pretty_name.in_(pretty_names))
        spaces = {row[0]: SpaceRow(*row) for row in query.order_by(SpaceRecord.pretty_name).tuples()}
        if spaces:
            members = (SpaceMemberRecord
                       .select(SpaceMemberRecord.space, SpaceMemberRecord.user_id, SpaceMemberRecord.is_manager)
                       .where(SpaceMemberRecord.space.in_(list(spaces)))
                       .order_by(SpaceMemberRecord.space, SpaceMemberRecord.user_id).tuples())
            for name, user_id, is_manager in members:
                spaces[name].members.append(user_id)
                if is_manager:
                    spaces[name].managers.append(user_id)
        return list(spaces.values())

    def insert_space(self, space: SpaceRow) -> None:
        SpaceRecord.insert(pretty_name=space.pretty_name, title=space.title, avatar_link=space.avatar_link).execute()
        members = list(dict.fromkeys([*space.members, *space.managers]))
        if members:
            SpaceMemberRecord.insert_many(
                [(space.pretty_name, uid, uid in space.managers) for uid in members],
                fields=[SpaceMemberRecord.space, SpaceMemberRecord.user_id, SpaceMemberRecord.is_manager]).execute()

    # ---- rooms ----

    def get_rooms(self, room_ids: list[str] | None = None) -> list[RoomRow]:
        query = RoomRecord.select(RoomRecord.id, RoomRecord.name, RoomRecord.title)
        if room_ids is not None:
            query = query.where(RoomRecord.id.in_(room_ids))
        rooms = {row[0]: RoomRow(*row) for row in query.order_by(RoomRecord.id).tuples()}
        if rooms:
            members = (RoomMemberRecord.select(RoomMemberRecord.room, RoomMemberRecord.user_id)
                       .where(RoomMemberRecord.room.in_(list(rooms)))
                       .order_by(RoomMemberRecord.room, RoomMemberRecord.user_id).tuples())
            for room_id, user_id in members:
                rooms[room_id].members.append(user_id)
        return list(rooms.values())

    def save_room(self, room: RoomRow) -> None:
        (RoomRecord.insert(id=room.id, name=room.name, title=room.title)
         .on_conflict(conflict_target=[RoomRecord.id], preserve=[RoomRecord.name, RoomRecord.title]).execute())
        RoomMemberRecord.delete().where(RoomMemberRecord.room == room.id).execute()
        if room.members:
            RoomMemberRecord.insert_many([(room.id, uid) for uid in dict.fromkeys(room.members)],
                                         fields=[RoomMemberRecord.room, RoomMemberRecord.user_id]).execute()

    # ---- seeding ----

    def is_seeded(self, source: str) -> bool:
        return DirectorySeedRecord.select().where(DirectorySeedRecord.source == source).exists()

    def any_seed(self) -> bool:
        return DirectorySeedRecord.select().exists()

    def mark_seeded(self, source: str, when: dt.datetime) -> None:
        DirectorySeedRecord.insert(source=source, seeded=when).execute()
