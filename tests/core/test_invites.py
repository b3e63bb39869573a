"""Invite links and guests (issue 12), on a real database (SQLite file and PostgreSQL): who may invite, who may join
by the link, what a guest may reach, and that revoking the link ends guests at once."""
from __future__ import annotations

import pytest

from webconferencing.calls.guests import is_guest
from webconferencing.errors import AccessDenied, CallFull, CallNotFound, CallStateError, InvalidCallArgument
from webconferencing.info import group_call_id
from webconferencing.invites import MAX_GUESTS_PER_CALL
from webconferencing.provider import CallProvider

SPACE = "product_team"  # members: john, mary, james, jack, peter, alice; not: paul, bob, carol, dave, root
CALL = group_call_id(SPACE)
EVERYONE = [{"id": "*", "type": "group"}]


class GuestCallProvider(CallProvider):
    """A connector that lets guests in (as WebRTC does)."""

    def get_type(self) -> str:
        return "guestcall"

    def get_supported_types(self) -> list[str]:
        return ["guestcall"]

    def get_title(self) -> str:
        return "Guest Call"

    def get_version(self) -> str:
        return "1.0"

    def supports_guests(self) -> bool:
        return True


@pytest.fixture
def guests(service):
    service.add_provider(GuestCallProvider())
    return service


def guest_call(service, provider="guestcall"):
    service.add_call(CALL, SPACE, "space", "Weekly", provider, ["john", "mary"])
    service.join_call(CALL, "john", "john-tab-1")


def link(service, invites=EVERYONE, by="john"):
    _call, invitation = service.update_invites(CALL, by, invites)
    return invitation.invitation_id


# ---- invites ----


def test_a_calls_invitation_id_is_made_once_and_kept(guests):
    guest_call(guests)
    first = guests.get_invitation(CALL, "john").invitation_id
    assert guests.get_invitation(CALL, "mary").invitation_id == first
    assert link(guests, [{"id": "paul", "type": "user"}]) == first


def test_invitation_ids_are_long_random_secrets(guests):
    guest_call(guests)
    invitation_id = guests.get_invitation(CALL, "john").invitation_id
    assert len(invitation_id) >= 22
    guests.add_call(group_call_id("marketing"), "marketing", "space", None, "guestcall", ["mary"])
    assert guests.get_invitation(group_call_id("marketing"), "mary").invitation_id != invitation_id


def test_update_invites_replaces_the_invited_identities(guests):
    guest_call(guests)
    link(guests, [{"id": "paul", "type": "user"}, {"id": "marketing", "type": "group"}])
    link(guests, [{"id": "bob", "type": "user"}])
    assert [(i.identity, i.identity_type) for i in guests.get_invitation(CALL, "john").invites] == [("bob", "user")]


def test_a_group_may_be_named_by_its_group_id(guests):
    guest_call(guests)
    link(guests, [{"id": "/spaces/marketing", "type": "group"}])
    assert guests.get_invitation(CALL, "john").invites[0].identity == "marketing"


def test_a_member_of_the_owning_space_who_is_not_a_participant_may_invite(guests):
    guest_call(guests)
    link(guests, [{"id": "paul", "type": "user"}], by="james")


def test_an_outsider_cannot_invite_and_is_told_the_call_does_not_exist(guests):
    guest_call(guests)
    with pytest.raises(CallNotFound):
        guests.update_invites(CALL, "paul", EVERYONE)


def test_an_outsider_cannot_read_the_invitation(guests):
    guest_call(guests)
    with pytest.raises(CallNotFound):
        guests.get_invitation(CALL, "paul")


def test_unknown_users_and_groups_cannot_be_invited(guests):
    guest_call(guests)
    with pytest.raises(InvalidCallArgument, match="'nobody' not found"):
        guests.update_invites(CALL, "john", [{"id": "nobody", "type": "user"}])
    with pytest.raises(InvalidCallArgument, match="'no_space' not found"):
        guests.update_invites(CALL, "john", [{"id": "no_space", "type": "group"}])


@pytest.mark.parametrize("invites", [None, "paul", [{"id": ""}], [{"id": "paul", "type": "robot"}], ["paul"]])
def test_malformed_invites_are_refused_naming_the_field(guests, invites):
    guest_call(guests)
    with pytest.raises(InvalidCallArgument) as refused:
        guests.update_invites(CALL, "john", invites)
    assert refused.value.field == "invites"


def test_a_one_to_one_call_has_no_invite_link(guests):
    guests.add_call("p/john-mary", "john", "user", None, "guestcall", ["john", "mary"])
    with pytest.raises(InvalidCallArgument, match="1:1"):
        guests.update_invites("p/john-mary", "john", EVERYONE)


# ---- check_invite and joining by the link ----


def test_check_invite_allows_a_user_invited_by_name(guests):
    guest_call(guests)
    invite_id = link(guests, [{"id": "paul", "type": "user"}])
    assert guests.check_invite(CALL, "paul", invite_id) is True
    assert guests.check_invite(CALL, "bob", invite_id) is False


