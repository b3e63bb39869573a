"""``exo-server``: boot the container from configuration.xml + exo.properties + extensions/ and serve HTTP and
websockets on ``exo.server.host:port``.

Why gunicorn with the gevent worker: a websocket is a long-lived, mostly idle connection. A threaded server pays an
OS thread (and its stack) per open tab and tops out at a few hundred; gevent turns each connection into a greenlet of
a few kilobytes, so one worker holds thousands of idle websockets, and the blocking code of the core (SQLite, the
call-log flusher thread, Redis) keeps working because gevent's monkey-patching makes threads, locks, sleeps and
sockets cooperative. gunicorn adds what a production server needs around it: a supervising master, graceful restarts
and signal handling.

Monkey-patching order matters: gevent must patch ``threading``/``socket``/``time`` before any module that creates
locks or threads at import time is imported. This module therefore imports nothing heavy at module level, and
:func:`main` patches first thing (the master then forks patched workers; gunicorn's worker patches again, a no-op).

The container is booted in each worker process after the fork (never in the master and inherited): SQLite
connections and background threads do not survive ``fork()``. The master only *loads* the configuration (no component
is created) to validate it and read the server settings, and creates the signing secret once so sibling workers
share it.

Several workers are several processes: they only see each other's channel traffic through Redis, so
``--workers`` > 1 requires ``webconferencing.broker=redis://...``.
"""
from __future__ import annotations

import argparse
import gc
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

EXIT_OK = 0
EXIT_CONFIG = 1
EXIT_USAGE = 2


@dataclass
class ServeOptions:
    configuration: Path
    properties_file: Path | None
    extensions_dirs: list[Path] | None
    system_properties: dict[str, str] = field(default_factory=dict)
    host: str | None = None
    port: int | None = None
    workers: int = 1
    check: bool = False
    connect: bool = False  # --check --connect: also reach the database and Redis (reading only)
    strict: bool = False
    log_level: str = "info"
    lenient: bool = False  # start despite configuration errors, skipping what is broken (eXo's behaviour)

    def boot_arguments(self) -> dict:
        return {
            "properties_file": self.properties_file,
            "extensions_dirs": self.extensions_dirs,
            "system_properties": self.system_properties,
            "strict": self.strict,
        }


