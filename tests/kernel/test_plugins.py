"""Component plugins: building, ordering, set-method resolution and failures (§6.3)."""
from __future__ import annotations

from pathlib import Path

import pytest

from exo_container import ComponentPlugin, ConfigurationWarning, ExoContainer, InitParams, boot, java_name


@java_name("plg.Registry")
class Registry:
    def __init__(self) -> None:
        self.plugins: list[ComponentPlugin] = []

    def add_plugin(self, plugin: ComponentPlugin) -> None:
        self.plugins.append(plugin)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.plugins]


@java_name("plg.CamelRegistry")
class CamelRegistry(Registry):
    """Offers the Java name too: the exact set-method name wins over its snake_case form."""

    def addPlugin(self, plugin: ComponentPlugin) -> None:  # noqa: N802 - the name under test
        self.plugins.append(plugin)
        plugin.via = "addPlugin"


@java_name("plg.Clock")
class Clock:
    pass


@java_name("plg.Named")
class Named(ComponentPlugin):
    pass


@java_name("plg.Configured")
class Configured(ComponentPlugin):
    def __init__(self, params: InitParams, clock: Clock):
        self.params, self.clock = params, clock


@java_name("plg.Broken")
class Broken(ComponentPlugin):
    def __init__(self) -> None:
        raise RuntimeError("no licence key")


@java_name("plg.NotAPlugin")
class NotAPlugin:
    pass


@java_name("plg.BackReference")
class BackReference(ComponentPlugin):
    """Needs the component it is plugged into: gets the instance being built (kernel creation context)."""

    def __init__(self, registry: Registry):
        self.registry = registry


@pytest.fixture
def container(write_config):
    def build(body: str) -> ExoContainer:
        return boot(write_config("configuration.xml", body), environ={}, start=False)

    return build


def plugin(name: str, type_: str = "plg.Named", priority: int | None = None, set_method: str = "addPlugin",
           extra: str = "") -> str:
    prio = f"<priority>{priority}</priority>" if priority is not None else ""
    return (f"<component-plugin><name>{name}</name><set-method>{set_method}</set-method><type>{type_}</type>"
            f"<description>about {name}</description>{prio}{extra}</component-plugin>")


def external(target: str, *plugins: str) -> str:
    body = "".join(f"\n{p}" for p in plugins)  # one plugin per line: lines tell them apart
    return f"<external-component-plugins><target-component>{target}</target-component>{body}</external-component-plugins>"


REGISTRY = "<component><type>plg.Registry</type></component>"


def test_external_plugins_are_applied_by_priority_across_blocks(container):
    # TestContainer.testPriorityPlugins: priorities 2 (block 1), 1 and none (block 2) -> [none, 1, 2]
    c = container(REGISTRY + external("plg.Registry", plugin("p2", priority=2))
                  + external("plg.Registry", plugin("p1", priority=1), plugin("p0")))
    assert c.get_component_instance(Registry).names == ["p0", "p1", "p2"]


def test_own_plugins_come_before_external_ones_each_sorted_by_priority(container):
    c = container(
        "<component><type>plg.Registry</type><component-plugins>"
        + plugin("own5", priority=5) + plugin("own1", priority=1)
        + "</component-plugins></component>"
        + external("plg.Registry", plugin("ext-5", priority=-5))
    )
    assert c.get_component_instance(Registry).names == ["own1", "own5", "ext-5"]


def test_equal_priorities_keep_declaration_order(container):
    c = container(REGISTRY + external("plg.Registry", plugin("b"), plugin("a"), plugin("c")))
    assert c.get_component_instance(Registry).names == ["b", "a", "c"]


def test_plugin_gets_its_name_and_description(container):
    c = container(REGISTRY + external("plg.Registry", plugin("sms")))
    [sms] = c.get_component_instance(Registry).plugins
    assert (sms.get_name(), sms.get_description()) == ("sms", "about sms")


