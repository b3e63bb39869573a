"""Invite links of group calls: who a call invites, who may join by its link, and the guests it admitted.

A call has one secret invitation id (made on first use, kept while the invites change, replaced when its link is
revoked), shared by its invite rows ``{identity, type}``: a user, a group (a space: its members), or ``*`` for
everyone who has the link. The link is ``/portal/call/<callId>?invite=<invitationId>``.

Why an invitation id of 128 random bits rather than the original's 12 letters: it is the only secret between a guest
and a call, so it must not be guessable. Why guests carry the invitation id that admitted them: revoking the link
(a new id) or no longer inviting everyone ends every such guest at once, without a list to keep in sync.

Who may: the call's parties (participants and members of its owning space or room) read and change its invites and
revoke its link; a guest never does. A signed-in user may join by the link when the id matches and the invites name
them, a group they belong to, or everyone. An external guest needs ``*`` and a connector that supports guests.

Every method runs inside the service's transaction (the service locks the call row first).
"""
from __future__ import annotations

import datetime as dt
import hmac
import secrets
from dataclasses import dataclass
from typing import Any

from .calls.guests import is_guest
from .errors import InvalidCallArgument
from .identity import IdentityDirectory
from .info import UserInfo
from .limits import MAX_ID_LENGTH, MAX_PARTICIPANTS, check_text
from .storage.invites import InviteDAO, StoredGuest, StoredInvite

EVERYONE = "*"
USER = "user"
GROUP = "group"
INVITE_TYPES = (USER, GROUP)
INVITATION_BYTES = 16
MAX_INVITATION_ID_LENGTH = 64
MAX_GUEST_NAME_LENGTH = 100
#: guests one call admits, at most: the link is public to whoever has it, and each guest is a row and a session
MAX_GUESTS_PER_CALL = 50
GUEST_TYPE = "guest"


@dataclass(frozen=True)
class GuestInfo:
    """The original's ``GuestInfo``: a participant with a display name and no portal account."""

    id: str
    call_id: str
    display_name: str

    def as_user(self) -> UserInfo:
        """How a guest shows among a call's participants (``type: "guest"``)."""
        return GuestUser(self.id, self.display_name, "")

    def to_json(self) -> dict:
        return {"id": self.id, "type": GUEST_TYPE, "title": self.display_name, "callId": self.call_id}


class GuestUser(UserInfo):
    """A participant's UserInfo for a guest: no avatar, no profile, no IM accounts; ``title`` is the display name."""

    type = GUEST_TYPE


@dataclass(frozen=True)
class Invitation:
    """What a call's parties see of its invites: the link's id, the identities invited, the guests in."""

    call_id: str
    invitation_id: str
    invites: tuple[StoredInvite, ...]
    guests: tuple[GuestInfo, ...]
    guests_supported: bool

    @property
    def link(self) -> str:
        return f"/portal/call/{self.call_id}?invite={self.invitation_id}"

    @property
    def everyone(self) -> bool:
        return any(i.identity == EVERYONE for i in self.invites)

    def to_json(self) -> dict:
        return {"callId": self.call_id, "invitationId": self.invitation_id, "link": self.link,
                "invites": [{"id": i.identity, "type": i.identity_type} for i in self.invites],
                "guests": [g.to_json() for g in self.guests], "guestsSupported": self.guests_supported}


def new_invitation_id() -> str:
    return secrets.token_urlsafe(INVITATION_BYTES)


def check_display_name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidCallArgument("Field 'displayName' is required: the name the others will see",
                                  field="displayName")
    return check_text(" ".join(value.split()), "displayName", MAX_GUEST_NAME_LENGTH)


