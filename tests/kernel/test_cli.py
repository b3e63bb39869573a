"""``exo-container check | dump | graph``: outputs and exit codes."""
from __future__ import annotations

import io
import sys
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
    assert out == ("1 file, 0 extensions, 2 components: 0 errors, 0 warnings "
                   "(classes not loaded: --deep imports them and checks constructors and plugins)\n")


def test_deep_check_of_a_sound_configuration_exits_0_with_a_summary(write_config):
    code, out = run("check", "--deep", str(write_config("configuration.xml", GOOD)))
    assert code == 0
    assert out == "1 file, 0 extensions, 2 components: 0 errors, 0 warnings\n"


def test_deep_check_reports_a_missing_class_with_file_and_line_and_exits_1(write_config):
    path = write_config("configuration.xml", GOOD + "<component><type>cli.Missing</type></component>")
    code, out = run("check", "--deep", str(path))
    assert code == 1
    assert out.splitlines()[0].startswith(f"{path}:7: error: Class cli.Missing of component cli.Missing not found")


def test_deep_check_reports_an_unsatisfiable_constructor_without_starting(write_config):
    path = write_config("configuration.xml", "<component><type>cli.Lonely</type></component>")
    code, out = run("check", "--deep", str(path))
    assert code == 1
    assert out.splitlines()[0] == (
        f"{path}:3: error: Cannot find a satisfying constructor for test_cli.Lonely with parameter store: Store "
        "(no component registered for that type)"
    )


def test_deep_check_reports_a_plugin_whose_class_is_missing(write_config):
    path = write_config("configuration.xml", GOOD + """
        <external-component-plugins><target-component>cli.Service</target-component>
          <component-plugin><name>p</name><set-method>addPlugin</set-method><type>cli.Ghost</type></component-plugin>
        </external-component-plugins>""")
    code, out = run("check", "--deep", str(path))
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
    assert [c.text for c in root.iter(etree.Comment)] == [f" root container, from {path}:3 ",
                                                          f" root container, from {path}:6 "]
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


# --- an honest check (issue 10) ----------------------------------------------------------

TRIPWIRE = """
import pathlib
pathlib.Path(__file__).with_name("tripwire-ran").write_text("imported")


class Thing:
    def __init__(self):
        pathlib.Path(__file__).with_name("constructor-ran").write_text("built")
"""


@pytest.fixture
def tripwire(tmp_path: Path, monkeypatch) -> Path:
    """A module that leaves a file behind when imported, and another when its class is built."""
    package = tmp_path / "code"
    package.mkdir()
    (package / "cli_tripwire.py").write_text(TRIPWIRE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(package))
    yield package
    sys.modules.pop("cli_tripwire", None)


CRAFTED = """
<component><type>cli_tripwire.Thing</type>
  <init-params><object-param><name>o</name>
    <object type="cli_tripwire.Thing"><field name="colour"><string>red</string></field></object>
  </object-param></init-params>
</component>
"""


@pytest.mark.parametrize("command", ["check", "dump"])
def test_check_and_dump_import_no_module_and_build_no_object(command, write_config, tripwire: Path):
    code, _ = run(command, str(write_config("configuration.xml", CRAFTED)))
    assert code == 0
    assert not (tripwire / "tripwire-ran").exists() and not (tripwire / "constructor-ran").exists()
    assert "cli_tripwire" not in sys.modules


def test_deep_check_loads_the_classes(write_config, tripwire: Path):
    run("check", "--deep", str(write_config("configuration.xml", CRAFTED)))
    assert (tripwire / "tripwire-ran").exists()  # the control: without --deep the same file stays unread


def test_dump_without_deep_writes_an_object_param_as_it_was_read(write_config, tripwire: Path):
    out = run("dump", str(write_config("configuration.xml", CRAFTED)))[1]
    [obj] = etree.fromstring(out.encode()).iter("{*}object")
    assert obj.get("type") == "cli_tripwire.Thing"
    assert [(f.get("name"), f[0].text) for f in obj] == [("colour", "red")]


