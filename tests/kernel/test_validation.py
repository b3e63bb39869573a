"""exo_container.validation: init-params checked through each class's ``validate_init_params`` hook, creating
nothing, each refusal traced to the property (and properties-file line) that gave the value."""
from __future__ import annotations

from pathlib import Path

from exo_container import InitParams, java_name, load
from exo_container.errors import InvalidParam
from exo_container.validation import validate_init_params

CONSTRUCTED: list[str] = []


def _port(params: InitParams | None) -> int:
    param = params.get_value_param("port") if params else None
    raw = param.get_value() if param else "80"
    if not raw.isdigit():
        raise InvalidParam(f"Listener: port must be a number, not '{raw}'", "port")
    return int(raw)


@java_name("validation.Listener")
class Listener:
    def __init__(self, params: InitParams | None = None):
        CONSTRUCTED.append("listener")
        self.port = self.validate_init_params(params)
        self.plugins: list = []

    @classmethod
    def validate_init_params(cls, params: InitParams | None) -> int:
        return _port(params)

    def add_plugin(self, plugin: object) -> None:
        self.plugins.append(plugin)


@java_name("validation.Route")
class Route:
    def __init__(self, params: InitParams | None = None):
        CONSTRUCTED.append("route")
        self.validate_init_params(params)

    @classmethod
    def validate_init_params(cls, params: InitParams | None) -> None:
        props = params.get_properties_param("route") if params else None
        if props is not None and not (props.get_property("path") or "").startswith("/"):
            raise InvalidParam(f"Route: path must start with /, not '{props.get_property('path')}'", "path")


@java_name("validation.Broken")
class Broken:
    def __init__(self, params: InitParams | None = None):
        pass

    @classmethod
    def validate_init_params(cls, params: InitParams | None) -> None:
        raise KeyError("oops")


@java_name("validation.Plain")
class Plain:
    """No hook: nothing is checked beyond verify()."""

    def __init__(self, params: InitParams | None = None):
        raise AssertionError("a check never constructs")


LISTENER = """
<component>
  <type>validation.Listener</type>
  <init-params>
    <value-param>
      <name>port</name>
      <value>${listener.port:8080}</value>
    </value-param>
  </init-params>
</component>
"""

ROUTE = """
<external-component-plugins>
  <target-component>validation.Listener</target-component>
  <component-plugin>
    <name>route</name>
    <set-method>addPlugin</set-method>
    <type>validation.Route</type>
    <init-params>
      <properties-param>
        <name>route</name>
        <property name="path" value="${route.path:/home}"/>
      </properties-param>
    </init-params>
  </component-plugin>
</external-component-plugins>
"""


def check(path: Path, **kwargs) -> list:
    container = load(path, packages=[], environ={}, **kwargs).build_container()
    return [str(p) for p in validate_init_params(container)]


def test_a_value_set_in_the_properties_file_is_reported_at_its_line(write_config, tmp_path):
    (tmp_path / "exo.properties").write_text("# listener\nlistener.port=http\n", encoding="utf-8")
    path = write_config("configuration.xml", LISTENER)

    assert check(path) == [f"{tmp_path / 'exo.properties'}:2: listener.port: Listener: port must be a number, "
                           "not 'http'"]


def test_a_plugin_value_is_reported_at_the_line_of_the_property_that_set_it(write_config, tmp_path):
    (tmp_path / "exo.properties").write_text("route.path=home\n", encoding="utf-8")
    path = write_config("configuration.xml", LISTENER + ROUTE)

    assert check(path) == [f"{tmp_path / 'exo.properties'}:1: route.path: Route: path must start with /, not 'home'"]


def test_a_value_given_by_a_system_property_names_it_and_where_it_is_read(write_config):
    path = write_config("configuration.xml", LISTENER)

    [problem] = check(path, system_properties={"listener.port": "http"})

    assert problem.startswith(f"{path}:3: listener.port: Listener: port must be a number, not 'http' "
                              "(set by -D or an EXO_* environment variable; read at")


def test_a_value_written_in_the_xml_is_reported_at_its_param(write_config):
    path = write_config("configuration.xml", LISTENER.replace("${listener.port:8080}", "eighty"))

    assert check(path) == [f"{path}:6: Listener: port must be a number, not 'eighty'"]  # its <value-param>


def test_nothing_is_constructed_to_check(write_config):
    CONSTRUCTED.clear()
    path = write_config("configuration.xml", LISTENER + ROUTE + "<component><type>validation.Plain</type></component>")

    assert check(path) == []
    assert CONSTRUCTED == []


def test_a_hook_that_breaks_is_reported_with_its_component(write_config):
    path = write_config("configuration.xml", "<component><type>validation.Broken</type></component>")

    assert check(path) == [f"{path}:3: test_validation.Broken: its init-params cannot be checked: KeyError: 'oops'"]


def test_exo_container_deep_check_reports_a_refused_init_param_and_fails(write_config, tmp_path):
    import io

    from exo_container.cli import main

    (tmp_path / "exo.properties").write_text("listener.port=http\n", encoding="utf-8")
    out = io.StringIO()

    code = main(["check", "--deep", str(write_config("configuration.xml", LISTENER))], out=out)

    assert code == 1
    assert out.getvalue().splitlines()[0] == (f"{tmp_path / 'exo.properties'}:1: error: listener.port: Listener: "
                                              "port must be a number, not 'http'")
