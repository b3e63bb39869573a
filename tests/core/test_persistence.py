"""What survives a restart: stop the container, boot a new one on the same SQLite file."""
from __future__ import annotations

import pytest

from exo_container import ContainerError
from webconferencing.info import group_call_id
from webconferencing.storage import Database
from webconferencing.storage.schema import MIGRATIONS

from .conftest import ROOT_CONFIGURATION

SPACE_CALL = group_call_id("product_team")


def test_calls_and_participants_survive_a_restart(boot_core):
    first = boot_core()
    first.service.add_call(SPACE_CALL, "product_team", "space", "Weekly", "mycall", ["john", "mary"])
    first.service.join_call(SPACE_CALL, "john", "tab1")
    first.service.join_call(SPACE_CALL, "john", "tab2")
    first.service.add_call("p/john-peter", "john", "user", None, "mycall", ["john", "peter"])
    before = first.service.get_call(SPACE_CALL).to_json()
    first.stop()

    second = boot_core()
    assert second.service.get_call(SPACE_CALL).to_json() == before
    assert [c.id for c in second.service.get_user_group_calls("mary")] == [SPACE_CALL]
    assert second.service.get_call("p/john-peter").participant_ids() == ["john", "peter"]
    # john's two tabs are still attached: the first tab leaving keeps him in
    assert second.service.leave_call(SPACE_CALL, "john", "tab1").get_participant("john").state == "joined"
    assert second.service.leave_call(SPACE_CALL, "john", "tab2").state == "stopped"


def test_provider_activation_survives_a_restart_and_wins_over_the_xml_default(boot_core):
    first = boot_core()
    first.service.get_provider("mycall").set_active(False)
    first.service.get_provider("mycall").update_configuration({"server-url": "https://saved.example"})
    first.stop()

    second = boot_core(**{"test.mycall.active": "true"})
    provider = second.service.get_provider("mycall")
    assert not provider.is_active() and provider.server_url == "https://saved.example"


def test_schema_is_migrated_once_and_its_version_recorded(boot_core):
    first = boot_core()
    database = first.container.get_component_instance_of_type(Database)
    assert database.schema_version() == MIGRATIONS[-1].version
    first.stop()
    second = boot_core()
    assert second.container.get_component_instance_of_type(Database).schema_version() == MIGRATIONS[-1].version


def test_directory_is_seeded_once_and_edits_are_kept(boot_core):
    first = boot_core()
    first.identities.set_user_status("mary", "away")
    first.identities.set_im_account("mary", "mycall", "mary.new")
    first.stop()
    second = boot_core()
    mary = second.service.get_user_info("mary")
    assert mary.status == "away" and mary.get_im_account("mycall").id == "mary.new"
    assert len(second.identities.list_users()) == 12


def test_only_one_database_is_open_per_process(boot_core, tmp_path):
    boot_core()
    with pytest.raises(ContainerError, match="already open"):
        boot_core(**{"webconferencing.db.url": f"sqlite:///{tmp_path / 'other.db'}"})


def test_root_configuration_boots_the_core_with_the_demo_org(boot_core):
    core = boot_core(ROOT_CONFIGURATION)
    assert core.container.problems == []
    assert core.service.get_providers() == []
    assert core.service.get_user_info("root").is_admin and core.service.is_admin("john")
    assert not core.service.is_admin("mary")
    assert core.identities.authenticate("mary", "gtn").id == "mary"
    assert core.call_log.flush_interval == 2.0 and core.call_log.buffer_size == 10000
    assert core.broker.url == "inprocess"