def test_check_warns_for_each_undefined_variable_with_its_line(write_config):
    path = write_config("configuration.xml", """
        <component><type>cli.Store</type>
          <init-params>
            <value-param><name>url</name><value>${db.url}</value></value-param>
            <value-param><name>user</name><value>${db.user}@${db.host:localhost}</value></value-param>
          </init-params>
        </component>""")
    code, out = run("check", str(path))
    assert code == 0
    assert out.splitlines()[:2] == [
        f"{path}:5: warning: ${{db.url}} in <value> is not defined (no property, no default): left as written",
        f"{path}:6: warning: ${{db.user}} in <value> is not defined (no property, no default): replaced by nothing",
    ]


def test_a_defined_variable_gives_no_warning(write_config):
    path = write_config("configuration.xml", "<component><key>${component.key}</key><type>cli.Store</type></component>")
    assert run("check", "-D", "component.key=store", str(path))[1].startswith("1 file, 0 extensions, 1 component: 0 errors, 0 warnings")


def test_check_lists_every_problem_of_a_dropped_file_then_says_it_was_dropped(write_config):
    path = write_config("configuration.xml", """
        <component><type>cli.Store</type><bogus/></component>
        <component><type>cli.Service</type>
          <init-params><value-param><name>n</name><value>1</value></value-param>
            <object-param><name>o</name><object type="cli.Store"><field name="size"><int>big</int></field></object>
            </object-param>
          </init-params>
        </component>
        <component><key>x</key></component>""")
    code, out = run("check", str(path))
    assert code == 1
    assert out.splitlines()[:4] == [
        f"{path}:3: error: unknown element <bogus> in <component> (expected <type>, <description>, <show-deploy-info>, "
        "<multi-instance>, <component-plugins>, <init-params>)",
        f"{path}:6: error: bad int 'big' in <int>",
        f"{path}:10: error: <component> is missing its required <type>",
        f"{path}: error: file dropped whole, as the kernel does: nothing of it is loaded (3 problems listed above)",
    ]


def test_check_reports_an_import_that_designates_nothing(write_config):
    path = write_config("configuration.xml", GOOD + "<import>classpath:/conf/nowhere/configuration.xml</import>")
    code, out = run("check", str(path))
    assert code == 0
    assert out.splitlines()[0] == (f"{path}:7: warning: import classpath:/conf/nowhere/configuration.xml not found: "
                                   "nothing there to load (the kernel ignores it too)")


def test_dump_exits_1_when_a_file_was_dropped(write_config):
    write_config("broken.xml", "<component><type>cli.Store</type><bogus/></component>")
    path = write_config("configuration.xml", GOOD + "<import>broken.xml</import>")
    code, out = run("dump", str(path))
    assert code == 1
    assert "cli.Service" in out  # what could be read is still dumped


def test_dump_of_a_configuration_with_only_warnings_exits_0_unless_strict(write_config):
    path = write_config("configuration.xml", GOOD + "<component><key>${undefined.key}</key><type>cli.Lonely</type></component>")
    assert run("dump", str(path))[0] == 0
    assert run("dump", "--strict", str(path))[0] == 1


def test_check_flags_a_misspelled_property_with_its_line_and_the_name_meant(write_config, tmp_path: Path):
    properties = tmp_path / "exo.properties"
    properties.write_text("# tunables\ndb.urll=postgres://db\nserver.port=8080\n", encoding="utf-8")
    code, out = run("check", str(write_config("configuration.xml", GOOD)))
    assert code == 0
    assert out.splitlines()[0] == (f"{properties}:2: warning: property db.urll is set but no configuration asks for it: "
                                   "did you mean db.url?")
    assert "server.port" not in out  # nothing resembles it: code may read it directly


def test_a_property_the_configuration_uses_is_not_flagged(write_config, tmp_path: Path):
    (tmp_path / "exo.properties").write_text("db.url=postgres://db\n", encoding="utf-8")
    assert run("check", str(write_config("configuration.xml", GOOD)))[1].startswith("1 file, 0 extensions, 2 components: "
                                                                                   "0 errors, 0 warnings")
