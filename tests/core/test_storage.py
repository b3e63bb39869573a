"""Schema migrations: ordered, applied once, recorded."""
from __future__ import annotations

import pytest

from webconferencing.storage import Database
from webconferencing.storage.schema import MIGRATIONS, Migration, current_version, migrate


def test_a_new_migration_is_applied_once_after_the_existing_ones(core):
    database = core.container.get_component_instance_of_type(Database)
    applied_sql = []

    def add_column(db):
        applied_sql.append("v3")
        db.execute_sql("ALTER TABLE wc_call ADD COLUMN topic VARCHAR(255)")

    later = [*MIGRATIONS, Migration(3, "call topic", add_column)]
    with database.write():
        assert migrate(database.db, later) == [3]
    with database.write():
        assert migrate(database.db, later) == []
    assert applied_sql == ["v3"] and current_version(database.db) == 3


def test_migrations_out_of_order_are_refused(core):
    database = core.container.get_component_instance_of_type(Database)
    with pytest.raises(ValueError, match="increasing"):
        with database.write():
            migrate(database.db, [MIGRATIONS[1], MIGRATIONS[0]])


@pytest.mark.backends("sqlite")
def test_sqlite_runs_in_wal_mode(core):
    database = core.container.get_component_instance_of_type(Database)
    assert database.db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
