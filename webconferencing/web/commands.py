"""Call operations offered to clients, shared by the REST resources and the websocket remote calls.

One implementation of "parse the arguments, check the requester's right, call the service, shape the answer", so
``POST call/<id>`` and ``{"type": "call", "command": "create"}`` cannot drift apart. Arguments arrive as a mapping
(JSON body or frame) and bad ones raise :class:`InvalidCallArgument` naming the field.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from webconferencing.errors import AccessDenied, CallNotFound, IdentityNotFound, InvalidCallArgument
from webconferencing.limits import (MAX_CLIENT_ID_LENGTH, MAX_ID_LENGTH, MAX_PARTICIPANTS, MAX_PROVIDER_TYPE_LENGTH,
                                    MAX_TITLE_LENGTH, check_text)

if TYPE_CHECKING:
    from .quotas import Quotas

OWNER_TYPES = ("user", "space", "chat_room")
CALL_STATES = ("started", "stopped")
USER_CALL_STATES = ("joined", "leaved", "declined")


def required_text(args: Mapping[str, Any], name: str, max_length: int = MAX_ID_LENGTH) -> str:
    value = args.get(name)
    if not isinstance(value, str) or not value.strip():
        raise InvalidCallArgument(f"Field '{name}' is required (a non-empty string)", field=name)
    return check_text(value.strip(), name, max_length)


def optional_text(args: Mapping[str, Any], name: str, max_length: int = MAX_ID_LENGTH) -> str | None:
    value = args.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidCallArgument(f"Field '{name}' must be a string", field=name)
    return check_text(value.strip(), name, max_length) or None


def parse_participants(value: Any) -> list[str]:
    """A list of user ids, or the original's ``;``-separated string; blanks dropped, order kept, duplicates removed."""
    if isinstance(value, str):
        items = value.split(";")
    elif isinstance(value, list) and all(isinstance(item, str) for item in value):
        items = value
    else:
        raise InvalidCallArgument("Field 'participants' is required: a list of user ids or a ';'-separated string",
                                  field="participants")
    participants = list(dict.fromkeys(check_text(item.strip(), "participants", MAX_ID_LENGTH)
                                      for item in items if item.strip()))
    if not participants:
        raise InvalidCallArgument("Field 'participants' must name at least one user", field="participants")
    if len(participants) > MAX_PARTICIPANTS:
        raise InvalidCallArgument(f"Field 'participants' names more than {MAX_PARTICIPANTS} users",
                                  field="participants")
    return participants


def parse_choice(args: Mapping[str, Any], name: str, choices: tuple[str, ...]) -> str:
    value = args.get(name)
    if value not in choices:
        raise InvalidCallArgument(f"Field '{name}' must be one of {', '.join(choices)}")
    return value


def parse_call_id(call_id: Any) -> str:
    if not isinstance(call_id, str) or not call_id.strip():
        raise InvalidCallArgument("Field 'callId' is required", field="callId")
    return check_text(call_id.strip(), "callId", MAX_ID_LENGTH)


