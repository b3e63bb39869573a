"""The language a user chose for their pages (issue 11): kept with their profile, beside what was there before."""
from __future__ import annotations

import pytest

from webconferencing.errors import IdentityNotFound, InvalidCallArgument
from webconferencing.storage import Database
from webconferencing.storage.models import SchemaVersion
from webconferencing.storage.schema import MIGRATIONS, migrate


def test_a_new_user_has_no_language_of_their_own(core):
    assert core.identities.get_user("mary").language is None


def test_the_chosen_language_is_kept_with_the_profile(core):
    core.identities.set_im_account("mary", "mycall", "mary.w")
    core.identities.set_user_status("mary", "away")
    assert core.identities.set_user_language("mary", "fr").language == "fr"
    mary = core.identities.get_user("mary")
    assert (mary.language, mary.status, mary.get_im_account("mycall").id) == ("fr", "away", "mary.w")
    assert mary.get_im_account("myconnector").id == "mary.williams"  # the seeded account too


def test_the_language_survives_a_restart(boot_core):
    first = boot_core()
    first.identities.set_user_language("john", "fr")
    first.stop()
    assert boot_core().identities.get_user("john").language == "fr"


def test_no_language_goes_back_to_the_browsers(core):
    core.identities.set_user_language("mary", "fr")
    assert core.identities.set_user_language("mary", None).language is None


def test_a_value_that_is_no_language_tag_is_refused_naming_the_field(core):
    with pytest.raises(InvalidCallArgument) as error:
        core.identities.set_user_language("mary", "<img src=x onerror=alert(1)>")
    assert error.value.field == "language"
    assert core.identities.get_user("mary").language is None


def test_the_language_of_an_unknown_user_is_not_found(core):
    with pytest.raises(IdentityNotFound):
        core.identities.set_user_language("nobody", "fr")


def test_a_database_from_before_languages_gets_the_column_and_keeps_its_users(core):
    database = core.container.get_component_instance_of_type(Database)
    core.identities.set_im_account("mary", "mycall", "mary.w")
    language_migration = next(m for m in MIGRATIONS if "language" in m.description)
    with database.write():  # back to how the previous version left the database
        database.db.execute_sql("ALTER TABLE wc_user DROP COLUMN language")
        SchemaVersion.delete().where(SchemaVersion.version >= language_migration.version).execute()
    with database.write():
        assert migrate(database.db) == [m.version for m in MIGRATIONS if m.version >= language_migration.version]
    assert core.identities.set_user_language("mary", "fr").get_im_account("mycall").id == "mary.w"
    assert len(core.identities.list_users()) == 12
