"""Time to parse + wire + start a large generated kernel configuration.

Generates, in a temporary folder: a Python module of 1,000 component classes (each
needs InitParams and, for most, the previous component; every other one is Startable)
and 50 configuration files (configuration.xml imports the 49 others) declaring the
1,000 components with ``${}`` values resolved from exo.properties, plus 200 external
plugins spread over the files.  Prints the time of each phase; target: < 1 s total.

    python bench/kernel_boot.py [--profile]
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
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
    for adapter in container.get_component_adapters():
        container.get_component_instance(adapter.key)
    t2 = time.perf_counter()
    container.start()
    t3 = time.perf_counter()
    assert not container.problems, container.problems[:3]
    assert len(container.configuration.components) == COMPONENTS
    assert sum(len(c.plugins) for c in container.get_components_of_type(object) if hasattr(c, "plugins")) == PLUGINS
    container.dispose()
    return {"parse": t1 - t0, "wire": t2 - t1, "start": t3 - t2, "total": t3 - t0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", action="store_true", help="print the 25 most expensive calls")
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


if __name__ == "__main__":
    main()
