"""``exo-container``: check, dump and graph a configuration without running it.

::

    exo-container check [files...]   parse, resolve and merge; every problem (each problem of
                                     a dropped file, every ${} nobody defined, imports not
                                     found, unknown plugin targets) as
                                     "file:line: error|warning: message";
                                     --deep: also load the classes and check constructors
                                     and plugins; exit 1 on errors (--strict: warnings too)
    exo-container dump [files...]    the merged, resolved configuration as eXo XML;
                                     exit 1 when a file was dropped
    exo-container graph [files...]   components and their constructor dependencies (--dot)

``check`` and ``dump`` run no project code unless ``--deep``: no component module is
imported and no object-param constructor runs (see :mod:`exo_container.codepolicy`);
``graph`` needs the classes, so it loads them.

Common options: ``-D name=value`` (repeatable), ``--properties FILE``,
``--extensions DIR`` (repeatable; default ``<folder of the first file>/extensions``),
``--profiles a,b``.  Files default to ``configuration.xml``; extensions are booted as
the server would (see :mod:`exo_container.boot`).  Nothing is started.
"""
from __future__ import annotations

import argparse
import logging
import sys
from typing import Sequence, TextIO

from .boot import Deployment, load
from .checks import misspelled_properties
from .container import ComponentAdapter, ExoContainer
from .dump import dump_deployment
from .errors import ConfigurationError, ConfigurationWarning, KernelError
from .validation import validate_init_params


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("files", nargs="*", default=["configuration.xml"],
                        help="configuration files, loaded in order (default: configuration.xml)")
    common.add_argument("-D", dest="defines", action="append", default=[], metavar="NAME=VALUE",
                        help="set a property, as a JVM -D (repeatable)")
    common.add_argument("--properties", metavar="FILE", help="properties file (default: exo.properties next to the first file)")
    common.add_argument("--extensions", action="append", metavar="DIR",
                        help="folder of extensions (repeatable; default: extensions/ next to the first file)")
    common.add_argument("--profiles", default="", metavar="A,B", help="extra active profiles")
    common.add_argument("--strict", action="store_true", help="check: warnings fail too; dump/graph: any problem fails")
    common.add_argument("--deep", action="store_true",
                        help="check, dump: load the classes (imports project modules, builds object-params) and, "
                             "for check, verify constructors and plugins")

    parser = argparse.ArgumentParser(prog="exo-container", description="Inspect eXo-style kernel configuration.")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("check", parents=[common], help="report every configuration problem")
    commands.add_parser("dump", parents=[common], help="print the merged, resolved configuration")
    graph = commands.add_parser("graph", parents=[common], help="print components and their dependencies")
    graph.add_argument("--dot", action="store_true", help="Graphviz dot output")
    return parser


def _defines(items: Sequence[str]) -> dict[str, str]:
    defines = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise SystemExit(f"exo-container: -D expects NAME=VALUE, got {item!r}")
        defines[name.strip()] = value
    return defines


def _load(args: argparse.Namespace, run_code: bool) -> Deployment:
    return load(
        args.files,
        properties_file=args.properties,
        extensions_dirs=args.extensions,
        system_properties=_defines(args.defines),
        profiles=[p.strip() for p in args.profiles.split(",") if p.strip()],
        run_code=run_code,
    )


def _deploy(args: argparse.Namespace) -> tuple[Deployment, ExoContainer]:
    deployment = _load(args, run_code=True)
    return deployment, deployment.build_container()


