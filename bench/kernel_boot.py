"""Time to parse + wire + start a large generated kernel configuration, and the cost of
``exo-container check`` on one very large file next to a bare lxml parse of it.

Boot: generates, in a temporary folder, a Python module of 1,000 component classes (each
needs InitParams and, for most, the previous component; every other one is Startable)
and 50 configuration files (configuration.xml imports the 49 others) declaring the
1,000 components with ``${}`` values resolved from exo.properties, plus 200 external
plugins spread over the files.  Prints the time of each phase; target: < 1 s total.

Large file: one file of 20,000 components (about 9 MB, each with a ``${}`` value-param
and a properties-param); prints the CPU time of a bare ``lxml.etree.parse`` and of
``exo-container check`` (best of a few interleaved runs, CPU time so that other processes
on the machine count less), their ratio (target: at most 5x) and the load it ran under,
and the peak memory each adds to a fresh process (issue 10: 151 MB before the streaming
reader; target: half). With ``--instructions``, also the instructions each executes (counted
by ``valgrind --tool=callgrind``, a minute or two): unlike time, the count does not depend on
what else the machine is running.

    python bench/kernel_boot.py [--profile] [--large N] [--runs N] [--no-large] [--instructions]
"""
from __future__ import annotations

import argparse
import cProfile
import io
import logging
import os
import pstats
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMPONENTS = 1000
PLUGINS = 200
FILES = 50
NS = "http://www.exoplatform.org/xml/ns/kernel_1_3.xsd"


def generate(root: Path) -> Path:
    module = ["from exo_container import ComponentPlugin, InitParams, Startable", ""]
    module.append("class Plugin(ComponentPlugin):\n    def __init__(self, params: InitParams | None):\n"
                  "        self.params = params\n")
    for i in range(COMPONENTS):
        base = "Startable" if i % 2 == 0 else "object"
        dep = f", previous: C{i - 1}" if i % 20 else ""  # chains of 20 within each file
        body = [f"class C{i}({base}):",
                f"    def __init__(self, params: InitParams{dep}):",
                "        self.url = params.get_value_param('url').value",
                "        self.plugins = []",
                "    def add_plugin(self, plugin: Plugin):",
                "        self.plugins.append(plugin)"]
        if base == "Startable":
            body += ["    def start(self):", "        self.running = True",
                     "    def stop(self):", "        self.running = False"]
        module.append("\n".join(body) + "\n")
    (root / "bench_components.py").write_text("\n".join(module), encoding="utf-8")
    (root / "exo.properties").write_text(
        "\n".join(f"bench.url.{i}=jdbc:h2:mem:db{i}" for i in range(0, COMPONENTS, 2)) + "\n", encoding="utf-8")

    per_file = COMPONENTS // FILES
    plugins_per_file = PLUGINS // FILES
    for f in range(FILES):
        parts = []
        for i in range(f * per_file, (f + 1) * per_file):
            parts.append(
                f"<component><key>bench.C{i}</key><type>bench_components.C{i}</type><init-params>"
                f"<value-param><name>url</name><value>${{bench.url.{i}:jdbc:default:{i}}}</value></value-param>"
                f"<properties-param><name>props</name><property name=\"p\" value=\"${{bench.url.{i}}}-x\"/></properties-param>"
                "</init-params></component>")
        for p in range(plugins_per_file):
            target = (f * plugins_per_file + p) * (COMPONENTS // PLUGINS)
            parts.append(
                f"<external-component-plugins><target-component>bench.C{target}</target-component>"
                f"<component-plugin><name>plugin-{f}-{p}</name><set-method>addPlugin</set-method>"
                f"<type>bench_components.Plugin</type><priority>{p % 3}</priority><init-params>"
                f"<value-param><name>v</name><value>${{bench.url.{target}:none}}</value></value-param>"
                "</init-params></component-plugin></external-component-plugins>")
        if f == 0:
            parts += [f"<import>part{n:02d}.xml</import>" for n in range(1, FILES)]
        name = "configuration.xml" if f == 0 else f"part{f:02d}.xml"
        (root / name).write_text(f'<?xml version="1.0"?>\n<configuration xmlns="{NS}">\n'
                                 + "\n".join(parts) + "\n</configuration>\n", encoding="utf-8")
    return root / "configuration.xml"


def run(configuration: Path) -> dict[str, float]:
    from exo_container import load

    t0 = time.perf_counter()
    deployment = load(configuration, environ={})
    t1 = time.perf_counter()
    container = deployment.build_container()
    root = container.root  # the generated file is a root configuration: its components live in the root container
    for adapter in root.get_component_adapters():
        root.get_component_instance(adapter.key)
    t2 = time.perf_counter()
    container.start()
    t3 = time.perf_counter()
    errors = [p for p in container.problems if p.severity == "error"]  # odd bench.url.N are undefined: warnings
    assert not errors, errors[:3]
    assert len(root.configuration.components) == COMPONENTS
    assert sum(len(c.plugins) for c in root.get_components_of_type(object) if hasattr(c, "plugins")) == PLUGINS
    container.dispose()
    return {"parse": t1 - t0, "wire": t2 - t1, "start": t3 - t2, "total": t3 - t0}


def generate_large(path: Path, components: int) -> Path:
    parts = []
    for i in range(components):
        parts.append(
            f"  <component>\n    <key>bench.large.Component{i}</key>\n    <type>bench_components.C{i % COMPONENTS}</type>\n"
            "    <init-params>\n      <value-param>\n        <name>url</name>\n"
            f"        <value>${{bench.url.{i}:jdbc:default:{i}}}</value>\n      </value-param>\n"
            "      <properties-param>\n        <name>props</name>\n"
            "        <property name=\"user\" value=\"${bench.user:sa}\"/>\n"
            f"        <property name=\"pool\" value=\"{i % 50}\"/>\n      </properties-param>\n"
            "    </init-params>\n  </component>")
    path.write_text(f'<?xml version="1.0"?>\n<configuration xmlns="{NS}">\n' + "\n".join(parts)
                    + "\n</configuration>\n", encoding="utf-8")
    return path


# VmHWM (the peak RSS of this address space), not ru_maxrss: a child's ru_maxrss starts at its
# parent's, so a big parent would hide the child's own peak
_PEAK = """
import io, re, sys
def hwm():
    return int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1))
from lxml import etree
from exo_container.cli import main
before = hwm()
if sys.argv[1] == "bare":
    tree = etree.parse(sys.argv[2])
else:
    main(["check", sys.argv[2]], out=io.StringIO())
print((hwm() - before) / 1024)
"""


def peak_mb(mode: str, path: Path) -> float:
    """Peak resident memory (MB) that a bare parse or a check adds to a fresh interpreter (Linux),
    with lxml and the kernel already imported in both cases."""
    done = subprocess.run([sys.executable, "-c", _PEAK, mode, str(path)], capture_output=True, text=True, check=True)
    return float(done.stdout.strip())


# the same imports and file read in each, so that subtracting the first leaves the parse or the check
_COUNTED = """
import io, logging, sys
from lxml import etree
from exo_container.cli import main
logging.getLogger("exo_container").setLevel(logging.ERROR)
data = open(sys.argv[2], "rb").read()
if sys.argv[1] == "bare":
    etree.parse(sys.argv[2])
elif sys.argv[1] == "check":
    main(["check", sys.argv[2]], out=io.StringIO())
"""


def instructions(mode: str, path: Path, folder: Path) -> int:
    """Instructions a fresh interpreter executes (valgrind's callgrind) for ``mode``: "none"
    (start, imports, the file read), "bare" or "check" on top of that."""
    done = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={folder / 'callgrind.out'}",
                           sys.executable, "-c", _COUNTED, mode, str(path)], capture_output=True, text=True, check=True)
    return int(re.search(r"Collected : (\d+)", done.stderr).group(1))


