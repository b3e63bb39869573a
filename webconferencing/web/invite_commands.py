"""Invite and guest operations (issue 12) offered to clients, shared by the REST resources (:mod:`.invite_rest`) and
the websocket remote commands (``update_invites``, ``check_invite``, ``get_org_identities`` and ours:
``get_invites``, ``revoke_invite``, ``accept_invite``), as :mod:`.commands` does for calls: parse the arguments,
call the service (which checks who may), shape the answer.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

from webconferencing.errors import InvalidCallArgument
from webconferencing.invites import check_display_name, check_invitation_id
from webconferencing.limits import MAX_TITLE_LENGTH, check_text

from .commands import parse_call_id

MAX_ORG_IDENTITIES = 20


class InviteCommands:
    def __init__(self, service) -> None:
        self.service = service

    def get_invites(self, user_id: str, call_id: Any) -> dict:
        return self.service.get_invitation(parse_call_id(call_id), user_id).to_json()

    def update_invites(self, user_id: str, call_id: Any, args: Mapping[str, Any]) -> dict:
        """The original's ``update_invites``: the call, with its invitation (ours) beside it."""
        call, invitation = self.service.update_invites(parse_call_id(call_id), user_id, args.get("invites"))
        return {**call.to_json(user_id), "invitation": invitation.to_json()}

    def revoke_invite(self, user_id: str, call_id: Any) -> dict:
        return self.service.revoke_invitation(parse_call_id(call_id), user_id).to_json()

    def check_invite(self, user_id: str, call_id: Any, args: Mapping[str, Any]) -> dict:
        allowed = self.service.check_invite(parse_call_id(call_id), user_id, check_invitation_id(args.get("inviteId")))
        return {"allowed": allowed}

    def accept_invite(self, user_id: str, call_id: Any, args: Mapping[str, Any]) -> dict:
        call = self.service.accept_invite(parse_call_id(call_id), user_id, check_invitation_id(args.get("inviteId")))
        return call.to_json(user_id)

    def add_guest(self, call_id: Any, args: Mapping[str, Any]):
        """An external guest, by the link: (GuestInfo, CallInfo); the web layer then opens their guest session."""
        return self.service.add_guest(parse_call_id(call_id), check_invitation_id(args.get("inviteId")),
                                      check_display_name(args.get("displayName")))

    def get_org_identities(self, user_id: str, args: Mapping[str, Any]) -> list[dict]:
        name = args.get("name")
        if not isinstance(name, str):
            raise InvalidCallArgument("Field 'name' is required: the text to look for", field="name")
        return self.service.find_org_identities(user_id, check_text(name, "name", MAX_TITLE_LENGTH),
                                                MAX_ORG_IDENTITIES)


def _commands(session) -> InviteCommands:
    return InviteCommands(session.ctx.service)


# The websocket remote commands of issue 12, merged into ws.REMOTE_COMMANDS (so the authorization matrix sees them).
INVITE_REMOTE_COMMANDS: dict[str, Callable[[Any, dict], Any]] = {
    "get_invites": lambda session, frame: _commands(session).get_invites(session.user_id, frame.get("callId")),
    "update_invites": lambda session, frame: _commands(session).update_invites(session.user_id, frame.get("callId"),
                                                                               frame),
    "revoke_invite": lambda session, frame: _commands(session).revoke_invite(session.user_id, frame.get("callId")),
    "check_invite": lambda session, frame: _commands(session).check_invite(session.user_id, frame.get("callId"),
                                                                           frame),
    "accept_invite": lambda session, frame: _commands(session).accept_invite(session.user_id, frame.get("callId"),
                                                                             frame),
    "get_org_identities": lambda session, frame: _commands(session).get_org_identities(session.user_id, frame),
}
