"""§3: PropertyConfigurator and ExtendedPropertyConfigurator components (Java names), with the results
of the kernel's TestPropertyManagerConfigurator, and when their properties become visible."""
from __future__ import annotations

from pathlib import Path

import pytest

from exo_container import ExoContainer, InitParams, boot, java_name
from exo_container.configurators import ExtendedPropertyConfigurator, PropertyConfigurator

FIXTURES = Path(__file__).parent / "fixtures"
PROPERTIES_FILE = FIXTURES / "property-configurator.properties"
EXPECTED = {  # the kernel's TestPropertyManagerConfigurator, with -Dproperty_2=property_value_2
    "property_1": "property_value_1",
    "property_2": "property_value_2",
    "property_3": "${property_3}",
    "property_4": "property_value_1-property_value_2",
    "property_5": "property {0} value {1}",
    "property_6": "property_value_1-property {0} value {1}",
}


@java_name("pc.Holder")
class Holder:
    """Keeps its init-params, so a test can see what its ${} resolved to."""

    def __init__(self, params: InitParams | None):
        self.params = params

    def value(self, name: str) -> str:
        return self.params.get_value_param(name).value


def configurator(params: str = "", kind: str = "PropertyConfigurator") -> str:
    return (f"<component><type>org.exoplatform.container.{kind}</type>"
            + (f"<init-params>{params}</init-params>" if params else "") + "</component>")


def value_param(name: str, value: str) -> str:
    return f"<value-param><name>{name}</name><value>{value}</value></value-param>"


def properties_param(entries: dict[str, str], name: str = "properties", profiles: str | None = None) -> str:
    attribute = f' profiles="{profiles}"' if profiles is not None else ""
    rows = "".join(f'<property name="{k}" value="{v}"/>' for k, v in entries.items())
    return f"<properties-param{attribute}><name>{name}</name>{rows}</properties-param>"


@pytest.fixture
def boot_with(write_config):
    def build(body: str, **system_properties: str) -> ExoContainer:
        return boot(write_config("configuration.xml", body), environ={}, system_properties=system_properties)

    return build


def props(container: ExoContainer, *names: str) -> dict[str, str | None]:
    return {name: container.properties.get(name) for name in names}


def test_the_properties_file_named_by_properties_url_is_loaded_as_the_kernel_loads_it(boot_with):
    container = boot_with(configurator(value_param("properties.url", str(PROPERTIES_FILE))),
                          property_2="property_value_2")
    assert props(container, *EXPECTED) == EXPECTED


def test_exo_properties_url_overrides_the_value_param(boot_with, tmp_path: Path):
    other = tmp_path / "other.properties"
    other.write_text("property_1=from the value-param\n", encoding="utf-8")
    container = boot_with(configurator(value_param("properties.url", str(other))), property_2="property_value_2",
                          **{"exo.properties.url": str(PROPERTIES_FILE)})
    assert props(container, *EXPECTED) == EXPECTED


def test_properties_url_may_itself_come_from_a_property(boot_with):
    container = boot_with(configurator(value_param("properties.url", "${properties.url}")),
                          property_2="property_value_2", **{"properties.url": str(PROPERTIES_FILE)})
    assert props(container, *EXPECTED) == EXPECTED


def test_an_xml_properties_file_gives_the_same_first_four(boot_with):
    container = boot_with(configurator(value_param("properties.url", str(FIXTURES / "property-configurator.xml"))),
                          property_2="property_value_2")
    assert props(container, "property_1", "property_2", "property_3", "property_4") == {
        k: EXPECTED[k] for k in ("property_1", "property_2", "property_3", "property_4")}


def test_a_relative_properties_url_is_relative_to_exo_conf_dir(boot_with, tmp_path: Path):
    (tmp_path / "configuration.properties").write_text("where=conf dir\n", encoding="utf-8")
    container = boot_with(configurator(value_param("properties.url", "configuration.properties")))
    assert container.properties.get("where") == "conf dir"


def test_init_param_properties_are_resolved_when_the_file_is_parsed(boot_with):
    container = boot_with(configurator(properties_param({"property_2": "${property_2}"})), property_2="property_value_2")
    assert container.properties.get("property_2") == "property_value_2"


def test_the_file_wins_over_the_init_param_properties(boot_with):
    container = boot_with(configurator(value_param("properties.url", str(PROPERTIES_FILE))
                                       + properties_param({"property_1": "from init-params"})))
    assert container.properties.get("property_1") == "property_value_1"


