"""``exo-container check | dump | graph``: outputs and exit codes."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import etree

from exo_container import InitParams, java_name
from exo_container.cli import main


@java_name("cli.Store")
class Store:
    def __init__(self, params: InitParams | None):
        self.params = params


@java_name("cli.Service")
class Service:
    def __init__(self, store: Store):
        self.store = store

    def add_plugin(self, plugin: object) -> None:
        pass


@java_name("cli.Lonely")
class Lonely:
    def __init__(self, store: Store):
        self.store = store


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(list(argv), out=out)
    return code, out.getvalue()


GOOD = """
<component><type>cli.Store</type>
  <init-params><value-param><name>url</name><value>${db.url:sqlite:///calls.db}</value></value-param></init-params>
</component>
<component><type>cli.Service</type></component>
"""


def test_check_of_a_sound_configuration_exits_0_with_a_summary(write_config):
    code, out = run("check", str(write_config("configuration.xml", GOOD)))
    assert code == 0
    assert out == "1 file, 0 extensions, 2 components: 0 errors, 0 warnings\n"


def test_check_reports_a_missing_class_with_file_and_line_and_exits_1(write_config):
    path = write_config("configuration.xml", GOOD + "<component><type>cli.Missing</type></component>")
    code, out = run("check", str(path))
    assert code == 1
    assert out.splitlines()[0].startswith(f"{path}:7: error: Class cli.Missing of component cli.Missing not found")


def test_check_reports_an_unsatisfiable_constructor_without_starting(write_config):
    path = write_config("configuration.xml", "<component><type>cli.Lonely</type></component>")
    code, out = run("check", str(path))
    assert code == 1
    assert out.splitlines()[0] == (
        f"{path}:3: error: Cannot find a satisfying constructor for test_cli.Lonely with parameter store: Store "
        "(no component registered for that type)"
    )


def test_check_reports_a_plugin_whose_class_is_missing(write_config):
    path = write_config("configuration.xml", GOOD + """
        <external-component-plugins><target-component>cli.Service</target-component>
          <component-plugin><name>p</name><set-method>addPlugin</set-method><type>cli.Ghost</type></component-plugin>
        </external-component-plugins>""")
    code, out = run("check", str(path))
    assert code == 1
    assert out.splitlines()[0].startswith(f"{path}:9: error: Plugin p (cli.Ghost): class not found")


def test_check_reports_a_file_the_parser_rejects(write_config):
    path = write_config("configuration.xml", GOOD + "<foo/>")
    code, out = run("check", str(path))
    assert code == 1
    assert out.splitlines()[0].startswith(f"{path}:7: error: unknown element <foo>")


def test_check_exits_0_on_warnings_unless_strict(write_config):
    path = write_config("configuration.xml", GOOD + """
        <external-component-plugins><target-component>nowhere.Service</target-component>
          <component-plugin><name>p</name><set-method>addPlugin</set-method><type>cli.Store</type></component-plugin>
        </external-component-plugins>""")
    code, out = run("check", str(path))
    assert code == 0
    assert f"{path}:8: warning: External plugins for unknown target nowhere.Service" in out
    assert run("check", "--strict", str(path))[0] == 1


def test_dump_prints_the_resolved_configuration_with_the_origin_of_each_component(write_config):
    path = write_config("configuration.xml", GOOD)
    code, out = run("dump", "-D", "db.url=postgres://db", str(path))
    assert code == 0
    root = etree.fromstring(out.encode())
    assert [c.text for c in root.iter(etree.Comment)] == [f" from {path}:3 ", f" from {path}:6 "]
    [value] = root.iter("{*}value")
    assert value.text == "postgres://db"


def test_dump_reads_profiles_and_properties_file(write_config, tmp_path: Path):
    properties = tmp_path / "custom.properties"
    properties.write_text("db.url=mysql://db\n", encoding="utf-8")
    path = write_config("configuration.xml", GOOD + '<component profiles="extra"><type>cli.Lonely</type></component>')
    out = run("dump", "--properties", str(properties), "--profiles", "extra", str(path))[1]
    assert "mysql://db" in out and "cli.Lonely" in out


def test_graph_lists_each_component_with_its_dependencies(write_config):
    path = write_config("configuration.xml", GOOD)
    code, out = run("graph", str(path))
    assert code == 0
    assert out.splitlines() == [
        f"cli.Store  ({path}:3)",
        "    <- init-params  [params]",
        f"cli.Service  ({path}:6)",
        "    -> cli.Store  [store]",
    ]


def test_graph_as_dot(write_config):
    out = run("graph", "--dot", str(write_config("configuration.xml", GOOD)))[1]
    assert '  "cli.Service" -> "cli.Store" [label="store"];' in out.splitlines()


def test_bad_define_is_a_usage_error(write_config):
    with pytest.raises(SystemExit, match="-D expects NAME=VALUE"):
        run("check", "-D", "novalue", str(write_config("configuration.xml", GOOD)))