def cpu(action) -> float:
    start = time.process_time()
    action()
    return time.process_time() - start


def run_large(root: Path, components: int, runs: int, count_instructions: bool) -> None:
    from lxml import etree

    from exo_container.cli import main as exo_container

    path = generate_large(root / "large.xml", components)
    # interleaved, so that both see the same load: on a shared machine other processes slow a
    # run down by tens of percent, which a bare parse measured minutes apart would not share
    load = os.getloadavg()[0]
    bare, check = [], []
    for _ in range(runs):
        bare.append(cpu(lambda: etree.parse(str(path))))
        check.append(cpu(lambda: exo_container(["check", str(path)], out=io.StringIO())))
    ratio = min(check) / min(bare)
    pairs = statistics.median(c / b for b, c in zip(bare, check))
    print(f"large file: {components} components, {path.stat().st_size / 1e6:.1f} MB "
          f"(best of {runs} interleaved runs; load average {load:.1f} on {os.cpu_count()} CPUs)")
    print(f"  bare lxml parse   {min(bare) * 1000:8.1f} ms CPU")
    print(f"  exo-container check {min(check) * 1000:6.1f} ms CPU  ({ratio:.1f}x; target <= 5x: "
          f"{'met' if ratio <= 5 else 'MISSED'}; median of the runs' own ratios {pairs:.1f}x)")
    print(f"  peak memory added: bare parse {peak_mb('bare', path):.0f} MB, check {peak_mb('check', path):.0f} MB "
          "(151 MB before; target <= 75 MB)")
    if count_instructions:
        if shutil.which("valgrind") is None:
            print("  instructions: valgrind not found")
            return
        base = instructions("none", path, root)
        bare_count = instructions("bare", path, root) - base
        check_count = instructions("check", path, root) - base
        print(f"  instructions (callgrind): bare lxml parse {bare_count / 1e6:,.0f} M, exo-container check "
              f"{check_count / 1e6:,.0f} M ({check_count / bare_count:.2f}x)")


def main() -> None:
    logging.getLogger("exo_container").setLevel(logging.ERROR)  # the expected warnings are not the point here
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="print the 25 most expensive calls")
    parser.add_argument("--large", type=int, default=20000, metavar="N", help="components in the large file")
    parser.add_argument("--no-large", action="store_true", help="skip the large-file measurement")
    parser.add_argument("--runs", type=int, default=5, metavar="N", help="bare parse / check pairs to run")
    parser.add_argument("--instructions", action="store_true",
                        help="also count the instructions of the bare parse and of the check (valgrind)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        configuration = generate(root)
        sys.path.insert(0, str(root))
        import exo_container  # noqa: F401  (import cost is not boot cost)
        import bench_components  # noqa: F401  (class loading is measured once, outside the timed run)

        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        times = run(configuration)
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    print(f"kernel boot: {COMPONENTS} components, {PLUGINS} plugins, {FILES} files")
    for phase, seconds in times.items():
        print(f"  {phase:<6} {seconds * 1000:8.1f} ms")
    print(f"  target < 1000 ms: {'met' if times['total'] < 1 else 'MISSED'}")
    if not args.no_large:
        with tempfile.TemporaryDirectory() as tmp:
            run_large(Path(tmp), args.large, args.runs, args.instructions)


if __name__ == "__main__":
    main()
