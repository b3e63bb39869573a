"""A throw-away PostgreSQL cluster for the tests: ``initdb`` into a temporary directory, a server on a free loopback
port, a fresh schema (or database) per test, everything removed at the end.

The tests run the storage on the real server because SQLite and PostgreSQL differ exactly where it matters here
(row locks, transaction isolation, DDL under concurrency, type coercion): a fake could not show those.
"""
from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

SERVER_USER = "postgres"  # initdb and postgres refuse to run as root: they run as this system user then
SHARED_DATABASE = "wc_tests"  # holds the per-test schemas


def find_bindir() -> Path | None:
    """Where initdb, pg_ctl and postgres live: ``pg_config --bindir`` when it has them, else the newest of
    Debian's ``/usr/lib/postgresql/<major>/bin``."""
    candidates = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        result = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if result.returncode == 0:
            candidates.append(Path(result.stdout.strip()))
    candidates += sorted((Path(p) for p in glob.glob("/usr/lib/postgresql/*/bin")),
                         key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True)
    for bindir in candidates:
        if all((bindir / tool).is_file() for tool in ("initdb", "pg_ctl", "postgres")):
            return bindir
    return None


def unavailable_reason() -> str | None:
    """Why a cluster cannot be started here (shown as the skip reason), or None."""
    if find_bindir() is None:
        return ("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found via pg_config or "
                "/usr/lib/postgresql/*/bin: install the Debian package 'postgresql'")
    if os.getuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and there is no '{SERVER_USER}' system user to run the PostgreSQL server"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "the PostgreSQL driver is not installed: pip install 'psycopg[binary]'"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class PostgresServer:
    """One cluster owned by the test session; superuser ``postgres`` with trust authentication on loopback."""

    bindir: Path
    root: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="exo-pg-")))
    port: int = field(default_factory=_free_port)
    _names: itertools.count = field(default_factory=lambda: itertools.count(1))
    _shared_created: bool = False

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_path(self) -> Path:
        return self.root / "server.log"

    def _run_as_server_user(self, *command: str) -> None:
        prefix = ["runuser", "-u", SERVER_USER, "--"] if os.getuid() == 0 else []
        result = subprocess.run([*prefix, *command], capture_output=True, text=True, cwd=self.root)
        if result.returncode != 0:
            log = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n"
                               f"{result.stderr}\n{log}")

    def start(self) -> "PostgresServer":
        if os.getuid() == 0:
            user = pwd.getpwnam(SERVER_USER)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self._run_as_server_user(str(self.bindir / "initdb"), "-D", str(self.data_dir), "-U", "postgres",
                                 "--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
        self._run_as_server_user(str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_path),
                                 "-o", self._options(), "-w", "-t", "30", "start")
        return self

    def _options(self) -> str:
        return (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.root} -c fsync=off "
                f"-c synchronous_commit=off -c full_page_writes=off -c max_connections=300")

    def halt(self) -> None:
        """Stop the server, keeping its data (a fault test brings it back with :meth:`resume`)."""
        self._run_as_server_user(str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def resume(self) -> None:
        self._run_as_server_user(str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_path),
                                 "-o", self._options(), "-w", "-t", "30", "start")

    def stop(self) -> None:
        try:
            if (self.data_dir / "postmaster.pid").exists():
                self._run_as_server_user(str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate",
                                         "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def url(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str, database: str = "postgres") -> None:
        import psycopg

        with psycopg.connect(self.url(database), autocommit=True) as conn:
            conn.execute(sql)

    def create_database(self) -> str:
        """A new empty database; returns its URL."""
        name = f"wc_test_{os.getpid()}_{next(self._names)}"
        self.execute(f"CREATE DATABASE {name} TEMPLATE template0")
        return self.url(name)

    def drop_database(self, url: str) -> None:
        name = urlsplit(url).path.lstrip("/")
        self.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def create_schema(self) -> str:
        """A new empty schema in the shared database; returns a URL whose connections use only it.

        To the storage this is an empty database (every name it creates or looks up resolves in the schema), and
        it costs a few milliseconds where CREATE/DROP DATABASE cost a checkpoint each (about 0.15 s)."""
        if not self._shared_created:
            self.execute(f"CREATE DATABASE {SHARED_DATABASE} TEMPLATE template0")
            self._shared_created = True
        name = f"test_{next(self._names)}"
        self.execute(f"CREATE SCHEMA {name}", SHARED_DATABASE)
        return with_settings(self.url(SHARED_DATABASE), search_path=name)

    def drop_schema(self, url: str) -> None:
        schema = settings_of(url)["search_path"]
        self.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE", SHARED_DATABASE)


def settings_of(url: str) -> dict[str, str]:
    """The server settings (``-c name=value``) carried in a URL's ``options`` parameter."""
    options = dict(parse_qsl(urlsplit(url).query)).get("options", "")
    return dict(item[2:].split("=", 1) for item in options.split() if item.startswith("-c"))


def with_settings(url: str, **settings: str) -> str:
    """``url`` with these server settings added to the ones its connections already make."""
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    merged = {**settings_of(url), **settings}
    query["options"] = " ".join(f"-c{name}={value}" for name, value in merged.items())
    return urlunsplit(parts._replace(query=urlencode(query, quote_via=quote)))