def test_check_invite_allows_a_member_of_an_invited_group(guests):
    guest_call(guests)
    invite_id = link(guests, [{"id": "marketing", "type": "group"}])
    assert guests.check_invite(CALL, "bob", invite_id) is True
    assert guests.check_invite(CALL, "root", invite_id) is True  # root is in marketing


def test_check_invite_allows_anyone_when_everyone_is_invited(guests):
    guest_call(guests)
    assert guests.check_invite(CALL, "dave", link(guests)) is True


def test_check_invite_refuses_a_wrong_invitation_id(guests):
    guest_call(guests)
    invite_id = link(guests)
    assert guests.check_invite(CALL, "dave", invite_id[:-1] + ("A" if invite_id[-1] != "A" else "B")) is False


def test_check_invite_of_an_unknown_call_is_false(guests):
    assert guests.check_invite("g/no_call", "dave", "whatever") is False


def test_an_invited_user_accepts_and_joins_the_call(guests):
    guest_call(guests)
    invite_id = link(guests, [{"id": "paul", "type": "user"}])
    guests.accept_invite(CALL, "paul", invite_id)
    call = guests.join_call(CALL, "paul", "paul-tab-1")
    assert call.get_participant("paul").state == "joined"


def test_an_invited_user_is_rung_when_accepting_a_running_call(guests, inbox):
    guest_call(guests)
    invite_id = link(guests, [{"id": "paul", "type": "user"}])
    box = inbox("paul")
    guests.accept_invite(CALL, "paul", invite_id)
    assert box.kinds("paul") == [("call_state", "started")]


def test_a_user_the_link_does_not_invite_cannot_accept(guests):
    guest_call(guests)
    invite_id = link(guests, [{"id": "paul", "type": "user"}])
    with pytest.raises(AccessDenied):
        guests.accept_invite(CALL, "bob", invite_id)
    with pytest.raises(CallNotFound):
        guests.join_call(CALL, "bob", "bob-tab-1")


def test_a_revoked_link_no_longer_lets_invited_users_in(guests):
    guest_call(guests)
    invite_id = link(guests, [{"id": "paul", "type": "user"}])
    guests.revoke_invitation(CALL, "mary")
    assert guests.check_invite(CALL, "paul", invite_id) is False


# ---- guests ----


def test_an_external_guest_joins_by_the_link_under_a_display_name(guests):
    guest_call(guests)
    guest, _call = guests.add_guest(CALL, link(guests), "Zoe Visitor")
    call = guests.join_call(CALL, guest.id, "guest-tab-1")
    part = call.get_participant(guest.id)
    assert is_guest(guest.id) and part.state == "joined"
    assert part.user.to_json()["title"] == "Zoe Visitor" and part.user.to_json()["type"] == "guest"


def test_members_hear_a_guest_join(guests, inbox):
    guest_call(guests)
    guest, _call = guests.add_guest(CALL, link(guests), "Zoe")
    box = inbox("john")
    guests.join_call(CALL, guest.id, "guest-tab-1")
    assert box.kinds("john") == [("call_joined", guest.id)]


def test_guest_ids_are_unguessable_and_distinct(guests):
    guest_call(guests)
    invite_id = link(guests)
    first, _ = guests.add_guest(CALL, invite_id, "A")
    second, _ = guests.add_guest(CALL, invite_id, "A")
    assert first.id != second.id and len(first.id) > 20


def test_a_link_that_names_users_only_admits_no_guest(guests):
    guest_call(guests)
    invite_id = link(guests, [{"id": "paul", "type": "user"}])
    with pytest.raises(AccessDenied, match="does not admit guests"):
        guests.add_guest(CALL, invite_id, "Zoe")


def test_a_wrong_invitation_id_admits_no_guest_and_reveals_nothing(guests):
    guest_call(guests)
    link(guests)
    with pytest.raises(CallNotFound):
        guests.add_guest(CALL, "guessed-id", "Zoe")


def test_a_connector_without_guest_support_declines_guests(guests):
    guest_call(guests, provider="mycall")
    with pytest.raises(AccessDenied, match="does not support guests"):
        guests.add_guest(CALL, link(guests), "Zoe")


def test_a_guest_cannot_join_a_stopped_call(guests):
    guest_call(guests)
    invite_id = link(guests)
    guests.stop_call(CALL)
    with pytest.raises(CallStateError, match="stopped"):
        guests.add_guest(CALL, invite_id, "Zoe")


def test_a_guest_reaches_only_the_call_that_admitted_them(guests):
    guest_call(guests)
    guest, _ = guests.add_guest(CALL, link(guests), "Zoe")
    guests.add_call(group_call_id("marketing"), "marketing", "space", None, "guestcall", ["mary"])
    assert guests.can_access_call(guest.id, CALL) is True
    assert guests.can_access_call(guest.id, group_call_id("marketing")) is False
    with pytest.raises(CallNotFound):
        guests.join_call(group_call_id("marketing"), guest.id, "guest-tab-1")


def test_a_guest_cannot_invite_or_read_the_invitation(guests):
    guest_call(guests)
    guest, _ = guests.add_guest(CALL, link(guests), "Zoe")
    with pytest.raises(CallNotFound):
        guests.update_invites(CALL, guest.id, EVERYONE)
    with pytest.raises(CallNotFound):
        guests.revoke_invitation(CALL, guest.id)
    assert guests.check_invite(CALL, guest.id, guests.get_invitation(CALL, "john").invitation_id) is False