class CallCommands:
    """The requester-aware facade over :class:`WebConferencingService` used by both transports.

    The service enforces the call rules (participants against the owner, 1:1 ids, joining only as a party); this
    layer adds who may ask: only a party may read, stop or delete a call, and nobody creates a call for someone else.
    """

    def __init__(self, service, quotas: Quotas | None = None) -> None:
        self.service = service
        self.quotas = quotas  # per-user creation quotas (:mod:`.quotas`); None: unlimited

    def _accessible_call(self, user_id: str, call_id: str):
        """The call, for a party (or a member of its owner); to anyone else it answers exactly as a call that does
        not exist, so call ids cannot be probed."""
        if not self.service.can_access_call(user_id, call_id):
            raise CallNotFound(f"call '{call_id}' not found")
        return self.service.get_call(call_id)

    def _member_owner(self, user_id: str, owner: str, owner_type: str) -> None:
        """A space or room the requester is not in answers as one that does not exist (its calls are none of
        their business, and its name should not be confirmed)."""
        group = (self.service.get_space_info(owner) if owner_type == "space"
                 else self.service.get_room_info(owner))  # IdentityNotFound when unknown
        if not group.is_member(user_id):
            kind = "space" if owner_type == "space" else "chat room"
            raise IdentityNotFound(f"{kind} '{owner}' not found")

    def get(self, user_id: str, call_id: Any) -> dict:
        return self._accessible_call(user_id, parse_call_id(call_id)).to_json(user_id)

    def find(self, user_id: str, call_id: Any) -> dict | None:
        """The call, or None when there is none the requester may see: for a page that asks whether a call runs
        (a space's, on load), "no call" is an answer, not an error. A call the requester is not a party of answers
        None too, exactly as a call that does not exist, so ids cannot be probed with it either."""
        call_id = parse_call_id(call_id)
        try:
            return self._accessible_call(user_id, call_id).to_json(user_id)
        except CallNotFound:  # none, not theirs, or removed between the check and the read
            return None

    def create(self, user_id: str, call_id: Any, args: Mapping[str, Any]) -> dict:
        call_id = parse_call_id(call_id)
        owner_type = parse_choice(args, "ownerType", OWNER_TYPES)
        owner = optional_text(args, "owner") or (user_id if owner_type == "user" else None)
        if owner is None:
            raise InvalidCallArgument("Field 'owner' is required for a group call", field="owner")
        provider = required_text(args, "provider", MAX_PROVIDER_TYPE_LENGTH)
        title = optional_text(args, "title", MAX_TITLE_LENGTH)
        participants = parse_participants(args.get("participants"))
        if owner_type == "user" and owner != user_id:
            raise AccessDenied(f"user '{user_id}' cannot place a call owned by '{owner}'")
        if user_id not in participants:
            raise AccessDenied(f"user '{user_id}' cannot create a call without being a participant")
        if owner_type != "user":
            self._member_owner(user_id, owner, owner_type)
        if self.quotas is not None:  # checked once the request is well-formed, before the service does any work
            self.quotas.check_call_creation(user_id)
        call = self.service.add_call(call_id, owner, owner_type, title, provider, participants, caller=user_id)
        if self.quotas is not None:  # only a call really created counts: a refused one (conflict) was a join
            self.quotas.call_created(user_id)
        return call.to_json(user_id)

    def update(self, user_id: str, call_id: Any, args: Mapping[str, Any], *, client_id: str | None = None) -> dict:
        """The original ``update`` command: the requester's state (joined/leaved, or declined for an invitee who
        refuses), or the call's (started: the requester starts it again and joins; stopped: everyone leaves, a 1:1
        call is removed). A non-party is told the call does not exist."""
        call_id = parse_call_id(call_id)
        state = parse_choice(args, "state", USER_CALL_STATES + CALL_STATES)
        if state in ("stopped", "declined"):
            self._accessible_call(user_id, call_id)
            client_id = client_id or ""
        else:
            client_id = client_id or required_text(args, "clientId", MAX_CLIENT_ID_LENGTH)
        result = self.service.update_user_call_state(call_id, user_id, client_id, state)
        return result.to_json(user_id) if result is not None else {}

    def update_user_call(self, user_id: str, call_id: Any, args: Mapping[str, Any], *,
                         client_id: str | None = None) -> dict:
        """Join or leave as the requester. ``client_id`` is the websocket's own id; REST callers name it in
        ``clientId`` (the tab that joined, so the server can leave for it when that tab disappears). Leaving the last
        seat of a 1:1 call removes it: the answer is then ``{}``."""
        parse_choice(args, "state", USER_CALL_STATES)
        return self.update(user_id, call_id, args, client_id=client_id)

    def delete(self, user_id: str, call_id: Any) -> dict:
        call_id = parse_call_id(call_id)
        self._accessible_call(user_id, call_id)
        self.service.delete_call(call_id, user_id)
        return {}

    def get_calls_state(self, user_id: str) -> list[dict]:
        return [call.to_json(user_id) for call in self.service.get_user_group_calls(user_id)]

    def get_ringing_calls(self, user_id: str) -> list[dict]:
        return [call.to_json(user_id) for call in self.service.get_ringing_calls(user_id)]