@pytest.mark.parametrize(("profiles", "expected"), [("", "property_value_1"), ("foo", "property_value_1_foo")])
def test_a_profiled_properties_param_replaces_the_default_one_when_its_profile_is_active(boot_with, profiles, expected):
    body = configurator(properties_param({"property_1": "property_value_1"})
                        + properties_param({"property_1": "property_value_1_foo"}, profiles="foo"))
    container = boot_with(body, **{"exo.profiles": profiles})
    assert container.properties.get("property_1") == expected


def test_a_plain_configurator_reads_only_the_param_named_properties(boot_with):
    container = boot_with(configurator(properties_param({"a": "1"}) + properties_param({"b": "2"}, name="more")))
    assert props(container, "a", "b") == {"a": "1", "b": None}


def test_the_extended_configurator_reads_every_properties_param_and_each_url_in_order(boot_with, tmp_path: Path):
    (tmp_path / "one.properties").write_text("x=one\ny=one\n", encoding="utf-8")
    (tmp_path / "two.properties").write_text("y=two\n", encoding="utf-8")
    urls = ("<values-param><name>properties.urls</name><value>one.properties</value>"
            "<value>missing.properties</value><value>two.properties</value></values-param>")
    container = boot_with(configurator(urls + properties_param({"a": "1"}) + properties_param({"b": "2"}, name="more"),
                                       kind="ExtendedPropertyConfigurator"))
    assert props(container, "a", "b", "x", "y") == {"a": "1", "b": "2", "x": "one", "y": "two"}
    assert container.problems == []  # a missing file of properties.urls is skipped quietly, as in Java


def test_a_missing_properties_url_file_is_a_problem_and_the_boot_goes_on(boot_with, tmp_path: Path):
    container = boot_with(configurator(value_param("properties.url", "nowhere.properties")))
    [problem] = container.problems
    assert problem.message == "Cannot load property file nowhere.properties: not found"
    assert problem.file == str(tmp_path / "nowhere.properties")


def test_the_configurators_are_components_of_the_booted_container(boot_with):
    container = boot_with(configurator() + configurator(kind="ExtendedPropertyConfigurator"))
    assert isinstance(container.get_component_instance_of_type(ExtendedPropertyConfigurator), ExtendedPropertyConfigurator)
    assert isinstance(container.get_component_instance("org.exoplatform.container.PropertyConfigurator"),
                      PropertyConfigurator)


def test_its_properties_reach_files_read_afterwards_not_the_file_already_read(write_config, tmp_path: Path):
    # the kernel: set when the root container starts, so visible to the portal container's files only
    write_config("extensions/ext/WEB-INF/conf/configuration.xml",
                 "<component><key>late</key><type>pc.Holder</type><init-params>"
                 + value_param("v", "${colour}") + "</init-params></component>")
    root = write_config("configuration.xml", configurator(properties_param({"colour": "blue"}))
                        + "<component><key>early</key><type>pc.Holder</type><init-params>"
                        + value_param("v", "${colour}") + "</init-params></component>")
    container = boot(root, environ={})
    assert container.get_component_instance("early").value("v") == "${colour}"
    assert container.get_component_instance("late").value("v") == "blue"


def test_a_portal_definition_change_plugin_sees_a_configurator_property(write_config):
    # testChanges' change2: apply.default=${_value.true}, set by a PropertyConfigurator, resolved at construction
    root = write_config("configuration.xml", configurator(properties_param({"_value.true": "true"})) + """
        <external-component-plugins>
          <target-component>org.exoplatform.container.definition.PortalContainerConfig</target-component>
          <component-plugin><name>change2</name><set-method>registerChangePlugin</set-method>
            <type>org.exoplatform.container.definition.PortalContainerDefinitionChangePlugin</type>
            <init-params>""" + value_param("apply.default", "${_value.true}") + """
              <object-param><name>change</name>
                <object type="org.exoplatform.container.definition.PortalContainerDefinitionChange$AddDependencies">
                  <field name="dependencies"><collection type="java.util.ArrayList">
                    <value><string>foo</string></value></collection></field>
                </object>
              </object-param>
            </init-params>
          </component-plugin>
        </external-component-plugins>""")
    container = boot(root, environ={})
    portal = container.get_component_instance("org.exoplatform.container.definition.PortalContainerConfig")
    assert portal.get_dependencies() == ["foo"]
