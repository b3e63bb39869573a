"""§7: how several files combine into one configuration."""
from exo_container.loader import ConfigurationLoader, finish_configuration, merge
from exo_container.properties import PropertyStore
from exo_container.xml.model import ComponentConfig, Configuration, ExternalPluginsConfig, PluginConfig


def plugin(name: str, priority: int = 0) -> str:
    prio = f"<priority>{priority}</priority>" if priority else ""
    return f"<component-plugin><name>{name}</name><set-method>add</set-method><type>P</type>{prio}</component-plugin>"


def external(target: str, *plugins: str) -> str:
    return f"<external-component-plugins><target-component>{target}</target-component>{''.join(plugins)}" \
           "</external-component-plugins>"


def load(*paths):
    loader = ConfigurationLoader(PropertyStore(), profiles=set())
    for path in paths:
        loader.add_configuration(path)
    return loader


def test_later_component_replaces_the_earlier_one_whole(write_config):
    first = write_config("1.xml", """<component><key>K</key><type>First</type><init-params>
        <value-param><name>only-in-first</name><value>x</value></value-param></init-params></component>""")
    second = write_config("2.xml", "<component><key>K</key><type>Second</type></component>")
    component = load(first, second).finish().components["K"]
    assert (component.type, component.init_params) == ("Second", None)


def test_external_plugins_accumulate_across_files_sorted_by_priority_stably(write_config):
    first = write_config("1.xml", external("Target", plugin("PluginPriority2", 2)))
    second = write_config("2.xml", external("Target", plugin("PluginPriority1", 1), plugin("PluginPriority3")))
    plugins = load(first, second).finish().external_plugins["Target"].plugins
    assert [p.name for p in plugins] == ["PluginPriority3", "PluginPriority1", "PluginPriority2"]


def test_plugins_of_equal_priority_keep_load_order(write_config):
    first = write_config("1.xml", external("T", plugin("a"), plugin("b")))
    second = write_config("2.xml", external("T", plugin("c"), plugin("early", -1)))
    assert [p.name for p in load(first, second).finish().external_plugins["T"].plugins] == ["early", "a", "b", "c"]


def test_remove_configuration_applies_after_the_last_file(write_config):
    first = write_config("1.xml", "<remove-configuration>K</remove-configuration>")
    second = write_config("2.xml", "<component><key>K</key><type>T</type></component>" + external("K", plugin("p")))
    finished = load(first, second).finish()
    assert (finished.components, list(finished.external_plugins)) == ({}, ["K"])


def test_remove_configuration_of_an_unknown_key_is_a_no_op(write_config):
    path = write_config("1.xml", "<component><type>T</type></component><remove-configuration>nope</remove-configuration>")
    assert list(load(path).finish().components) == ["T"]


def test_finish_leaves_the_accumulated_configuration_untouched(write_config):
    path = write_config("1.xml", "<component><type>T</type></component><remove-configuration>T</remove-configuration>")
    loader = load(path)
    loader.finish()
    assert list(loader.configuration.components) == ["T"]


def test_container_lifecycle_plugins_are_replaced_by_type_and_sorted_by_priority(write_config):
    first = write_config("1.xml", """
        <container-lifecycle-plugin><name>Plugin1</name><type>P1</type></container-lifecycle-plugin>
        <container-lifecycle-plugin><name>old</name><type>P2</type></container-lifecycle-plugin>""")
    second = write_config("2.xml", """
        <container-lifecycle-plugin><name>Plugin2</name><type>P2</type><priority>-10</priority>
        </container-lifecycle-plugin>
        <container-lifecycle-plugin><name>Plugin3</name><type>P3</type><priority>-5</priority>
        </container-lifecycle-plugin>""")
    plugins = load(first, second).finish().container_lifecycle_plugins
    assert [p.name for p in plugins] == ["Plugin2", "Plugin3", "Plugin1"]


def test_overriding_component_keeps_its_first_position(write_config):
    first = write_config("1.xml", "<component><type>A</type></component><component><type>B</type></component>")
    second = write_config("2.xml", "<component><key>A</key><type>A2</type></component>")
    assert [(k, c.type) for k, c in load(first, second).finish().components.items()] == [("A", "A2"), ("B", "B")]


def test_merge_function_combines_two_models_without_sharing_plugin_lists():
    into = Configuration()
    other = Configuration(
        components={"K": ComponentConfig(type="T")},
        external_plugins={"T": ExternalPluginsConfig("T", [PluginConfig("p", "add", "P")])},
        remove_configuration=["X"],
    )
    merge(into, other)
    merge(into, other)
    assert (list(into.components), len(into.external_plugins["T"].plugins), len(other.external_plugins["T"].plugins),
            into.remove_configuration) == (["K"], 2, 1, ["X", "X"])


def test_finish_configuration_sorts_each_target_independently():
    config = Configuration(external_plugins={
        "A": ExternalPluginsConfig("A", [PluginConfig("a2", "m", "P", priority=2), PluginConfig("a1", "m", "P", priority=1)]),
        "B": ExternalPluginsConfig("B", [PluginConfig("b", "m", "P")]),
    })
    finished = finish_configuration(config)
    assert {t: [p.name for p in b.plugins] for t, b in finished.external_plugins.items()} == {"A": ["a1", "a2"], "B": ["b"]}