def test_plugin_is_built_with_its_own_init_params_and_components(container):
    params = "<init-params><value-param><name>url</name><value>http://x</value></value-param></init-params>"
    c = container(REGISTRY + "<component><type>plg.Clock</type></component>"
                  + external("plg.Registry", plugin("cfg", "plg.Configured", extra=params)))
    [configured] = c.get_component_instance(Registry).plugins
    assert configured.params.get_value_param("url").value == "http://x"
    assert configured.clock is c.get_component_instance(Clock)


def test_set_method_falls_back_to_its_snake_case_form(container):
    c = container(REGISTRY + external("plg.Registry", plugin("x", set_method="addPlugin")))
    assert c.get_component_instance(Registry).names == ["x"]


def test_exact_set_method_name_wins_over_the_snake_case_form(container):
    c = container("<component><type>plg.CamelRegistry</type></component>" + external("plg.CamelRegistry", plugin("x")))
    [x] = c.get_component_instance(CamelRegistry).plugins
    assert x.via == "addPlugin"


def test_external_plugins_match_the_target_by_python_dotted_path(container):
    c = container(REGISTRY + external("test_plugins.Registry", plugin("by-path")))
    assert c.get_component_instance(Registry).names == ["by-path"]


def test_plugin_whose_class_is_missing_is_skipped_and_the_component_still_created(container, tmp_path: Path):
    c = container(REGISTRY + external("plg.Registry", plugin("ghost", "plg.Ghost"), plugin("real")))
    assert c.get_component_instance(Registry).names == ["real"]
    [problem] = c.problems
    assert (problem.file, problem.line) == (str(tmp_path / "configuration.xml"), 4)
    assert problem.message.startswith("Plugin ghost (plg.Ghost): class not found")


def test_plugin_whose_constructor_fails_is_skipped_with_the_reason(container):
    c = container(REGISTRY + external("plg.Registry", plugin("broken", "plg.Broken"), plugin("real")))
    assert c.get_component_instance(Registry).names == ["real"]
    assert "cannot build it: RuntimeError: no licence key; plugin skipped" in c.problems[0].message


def test_plugin_with_a_missing_set_method_is_skipped(container):
    c = container(REGISTRY + external("plg.Registry", plugin("x", set_method="registerThing"), plugin("real")))
    assert c.get_component_instance(Registry).names == ["real"]
    assert "has no method registerThing or register_thing; plugin skipped" in c.problems[0].message


def test_plugin_of_a_type_the_set_method_does_not_accept_is_skipped(container):
    c = container(REGISTRY + external("plg.Registry", plugin("odd", "plg.NotAPlugin")))
    assert c.get_component_instance(Registry).plugins == []
    assert "add_plugin expects ComponentPlugin, not NotAPlugin" in c.problems[0].message


def test_plugin_needing_its_own_target_gets_the_instance_being_built(container):
    c = container(REGISTRY + external("plg.Registry", plugin("back", "plg.BackReference")))
    registry = c.get_component_instance(Registry)
    assert registry.plugins[0].registry is registry


def test_unknown_external_target_gives_one_warning_per_target(container, tmp_path: Path):
    c = container(REGISTRY + external("org.exoplatform.commons.addons.AddOnService", plugin("a"), plugin("b")))
    [warning] = c.problems
    assert isinstance(warning, ConfigurationWarning)
    assert str(warning) == (
        f"{tmp_path / 'configuration.xml'}:3: External plugins for unknown target "
        "org.exoplatform.commons.addons.AddOnService (2 plugins, declared at lines 4, 5) skipped"
    )


def test_unknown_target_across_two_files_is_still_one_warning(write_config):
    write_config("more.xml", external("nowhere.Service", plugin("b")))
    root = write_config("configuration.xml", REGISTRY + external("nowhere.Service", plugin("a")) + "<import>more.xml</import>")
    c = boot(root, environ={}, start=False)
    assert len(c.problems) == 1
    assert "unknown target nowhere.Service (2 plugins, declared at " in c.problems[0].message
