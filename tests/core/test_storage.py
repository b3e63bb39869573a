"""The storage itself: schema migrations (ordered, applied once, recorded), transactions, supported databases."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time

import pytest

from exo_container import ContainerError
from webconferencing.info import group_call_id
from webconferencing.storage import Database
from webconferencing.storage.calls import CallDAO
from webconferencing.storage.models import DirectorySeedRecord, SchemaVersion
from webconferencing.storage.schema import MIGRATIONS, Migration, current_version, migrate

from .conftest import FIXTURES

REPO = FIXTURES.parents[2]
SPACE_CALL = group_call_id("product_team")


def test_a_new_migration_is_applied_once_after_the_existing_ones(core):
    database = core.container.get_component_instance_of_type(Database)
    applied_sql = []

    next_version = MIGRATIONS[-1].version + 1

    def add_column(db):
        applied_sql.append(f"v{next_version}")
        db.execute_sql("ALTER TABLE wc_call ADD COLUMN topic VARCHAR(255)")

    later = [*MIGRATIONS, Migration(next_version, "call topic", add_column)]
    with database.write():
        assert migrate(database.db, later) == [next_version]
    with database.write():
        assert migrate(database.db, later) == []
    assert applied_sql == [f"v{next_version}"] and current_version(database.db) == next_version


def test_migrations_out_of_order_are_refused(core):
    database = core.container.get_component_instance_of_type(Database)
    with pytest.raises(ValueError, match="increasing"):
        with database.write():
            migrate(database.db, [MIGRATIONS[1], MIGRATIONS[0]])


@pytest.mark.backends("sqlite")
def test_sqlite_runs_in_wal_mode(core):
    database = core.container.get_component_instance_of_type(Database)
    assert database.db.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_read_sees_one_snapshot_while_another_thread_commits(core):
    database = core.container.get_component_instance_of_type(Database)
    core.service.add_call(SPACE_CALL, "product_team", "space", None, "mycall", ["john", "mary"])
    calls = CallDAO()
    with database.read():
        before = calls.get(SPACE_CALL)
        writer = threading.Thread(target=core.service.join_call, args=(SPACE_CALL, "john", "tab1"))
        writer.start()
        writer.join(timeout=30)
        assert calls.get(SPACE_CALL) == before  # call row and participants from the same moment
    assert core.service.get_call(SPACE_CALL).get_participant("john").state == "joined"


_BOOT_AT = """
import sys, time
from exo_container import boot
url, configuration, start_at = sys.argv[1:4]
time.sleep(max(0.0, float(start_at) - time.time()))
boot(configuration, system_properties={"webconferencing.db.url": url}, extensions_dirs=[]).dispose()
"""


def test_processes_starting_at_once_on_an_empty_database_migrate_and_seed_it_once(db_url, boot_core):
    start_at = time.time() + 1.0  # past the processes' imports, so their migrations really overlap
    processes = [subprocess.Popen([sys.executable, "-c", _BOOT_AT, db_url, str(FIXTURES / "core-configuration.xml"),
                                   str(start_at)], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  env={**os.environ, "PYTHONPATH": str(REPO)})
                 for _ in range(3)]
    outputs = [p.communicate(timeout=60)[0].decode(errors="replace") for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], "\n".join(outputs)
    core = boot_core()
    with core.container.get_component_instance_of_type(Database).read():
        assert [v for (v,) in SchemaVersion.select(SchemaVersion.version).tuples()] == [m.version for m in MIGRATIONS]
        assert DirectorySeedRecord.select().count() == 1
    assert len(core.identities.list_users()) == 12


@pytest.mark.backends("sqlite")
def test_a_database_other_than_sqlite_or_postgresql_is_refused_by_name(boot_core):
    with pytest.raises(ContainerError, match=r"mysql://db\.example/wc.*sqlite.*postgresql"):
        boot_core(**{"webconferencing.db.url": "mysql://db.example/wc"})


@pytest.mark.backends("postgresql")
def test_a_pooled_postgresql_url_reuses_the_released_connection(db_url, boot_core):
    core = boot_core(**{"webconferencing.db.url": db_url.replace("postgresql://", "postgresql+pool://", 1)})
    database = core.container.get_component_instance_of_type(Database)

    def server_process() -> int:
        return database.db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]

    core.service.add_call(SPACE_CALL, "product_team", "space", None, "mycall", ["john", "mary"])
    before = server_process()
    database.release()
    core.service.join_call(SPACE_CALL, "john", "tab1")
    assert server_process() == before  # the same connection, taken back from the pool
    assert core.service.get_call(SPACE_CALL).get_participant("john").state == "joined"


@pytest.mark.backends("postgresql")
def test_a_database_that_cannot_be_opened_is_named_without_its_password(boot_core, postgres_server):
    unreachable = f"postgresql://wc:s3cret@127.0.0.1:{postgres_server.port}/no_such_database"
    with pytest.raises(ContainerError, match=r"cannot open 'postgresql://wc:\*\*\*@127\.0\.0\.1") as error:
        boot_core(**{"webconferencing.db.url": unreachable})
    assert "s3cret" not in str(error.value)