def parse_args(argv: list[str] | None) -> ServeOptions:
    parser = argparse.ArgumentParser(
        prog="exo-server", description="Run the Web Conferencing server (REST, websockets, pages).")
    parser.add_argument("--config", default="configuration.xml", type=Path,
                        help="root configuration file (default: ./configuration.xml)")
    parser.add_argument("--properties", type=Path, default=None,
                        help="properties file (default: exo.properties next to the configuration)")
    parser.add_argument("--extensions", type=Path, action="append", default=None,
                        help="extensions folder (repeatable; default: extensions/ next to the configuration)")
    parser.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                        help="set a property, as a JVM -D system property (exo.properties still wins)")
    parser.add_argument("--host", default=None, help="listen address (overrides exo.server.host; default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=None, help="listen port (overrides exo.server.port; default 8080)")
    parser.add_argument("--workers", type=int, default=1,
                        help="worker processes (more than 1 needs the Redis broker)")
    parser.add_argument("--check", action="store_true",
                        help="validate what the boot would (files, classes, every component's and provider's values, "
                             "server properties), print each problem with its file:line, exit 1 on errors; creates "
                             "nothing and contacts no database or Redis (their URLs' form is checked; see --connect)")
    parser.add_argument("--connect", action="store_true",
                        help="with --check: also connect to the database and to Redis (broker, session store) and "
                             "report those that do not answer; reads only (an SQLite file that does not exist yet "
                             "is not created)")
    parser.add_argument("--strict", action="store_true", help="any rejected configuration file is fatal")
    parser.add_argument("--lenient", action="store_true",
                        help="start even with configuration errors, skipping each broken file, component or plugin "
                             "as eXo does (by default any error stops the server)")
    parser.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    args = parser.parse_args(argv)
    defines: dict[str, str] = {}
    for item in args.defines:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            parser.error(f"-D expects NAME=VALUE, got '{item}'")
        defines[name.strip()] = value
    if args.workers < 1:
        parser.error("--workers must be at least 1")
    if args.port is not None and not 0 <= args.port <= 65535:
        parser.error("--port must be between 0 and 65535")
    if args.strict and args.lenient:
        parser.error("--strict and --lenient contradict each other")
    if args.connect and not args.check:
        parser.error("--connect goes with --check")
    return ServeOptions(args.config, args.properties, args.extensions, defines, args.host, args.port,
                        args.workers, args.check, args.connect, args.strict, args.log_level, lenient=args.lenient)


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    if not options.check:
        from gevent import monkey

        monkey.patch_all()
    import logging

    if options.check:
        logging.basicConfig(level=logging.CRITICAL)  # the check prints every problem: not logged twice
        return check(options)
    logging.basicConfig(level=options.log_level.upper(), format="%(asctime)s %(levelname)s [%(name)s] %(message)s")
    return serve(options)


def _print_problems(problems) -> int:
    errors = 0
    for problem in problems:
        severity = getattr(problem, "severity", "error")
        errors += severity == "error"
        print(f"{severity}: {problem}", file=sys.stderr)
    return errors


def _settings(options: ServeOptions, properties):
    from .settings import ServerSettings

    settings = ServerSettings.from_properties(properties.as_dict())
    if options.host is not None:
        settings = replace(settings, host=options.host)
    if options.port is not None:
        settings = replace(settings, port=options.port)
    return settings


def _workers_problem(options: ServeOptions, settings) -> str | None:
    if options.workers > 1 and not settings.uses_redis:
        return (f"--workers {options.workers} needs the Redis broker: several processes only share channels through "
                f"it; set webconferencing.broker=redis://host:port/db (now: "
                f"'{settings.broker_url or 'inprocess'}')")
    return None


def check(options: ServeOptions) -> int:
    """What a boot would refuse, found without booting; exit 1 on any error.

    Checked: the files (every problem of a dropped one), the classes, constructors and set-methods
    (``verify``), every init-param a component or a provider would refuse (:mod:`exo_container.validation`:
    numbers, the ICE servers, a required client id, the database, broker and session-store URLs), the server's
    own properties, ``--workers`` against the broker, and properties that look misspelled (a warning). Each
    error names the property and the line of exo.properties that set it, without a traceback.

    Nothing is created or reached: no component is built, no file written, no port bound, and neither the
    database nor Redis is contacted: a URL's *form* is checked, whether its server answers is for the boot and
    ``/health/ready`` to tell (a check must run where the servers are not reachable, e.g. in CI). ``--connect``
    opts in to reaching them (:mod:`.reachability`), reading only.
    """
    from exo_container.boot import load
    from exo_container.checks import misspelled_properties
    from exo_container.errors import ConfigurationError, KernelError
    from exo_container.validation import validate_init_params

    try:
        deployment = load(options.configuration, **options.boot_arguments())
        container = deployment.build_container()
        container.verify()
        problems = [*container.problems, *validate_init_params(container)]
        if options.connect and not any(p.severity == "error" for p in problems):
            from .reachability import unreachable

            problems += unreachable(container)
    except KernelError as exc:  # so broken that nothing could be checked further
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    settings, property_problems = _read_properties(options, deployment.properties)
    problems += property_problems
    problems += misspelled_properties(deployment.properties, deployment.referenced | server_property_names())
    errors = _print_problems(problems)
    warnings = len(problems) - errors
    workers_problem = _workers_problem(options, settings) if settings is not None else None
    if workers_problem:
        print(f"error: {workers_problem}", file=sys.stderr)
        errors += 1
    print(f"{options.configuration}: {len(container.files)} configuration files, {errors} error(s), "
          f"{warnings} warning(s), {'NOT OK' if errors else 'OK'}")
    return EXIT_CONFIG if errors else EXIT_OK


def _read_properties(options: ServeOptions, properties):
    """The server settings (None when refused) and every problem of the properties the server reads itself, not
    through a component's ``${}`` (each reader a worker's boot runs: settings, presence, feeds, metrics, drain,
    proxies, log format), each at the line of the properties file that set it."""
    from exo_container.errors import ConfigurationError

    from webconferencing.observability import logs
    from webconferencing.presence import PresenceSettings

    from . import operations, proxies
    from .feeds import ResumeSettings
    from .metrics import MetricsSettings

    props = properties.as_dict()
    problems: list[ConfigurationError] = []
    try:
        settings = _settings(options, properties)
    except ConfigurationError as exc:
        settings = None
        problems.append(_at_origin(exc, properties))
    grace = settings.grace_seconds if settings is not None else 10.0
    for read in (lambda: PresenceSettings.from_properties(props, grace), lambda: ResumeSettings.from_properties(props),
                 lambda: MetricsSettings.from_properties(props), lambda: operations.drain_seconds(props),
                 lambda: proxies.trusted_proxies(props), lambda: logs.format_of(props)):
        try:
            read()
        except ConfigurationError as exc:
            problems.append(_at_origin(exc, properties))
    return settings, problems


def server_property_names() -> set[str]:
    """The properties the server reads itself (not through a component's ``${}``): the module constants of each
    reader :func:`_read_properties` runs. A name set in exo.properties that is very close to one of them is flagged
    as misspelled, as one close to a ``${}`` of the configuration is."""
    from webconferencing import presence
    from webconferencing.observability import logs

    from . import feeds, metrics, operations, proxies
    from . import settings as server_settings

    return {value for module in (server_settings, presence, feeds, metrics, operations, proxies, logs)
            for name, value in vars(module).items()
            if name.isupper() and name != "EXTENSION"  # operations.EXTENSION names a Flask extension
            and isinstance(value, str) and value.startswith(("exo.", "webconferencing."))}


def _at_origin(exc, properties):
    """A property's error at the line of the properties file that set it (when a file did)."""
    from exo_container.errors import ConfigurationError, InvalidProperty

    origin = properties.origins.get(exc.name) if isinstance(exc, InvalidProperty) else None
    return ConfigurationError(exc.message, *origin) if origin and not exc.file else exc


def _verified(deployment) -> list:
    """Every problem the workers' boot would meet (unreadable files, missing classes, unsatisfiable constructors,
    plugins without their set-method, init-params a component or a provider refuses), found before any component is
    created: what ``--check`` reports, each bad value at the exo.properties line that set it."""
    from exo_container.errors import ConfigurationError, KernelError
    from exo_container.validation import validate_init_params

    try:
        return [*deployment.verify(), *validate_init_params(deployment.build_container())]
    except KernelError as exc:
        return [*deployment.problems, exc if isinstance(exc, ConfigurationError) else ConfigurationError(str(exc))]


def serve(options: ServeOptions) -> int:
    from webconferencing.observability import logs, multiprocess

    multiprocess.prepare()  # before anything imports prometheus_client (it picks its value store at import)
    from exo_container.boot import load
    from exo_container.errors import ConfigurationError

    try:
        deployment = load(options.configuration, **options.boot_arguments())
    except (ConfigurationError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    settings, property_problems = _read_properties(options, deployment.properties)
    if property_problems:  # no file, component or plugin to skip here: --lenient cannot start without them either
        _print_problems(property_problems)
        print("exo-server: not starting: fix the properties named above (exo.properties, -D or EXO_* environment)",
              file=sys.stderr)
        return EXIT_CONFIG
    logs.configure(logs.format_of(deployment.properties.as_dict()))
    problems = deployment.problems if options.lenient else _verified(deployment)
    errors = _print_problems(problems)
    if errors and not options.lenient:
        from .runner import provider_configuration_errors

        misconfigured = provider_configuration_errors(problems)
        if misconfigured:
            print(f"exo-server: {len(misconfigured)} call provider(s) misconfigured, not starting (--lenient starts "
                  "without them)", file=sys.stderr)
        print(f"exo-server: not starting: {errors} configuration error(s) above, each with its file:line. Fix them, "
              "or start anyway with --lenient: as eXo does, each broken file, component or plugin is then skipped.",
              file=sys.stderr)
        return EXIT_CONFIG
    if errors and options.strict:
        return EXIT_CONFIG
    workers_problem = _workers_problem(options, settings)
    if workers_problem:
        print(f"error: {workers_problem}", file=sys.stderr)
        return EXIT_USAGE
    try:
        settings = settings.with_secret()  # only now: a refused start leaves no data folder behind
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    from .runner import ExoServerApplication

    try:
        ExoServerApplication(options, settings).run()
    finally:
        # gunicorn's master (after its workers) and each worker (after worker_exit) leave through here. The
        # interpreter's last garbage collections would then examine every object of the container and the libraries
        # it booted: seconds per process on a stop or restart, for memory the exit frees anyway. Frozen, they are
        # skipped; atexit handlers and non-daemon threads are still waited for as in any exit.
        gc.freeze()
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