def test_the_invitation_lists_the_guests(guests):
    guest_call(guests)
    guest, _ = guests.add_guest(CALL, link(guests), "Zoe")
    assert [(g.id, g.display_name) for g in guests.get_invitation(CALL, "john").guests] == [(guest.id, "Zoe")]


def test_a_guest_stays_admitted_while_the_link_holds(guests):
    guest_call(guests)
    guest, _ = guests.add_guest(CALL, link(guests), "Zoe")
    assert guests.get_guest(guest.id) == guest


def test_revoking_the_link_ends_connected_guests_at_once(guests, inbox):
    guest_call(guests)
    guest, _ = guests.add_guest(CALL, link(guests), "Zoe")
    guests.join_call(CALL, guest.id, "guest-tab-1")
    box = inbox("john", guest.id)
    guests.revoke_invitation(CALL, "john")
    assert guests.get_guest(guest.id) is None
    assert guests.can_access_call(guest.id, CALL) is False
    assert guests.get_call(CALL).get_participant(guest.id) is None
    assert box.kinds("john") == [("call_leaved", guest.id)]
    assert box.kinds(guest.id) == [("call_leaved", guest.id)]


def test_the_old_link_admits_no_new_guest_after_revocation(guests):
    guest_call(guests)
    old = link(guests)
    guests.revoke_invitation(CALL, "john")
    with pytest.raises(CallNotFound):
        guests.add_guest(CALL, old, "Zoe")


def test_no_longer_inviting_everyone_ends_the_guests(guests):
    guest_call(guests)
    guest, _ = guests.add_guest(CALL, link(guests), "Zoe")
    link(guests, [{"id": "paul", "type": "user"}])
    assert guests.get_guest(guest.id) is None
    assert guests.get_call(CALL).get_participant(guest.id) is None


def test_a_guest_loses_access_when_the_call_stops(guests):
    guest_call(guests)
    guest, _ = guests.add_guest(CALL, link(guests), "Zoe")
    guests.stop_call(CALL)
    assert guests.get_guest(guest.id) is None


def test_revoking_ends_a_call_only_guests_were_in(guests):
    guest_call(guests)
    guest, _ = guests.add_guest(CALL, link(guests), "Zoe")
    guests.join_call(CALL, guest.id, "guest-tab-1")
    guests.leave_call(CALL, "john", "john-tab-1")
    guests.revoke_invitation(CALL, "john")
    assert guests.get_call(CALL).state == "stopped"


def test_a_call_left_to_its_guests_ends_after_the_grace_period(guests):
    guest_call(guests)
    guest, _ = guests.add_guest(CALL, link(guests), "Zoe")
    guests.join_call(CALL, guest.id, "guest-tab-1")
    guests.leave_call(CALL, "john", "john-tab-1")
    assert guests.get_call(CALL).state == "started"  # the guest is still in
    assert guests.end_if_guests_alone(CALL, grace_seconds=3600).state == "started"
    assert guests.end_if_guests_alone(CALL, grace_seconds=0).state == "stopped"


def test_a_call_with_a_member_in_does_not_end_for_guests(guests):
    guest_call(guests)
    guest, _ = guests.add_guest(CALL, link(guests), "Zoe")
    guests.join_call(CALL, guest.id, "guest-tab-1")
    assert guests.end_if_guests_alone(CALL, grace_seconds=0) is None
    assert guests.get_call(CALL).state == "started"


def test_a_guest_leaving_last_stops_the_call(guests):
    guest_call(guests)
    guest, _ = guests.add_guest(CALL, link(guests), "Zoe")
    guests.join_call(CALL, guest.id, "guest-tab-1")
    guests.leave_call(CALL, "john", "john-tab-1")
    guests.leave_call(CALL, guest.id, "guest-tab-1")
    assert guests.get_call(CALL).state == "stopped"


def test_invites_and_guests_go_with_their_call(guests):
    guest_call(guests)
    guest, _ = guests.add_guest(CALL, link(guests), "Zoe")
    guests.delete_call(CALL)
    assert guests.get_guest(guest.id) is None
    assert guests.invites.guest(guest.id) is None


def test_org_identities_match_users_and_the_askers_spaces(guests):
    found = guests.find_org_identities("mary", "mar")
    assert {"id": "mary", "type": "user", "title": found[0]["title"]} in found
    assert {"id": "marketing", "type": "group", "title": "Marketing"} in found
    assert not [f for f in guests.find_org_identities("paul", "product") if f["type"] == "group"]


def test_a_call_admits_a_bounded_number_of_guests(guests):
    guest_call(guests)
    invite_id = link(guests)
    for number in range(MAX_GUESTS_PER_CALL):
        guests.add_guest(CALL, invite_id, f"Guest {number}")
    with pytest.raises(CallFull, match=f"{MAX_GUESTS_PER_CALL} guests"):
        guests.add_guest(CALL, invite_id, "One too many")