def format_problem(problem: ConfigurationError) -> str:
    """``file:line: error: message`` (compiler style, so editors can jump to it)."""
    where = ""
    if problem.file:
        where = f"{problem.file}:{problem.line}: " if problem.line else f"{problem.file}: "
    return f"{where}{problem.severity}: {problem.message}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def check(args: argparse.Namespace, out: TextIO) -> int:
    try:
        deployment = _load(args, run_code=args.deep)
        if args.deep:  # and the init-params each class's validate_init_params refuses (exo_container.validation)
            problems = [*deployment.verify(), *validate_init_params(deployment.build_container())]
        else:
            problems = [*deployment.problems, *deployment.unknown_external_targets()]
        problems += misspelled_properties(deployment.properties, deployment.referenced)
    except KernelError as exc:  # a problem so bad that nothing could be built
        problem = exc if isinstance(exc, ConfigurationError) else ConfigurationError(str(exc))
        print(format_problem(problem), file=out)
        return 1
    for problem in problems:
        print(format_problem(problem), file=out)
    errors = sum(not isinstance(p, ConfigurationWarning) for p in problems)
    warnings = len(problems) - errors
    components = deployment.component_count
    scope = "" if args.deep else " (classes not loaded: --deep imports them and checks constructors and plugins)"
    print(f"{_count(len(deployment.files), 'file')}, {_count(len(deployment.extensions), 'extension')}, "
          f"{_count(components, 'component')}: {_count(errors, 'error')}, {_count(warnings, 'warning')}{scope}",
          file=out)
    return 1 if errors or (args.strict and warnings) else 0


def dump(args: argparse.Namespace, out: TextIO) -> int:
    """The merged configuration; exit 1 when a file was dropped (the dump lacks it), or on any problem with --strict."""
    deployment = _load(args, run_code=args.deep)
    out.write(dump_deployment(deployment))
    for problem in deployment.problems:
        print(format_problem(problem), file=sys.stderr)
    return 1 if deployment.errors or (args.strict and deployment.problems) else 0


def _label(adapter: ComponentAdapter) -> str:
    """The key as the configuration wrote it (a Java name stays a Java name)."""
    return adapter.config.effective_key if adapter.config is not None else adapter.key_name


def graph(args: argparse.Namespace, out: TextIO) -> int:
    _, portal = _deploy(args)
    containers = [c for c in (portal.root, *portal.root.portal_containers) if any(a.config for a in c)]
    failed = False
    lines: list[str] = []
    edges: list[tuple[str, str, str]] = []
    for container, adapter in ((c, a) for c in containers for a in c):
        if adapter.config is None:
            continue
        if len(containers) > 1 and adapter is next(a for a in container if a.config is not None):
            lines.append(f"# {'root container' if container is portal.root else f'portal container {container.name}'}")
        try:
            dependencies = container.dependencies_of(adapter)
        except KernelError as exc:
            failed = True
            lines.append(f"{_label(adapter)}  ({adapter.source})\n    !! {exc}")
            continue
        block = [f"{_label(adapter)}  ({adapter.source})" if adapter.source else _label(adapter)]
        for dep in dependencies:
            if dep.adapter is not None:
                block.append(f"    -> {_label(dep.adapter)}  [{dep.parameter.name}]")
                edges.append((_label(adapter), _label(dep.adapter), dep.parameter.name))
            elif dep.value == "init-params":
                block.append(f"    <- init-params  [{dep.parameter.name}]")
        for plugin in container.plugins_for(adapter):
            block.append(f"    + plugin {plugin.name} ({plugin.type}) via {plugin.set_method}")
        lines.append("\n".join(block))
    if args.dot:
        print("digraph components {", file=out)
        print("  rankdir=LR;", file=out)
        for adapter in (a for c in containers for a in c):
            if adapter.config is not None:
                print(f'  "{_label(adapter)}";', file=out)
        for source, target, param in edges:
            print(f'  "{source}" -> "{target}" [label="{param}"];', file=out)
        print("}", file=out)
    else:
        print("\n".join(lines), file=out)
    return 1 if failed or (args.strict and portal.problems) else 0


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.CRITICAL)  # problems are printed, not logged twice
    out = out if out is not None else sys.stdout
    return {"check": check, "dump": dump, "graph": graph}[args.command](args, out)


if __name__ == "__main__":
    sys.exit(main())
