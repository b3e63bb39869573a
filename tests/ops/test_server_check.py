"""``exo-server --check`` refuses what the server would refuse at boot, the same way (issue 10), without booting:
each bad value stops it naming the property and the exo.properties line, no traceback; nothing is created on disk
and neither the database nor Redis is contacted (a URL's form is checked, not its server)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.redis_server import RedisProcess

REPO = Path(__file__).resolve().parents[2]
EXO_SERVER = Path(sys.executable).with_name("exo-server")


def check(tmp_path: Path, properties: str, *args: str) -> subprocess.CompletedProcess:
    """``exo-server --check`` of the shipped configuration and connectors, with ``properties`` as exo.properties,
    run from an empty folder (where the default database file would go)."""
    (tmp_path / "exo.properties").write_text(properties, encoding="utf-8")
    run_dir = tmp_path / "run"
    run_dir.mkdir(exist_ok=True)
    env = {name: value for name, value in os.environ.items() if not name.startswith("EXO_")}
    return subprocess.run([str(EXO_SERVER), "--check", "--config", str(REPO / "configuration.xml"),
                           "--properties", str(tmp_path / "exo.properties"), "--extensions", str(REPO / "extensions"),
                           *args], cwd=run_dir, env=env, capture_output=True, text=True, timeout=120)


def test_the_shipped_configuration_passes(tmp_path):
    done = check(tmp_path, (REPO / "exo.properties").read_text(encoding="utf-8"))

    assert done.returncode == 0, done.stderr
    assert done.stdout.rstrip().endswith("OK") and "NOT OK" not in done.stdout


def test_checking_creates_nothing_on_disk(tmp_path):
    done = check(tmp_path, "# the default database: sqlite:///data/webconferencing.db, relative to the working folder\n")

    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "run").iterdir()) == []  # no data/, no database file, no server.secret


@pytest.mark.parametrize("prop, value", [
    ("webconferencing.webrtc.maxParticipants", "abc"),
    ("webconferencing.webrtc.iceServers", '[{"urls": "stun:stun.example.org"'),
    ("webconferencing.myconnector.clientId", ""),
    ("webconferencing.broker", "redis:/localhost"),
    ("webconferencing.db.url", "mysql://db/webconferencing"),
    ("webconferencing.db.url", "postgresql://user@db:port/webconferencing"),
    ("webconferencing.db.busy.timeout", "soon"),
    ("exo.server.session.store", "memcached://cache"),
    ("exo.server.port", "http"),
], ids=["max-participants", "ice-servers-json", "empty-client-id", "broker-url", "db-scheme", "db-port",
        "busy-timeout", "session-store", "server-port"])
def test_a_bad_value_fails_naming_the_property_at_its_exo_properties_line(tmp_path, prop, value):
    done = check(tmp_path, f"# tuned\n{prop}={value}\n")

    assert done.returncode == 1
    [error] = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    assert error.startswith(f"error: {tmp_path / 'exo.properties'}:2: ")
    assert prop in error
    assert "Traceback" not in done.stderr + done.stdout
    assert done.stdout.rstrip().endswith("NOT OK")


def test_a_misspelled_property_of_a_known_prefix_is_a_warning_with_the_name_meant(tmp_path):
    done = check(tmp_path, "webconferencing.webrtc.maxParticipant=6\n")

    assert done.returncode == 0, done.stderr
    assert (f"warning: {tmp_path / 'exo.properties'}:1: property webconferencing.webrtc.maxParticipant is set but no "
            "configuration asks for it: did you mean webconferencing.webrtc.maxParticipants?") in done.stderr


def test_the_summary_counts_errors_and_warnings_apart(tmp_path):
    done = check(tmp_path, "webconferencing.webrtc.maxParticipant=6\nwebconferencing.webrtc.maxParticipants=abc\n")

    assert done.returncode == 1
    errors = [line for line in done.stderr.splitlines() if line.startswith("error:")]
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert len(errors) == 1 and len(warnings) >= 1
    assert f"1 error(s), {len(warnings)} warning(s), NOT OK" in done.stdout


def test_a_bad_value_given_with_minus_d_is_named_with_where_the_configuration_reads_it(tmp_path):
    done = check(tmp_path, "", "-D", "webconferencing.webrtc.maxParticipants=99")

    assert done.returncode == 1
    assert "webconferencing.webrtc.maxParticipants" in done.stderr and "99 is not between 2 and 8" in done.stderr
    assert "set by -D or an EXO_* environment variable" in done.stderr


def test_redis_and_postgresql_urls_are_checked_for_their_form_without_being_reached(tmp_path):
    # nothing listens on port 1: a check that connected would fail
    done = check(tmp_path, "webconferencing.broker=redis://127.0.0.1:1/0\n"
                           "exo.server.session.store=redis://127.0.0.1:1/1\n"
                           "webconferencing.db.url=postgresql://user:secret@127.0.0.1:1/webconferencing\n")

    assert done.returncode == 0, done.stderr


def test_a_connector_whose_class_is_missing_stops_the_server_with_its_file_line_and_the_lenient_hint(tmp_path):
    conf = tmp_path / "extensions" / "broken" / "WEB-INF" / "conf" / "configuration.xml"
    conf.parent.mkdir(parents=True)
    conf.write_text('<configuration xmlns="http://www.exoplatform.org/xml/ns/kernel_1_3.xsd">\n'
                    '  <external-component-plugins>\n'
                    '    <target-component>org.exoplatform.webconferencing.WebConferencingService</target-component>\n'
                    '    <component-plugin><name>add.callprovider</name><set-method>addPlugin</set-method>\n'
                    '      <type>nowhere.NoProvider</type></component-plugin>\n'
                    '  </external-component-plugins>\n</configuration>\n', encoding="utf-8")
    run_dir = tmp_path / "run"
    run_dir.mkdir()

    done = subprocess.run([str(EXO_SERVER), "--config", str(REPO / "configuration.xml"), "--extensions",
                           str(REPO / "extensions"), "--extensions", str(tmp_path / "extensions"), "--port", "0"],
                          cwd=run_dir, capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if not k.startswith("EXO_")})

    assert done.returncode == 1
    assert f"error: {conf}:4: Plugin add.callprovider (nowhere.NoProvider): class not found" in done.stderr
    assert "--lenient" in done.stderr and "ready on" not in done.stdout
    assert list(run_dir.iterdir()) == []  # refused before anything was written (database, data folder, secret)


def test_the_server_refuses_a_bad_core_value_at_its_exo_properties_line_before_writing_anything(tmp_path):
    (tmp_path / "exo.properties").write_text("# storage\nwebconferencing.db.busy.timeout=soon\n", encoding="utf-8")
    run_dir = tmp_path / "run"
    run_dir.mkdir()

    done = subprocess.run([str(EXO_SERVER), "--config", str(REPO / "configuration.xml"), "--properties",
                           str(tmp_path / "exo.properties"), "--extensions", str(REPO / "extensions"), "--port", "0"],
                          cwd=run_dir, capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if not k.startswith("EXO_")})

    assert done.returncode == 1
    assert (f"error: {tmp_path / 'exo.properties'}:2: Database: busy-timeout (webconferencing.db.busy.timeout) must "
            "be a number of milliseconds, not 'soon'") in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert list(run_dir.iterdir()) == []


@pytest.mark.parametrize("prop, value", [
    ("exo.server.trusted.proxies", "one"),
    ("webconferencing.cluster.lease.seconds", "0"),
    ("exo.server.log.format", "xml"),
    ("webconferencing.ws.resume.events", "many"),
    ("webconferencing.metrics.sample.seconds", "-1"),
    ("exo.server.drain.seconds", "soon"),
])
def test_a_bad_property_the_server_reads_itself_fails_the_check_at_its_line(tmp_path, prop, value):
    done = check(tmp_path, f"{prop}={value}\n")

    assert done.returncode == 1
    assert f"error: {tmp_path / 'exo.properties'}:1: property {prop}: " in done.stderr


def test_a_misspelled_property_the_server_reads_itself_is_a_warning_with_the_name_meant(tmp_path):
    done = check(tmp_path, "# server\nexo.server.prot=8081\n")

    assert done.returncode == 0, done.stderr
    assert (f"warning: {tmp_path / 'exo.properties'}:2: property exo.server.prot is set but no configuration asks "
            "for it: did you mean exo.server.port?") in done.stderr


# --- --check --connect: reaching the servers, opt-in -----------------------------------------------------------


def test_connect_reports_a_redis_broker_that_does_not_answer_at_its_line(tmp_path):
    done = check(tmp_path, "# channels\nwebconferencing.broker=redis://127.0.0.1:1/0\n", "--connect")

    assert done.returncode == 1
    assert (f"error: {tmp_path / 'exo.properties'}:2: webconferencing.broker: Broker redis://127.0.0.1:1/0 does not "
            "answer: ConnectionError:") in done.stderr


def test_connect_passes_when_redis_answers(tmp_path):
    redis = RedisProcess(tmp_path).start()
    try:
        done = check(tmp_path, f"webconferencing.broker={redis.url}\nexo.server.session.store={redis.url}\n",
                     "--connect")
    finally:
        redis.stop()

    assert done.returncode == 0, done.stderr


def test_connect_reports_an_sqlite_file_that_is_not_a_database(tmp_path):
    (tmp_path / "notes.db").write_text("not a database", encoding="utf-8")

    done = check(tmp_path, f"webconferencing.db.url=sqlite:///{tmp_path / 'notes.db'}\n", "--connect")

    assert done.returncode == 1
    assert f"error: {tmp_path / 'exo.properties'}:1: webconferencing.db.url: Database sqlite:///" in done.stderr
    assert "file is not a database" in done.stderr


def test_connect_creates_no_sqlite_file(tmp_path):
    done = check(tmp_path, "# the default database, relative to the working folder\n", "--connect")

    assert done.returncode == 0, done.stderr
    assert list((tmp_path / "run").iterdir()) == []