def check_invitation_id(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise InvalidCallArgument("Field 'inviteId' is required", field="inviteId")
    return check_text(value, "inviteId", MAX_INVITATION_ID_LENGTH)


class CallInvites:
    def __init__(self, identities: IdentityDirectory):
        self.identities = identities
        self.dao = InviteDAO()

    # ---- invites ----

    def parse_invites(self, raw: Any) -> list[StoredInvite]:
        """``[{id, type}]``: users and spaces the directory knows, or ``*``; duplicates dropped, order kept."""
        if not isinstance(raw, list):
            raise InvalidCallArgument("Field 'invites' must be a list of {id, type} objects", field="invites")
        if len(raw) > MAX_PARTICIPANTS:
            raise InvalidCallArgument(f"Field 'invites' names more than {MAX_PARTICIPANTS} identities",
                                      field="invites")
        invites: dict[tuple[str, str], StoredInvite] = {}
        for item in raw:
            if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"].strip():
                raise InvalidCallArgument("Each invite is an object {id, type} with a non-empty id", field="invites")
            identity = check_text(item["id"].strip(), "invites", MAX_ID_LENGTH)
            kind = item.get("type", GROUP if identity == EVERYONE else USER)
            if kind not in INVITE_TYPES:
                raise InvalidCallArgument(f"Invite type must be one of {', '.join(INVITE_TYPES)}", field="invites")
            if identity == EVERYONE:
                kind = GROUP
            elif is_guest(identity):
                raise InvalidCallArgument("Guests are admitted by the link, not invited by id", field="invites")
            elif kind == USER and self.identities.get_user(identity) is None:
                raise InvalidCallArgument(f"Invited user '{identity}' not found", field="invites")
            elif kind == GROUP and self.identities.get_space(_space_name(identity)) is None:
                raise InvalidCallArgument(f"Invited group '{identity}' not found: name a space", field="invites")
            if kind == GROUP and identity != EVERYONE:
                identity = _space_name(identity)
            invites.setdefault((identity, kind), StoredInvite(identity, kind))
        return list(invites.values())

    def invitation_id(self, call_id: str, now: dt.datetime) -> str:
        """The call's invitation id, made on first use and kept."""
        current = self.dao.invitation_id(call_id)
        if current is None:
            current = new_invitation_id()
            self.dao.set_invitation_id(call_id, current, now)
        return current

    def renew_invitation_id(self, call_id: str, now: dt.datetime) -> str:
        fresh = new_invitation_id()
        self.dao.set_invitation_id(call_id, fresh, now)
        return fresh

    def matches(self, call_id: str, invite_id: str) -> bool:
        current = self.dao.invitation_id(call_id)
        return current is not None and hmac.compare_digest(current.encode(), invite_id.encode())

    def invites_everyone(self, call_id: str) -> bool:
        return any(i.identity == EVERYONE for i in self.dao.invites(call_id))

    def invites_user(self, call_id: str, user_id: str) -> bool:
        """``*``, the user named, or a space they are a member of."""
        for invite in self.dao.invites(call_id):
            if invite.identity == EVERYONE:
                return True
            if invite.identity_type == USER and invite.identity == user_id:
                return True
            if invite.identity_type == GROUP:
                space = self.identities.get_space(invite.identity)
                if space is not None and space.is_member(user_id):
                    return True
        return False

    # ---- guests ----

    def guest(self, guest_id: str) -> StoredGuest | None:
        return self.dao.guest(guest_id)

    def guest_admitted(self, guest: StoredGuest) -> bool:
        """Still let in: the link that admitted them is the call's, and it still invites everyone."""
        return self.matches(guest.call_id, guest.invitation_id) and self.invites_everyone(guest.call_id)

    def lapsed_guests(self, call_id: str) -> list[str]:
        """The call's guests whose admission no longer holds (link revoked, or ``*`` no longer invited)."""
        return [g.guest_id for g in self.dao.guests(call_id) if not self.guest_admitted(g)]

    def view(self, call_id: str, now: dt.datetime, guests_supported: bool) -> Invitation:
        return Invitation(call_id, self.invitation_id(call_id, now), tuple(self.dao.invites(call_id)),
                          tuple(GuestInfo(g.guest_id, g.call_id, g.display_name) for g in self.dao.guests(call_id)),
                          guests_supported)


def _space_name(identity: str) -> str:
    """A space by its pretty name or its group id (``/spaces/<name>``, as the original's identities are named)."""
    return identity[len("/spaces/"):] if identity.startswith("/spaces/") else identity
