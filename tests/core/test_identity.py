"""The database identity directory: demo org, authentication, edits, rooms, IM types, data-file errors."""
from __future__ import annotations

import json

import pytest

from exo_container import ContainerError
from webconferencing.errors import IdentityNotFound, InvalidCallArgument


def test_demo_org_has_twelve_users_two_spaces_and_two_rooms(core):
    users = core.identities.list_users()
    assert len(users) == 12
    assert {u.id for u in users if u.is_admin} == {"root", "john"}
    assert {u.status for u in users} == {"available", "away", "donotdisturb", "offline"}
    assert [s.pretty_name for s in core.identities.list_spaces()] == ["marketing", "product_team"]
    assert len(core.identities.list_rooms()) == 2


def test_user_info_json(service):
    data = service.get_user_info("mary").to_json()
    assert data["id"] == "mary" and data["type"] == "user" and data["title"] == "Mary Williams"
    assert data["firstName"] == "Mary" and data["lastName"] == "Williams"
    assert data["imAccounts"]["myconnector"] == [{"type": "myconnector", "id": "mary.williams"}]
    assert "password" not in json.dumps(data) and "isAdmin" not in data


def test_space_info_has_members_and_managers(service):
    space = service.get_space_info("product_team").to_json()
    assert space["id"] == "product_team" and space["title"] == "Product Team" and space["type"] == "space"
    assert space["callId"] == "g/product_team" and space["managers"] == ["john"]
    assert set(space["members"]) == {"john", "mary", "james", "jack", "peter", "alice"}
    assert space["members"]["mary"]["title"] == "Mary Williams"


def test_unknown_identities_are_not_found(service):
    for lookup in (lambda: service.get_user_info("nobody"), lambda: service.get_space_info("nothing"),
                   lambda: service.get_room_info("team-0000")):
        with pytest.raises(IdentityNotFound):
            lookup()


def test_authentication_checks_the_password_hash(core):
    assert core.identities.authenticate("john", "gtn").id == "john"
    assert core.identities.authenticate("john", "wrong") is None
    assert core.identities.authenticate("nobody", "gtn") is None


def test_status_change_is_visible_at_once(service, core):
    core.identities.set_user_status("john", "donotdisturb")
    assert service.get_user_status("john") == "donotdisturb"
    assert service.get_space_info("product_team").members["john"].status == "donotdisturb"


def test_unknown_status_is_refused(core):
    with pytest.raises(InvalidCallArgument) as error:
        core.identities.set_user_status("john", "sleeping")
    assert error.value.field == "status"


def test_status_of_an_unknown_user_is_not_found(core):
    with pytest.raises(IdentityNotFound):
        core.identities.set_user_status("nobody", "away")


def test_im_accounts_are_set_and_removed(core):
    assert core.identities.set_im_account("paul", "mycall", "paul.m").get_im_account("mycall").id == "paul.m"
    assert core.identities.remove_im_account("paul", "mycall").get_im_account("mycall") is None


def test_unknown_room_is_created_from_the_chat_side_members(service):
    room = service.get_room_info("team-new1", title="Launch", members=["john", "dave"])
    assert (room.id, room.title, sorted(room.members)) == ("team-new1", "Launch", ["dave", "john"])
    assert service.get_room_info("team-new1").title == "Launch"
    call = service.add_call("g/team-new1", "team-new1", "chat_room", None, "mycall", ["john", "dave"])
    assert call.owner.title == "Launch"


def test_room_with_unknown_members_is_refused(service):
    with pytest.raises(IdentityNotFound):
        service.get_room_info("team-new2", title="X", members=["john", "ghost"])


DIRECTORY_ONLY = """<?xml version="1.0" encoding="UTF-8"?>
<configuration xmlns="http://www.exoplatform.org/xml/ns/kernel_1_3.xsd">
  <component>
    <key>webconferencing.storage.Database</key>
    <type>webconferencing.storage.Database</type>
    <init-params><value-param><name>url</name><value>${webconferencing.db.url}</value></value-param></init-params>
  </component>
  <component>
    <key>webconferencing.identity.IdentityDirectory</key>
    <type>webconferencing.identity.database.DatabaseIdentityDirectory</type>
    <init-params><value-param><name>data-file</name><value>${test.data.file}</value></value-param></init-params>
  </component>
</configuration>
"""


def boot_with_data_file(boot_core, tmp_path, content: str):
    data_file = tmp_path / "org.json"
    data_file.write_text(content)
    config = tmp_path / "configuration.xml"
    config.write_text(DIRECTORY_ONLY)
    return boot_core(config, **{"test.data.file": str(data_file)})


def test_a_data_file_with_an_unknown_member_fails_the_boot_naming_the_entry(boot_core, tmp_path):
    org = {"users": [{"id": "a"}], "spaces": [{"prettyName": "s", "members": ["a", "zed"]}]}
    with pytest.raises(ContainerError, match=r"org.json: spaces\[0\]: members \['zed'\] are not users"):
        boot_with_data_file(boot_core, tmp_path, json.dumps(org))


def test_a_broken_data_file_fails_the_boot_with_its_line(boot_core, tmp_path):
    with pytest.raises(ContainerError, match=r"org.json:3: identity data file is not valid JSON"):
        boot_with_data_file(boot_core, tmp_path, '{\n  "users": [\n    {"id": "a",}\n  ]\n}\n')


def test_a_failed_seed_stores_nothing_and_a_fixed_file_seeds_later(boot_core, tmp_path):
    with pytest.raises(ContainerError):
        boot_with_data_file(boot_core, tmp_path, json.dumps({"users": [{"id": "a", "status": "asleep"}]}))
    core = boot_with_data_file(boot_core, tmp_path, json.dumps({"users": [{"id": "a", "password": "pw"}]}))
    assert [u.id for u in core.identities.list_users()] == ["a"]
