"""§4: profile filtering, on files written after the cases of the kernel's AbstractProfileTest resources
(same profiles and expected results as §4 states; see fixtures/README.md)."""
from pathlib import Path

import pytest
from lxml import etree

import parse_samples  # noqa: F401  (classes the object-params name)
from conftest import kernel_document
from exo_container.profiles import element_profiles, filter_profiles
from exo_container.properties import PropertyStore
from exo_container.xml import namespaces as ns
from exo_container.xml.parser import parse_configuration

PROFILES = Path(__file__).parent / "fixtures" / "profiles"
NONE, FOO, BAR, FOO_BAR = set(), {"foo"}, {"bar"}, {"foo", "bar"}


def load(name: str, profiles: set[str]):
    return parse_configuration(PROFILES / name, url=name, properties=PropertyStore(), profiles=profiles)


def parse(body: str, profiles: set[str], namespace: str | None = ns.KERNEL_1_3):
    return parse_configuration(kernel_document(body, namespace).encode(), url="p.xml",
                               properties=PropertyStore(), profiles=profiles)


@pytest.mark.parametrize(("profiles", "count"), [(NONE, 1), (FOO, 2), (FOO_BAR, 3)])
def test_imports_are_filtered_by_profile(profiles, count):
    assert len(load("import-configuration.xml", profiles).imports) == count


@pytest.mark.parametrize(("profiles", "count"), [(NONE, 0), (FOO, 1), (FOO_BAR, 1)])
def test_components_are_filtered_by_profile(profiles, count):
    assert len(load("component-configuration.xml", profiles).components) == count


def test_with_both_profiles_the_later_component_wins():
    assert load("component-configuration.xml", FOO_BAR).components["Component"].type == "FooComponent"


@pytest.mark.parametrize(("profiles", "count"), [(NONE, 1), (FOO, 2)])
def test_component_plugins_are_filtered_by_profile(profiles, count):
    assert len(load("component-plugin-configuration.xml", profiles).components["Component"].plugins) == count


@pytest.mark.parametrize(("profiles", "value"), [(NONE, "empty"), (FOO, "foo"), (FOO_BAR, "bar")])
def test_profiled_init_param_overrides_the_default_one(profiles, value):
    params = load("init-param-configuration.xml", profiles).components["Component"].init_params
    assert params.get_value_param("param").value == value


@pytest.mark.parametrize(("profiles", "count"), [(NONE, 1), (FOO, 2), (FOO_BAR, 3)])
def test_remove_configuration_is_filtered_by_profile(profiles, count):
    assert len(load("remove-configuration.xml", profiles).remove_configuration) == count


@pytest.mark.parametrize(("profiles", "count"), [(NONE, 1), (FOO, 2), (FOO_BAR, 3)])
def test_container_lifecycle_plugins_are_filtered_by_profile(profiles, count):
    assert len(load("container-lifecycle-plugin.xml", profiles).container_lifecycle_plugins) == count


@pytest.mark.parametrize(("profiles", "count"), [(NONE, 1), (FOO, 2), (FOO_BAR, 3)])
def test_component_lifecycle_plugins_are_filtered_by_profile(profiles, count):
    assert len(load("component-lifecycle-plugin.xml", profiles).component_lifecycle_plugins) == count


@pytest.mark.parametrize(("profiles", "targets"), [(NONE, 1), (FOO, 2), (FOO_BAR, 3)])
def test_external_plugins_and_their_plugins_are_filtered_by_profile(profiles, targets):
    external = load("external-component-plugins.xml", profiles).external_plugins
    assert [len(block.plugins) for block in external.values()] == [targets] * targets


@pytest.mark.parametrize(("profiles", "roles"), [
    (NONE, ["manager"]),
    (FOO, ["manager", "foo_manager", "foo_bar_manager"]),
    (BAR, ["manager", "foo_bar_manager"]),
    (FOO_BAR, ["manager", "foo_manager", "foo_bar_manager"]),
])
def test_collection_values_are_filtered_by_profile(profiles, roles):
    params = load("collection-configuration.xml", profiles).components["ComponentImpl"].init_params
    assert params.get_object_param("roles").object.role == roles


@pytest.mark.parametrize(("profiles", "roles"), [
    (NONE, ["manager"]), (FOO, ["foo_manager"]), (BAR, ["foo_bar_manager"]), (FOO_BAR, ["foo_manager"]),
])
def test_object_fields_are_filtered_by_profile_and_the_last_one_wins(profiles, roles):
    params = load("field-configuration.xml", profiles).components["ComponentImpl"].init_params
    assert params.get_object_param("roles").object.role == roles


def test_empty_profiles_attribute_always_removes_the_element():
    config = parse('<component profiles=""><type>A</type></component><component profiles=" , "><type>B</type>'
                   "</component>", {"foo", ""})
    assert config.components == {}


def test_profiles_items_are_trimmed():
    assert list(parse('<component profiles=" bar ,  foo "><type>A</type></component>', FOO).components) == ["A"]


def test_document_without_namespace_ignores_profiles():
    config = parse('<component profiles="foo"><type>A</type></component>'
                   '<component profiles=""><type>B</type></component>', NONE, namespace=None)
    assert list(config.components) == ["A", "B"]


def test_profiles_are_honoured_in_a_1_0_document():
    config = parse('<component profiles="foo"><type>A</type></component>', NONE, namespace=ns.KERNEL_1_0)
    assert config.components == {}


def test_profiles_work_on_values_params_properties_and_map_entries():
    config = parse("""
        <component><type>A</type><init-params>
          <values-param><name>vs</name><value>always</value><value profiles="foo">foo</value></values-param>
          <properties-param><name>p</name>
            <property name="x" value="default"/><property name="x" value="foo" profiles="foo"/>
            <property name="y" value="bar" profiles="bar"/>
          </properties-param>
          <object-param><name>o</name><object type="parse_samples.MyObject"><field name="field6">
            <map type="java.util.HashMap">
              <entry><key><string>k</string></key><value><string>v</string></value></entry>
              <entry profiles="bar"><key><string>b</string></key><value><string>v</string></value></entry>
            </map></field></object></object-param>
        </init-params></component>""", FOO)
    params = config.components["A"].init_params
    assert params.get_values_param("vs").values == ["always", "foo"]
    assert params.get_properties_param("p").properties == {"x": "foo"}
    assert params.get_object_param("o").object.field6 == {"k": "v"}


def test_kernel_qualified_profiles_attribute_counts():
    xml = (f'<configuration xmlns="{ns.KERNEL_1_2}" xmlns:k="{ns.KERNEL_1_2}">'
           '<component k:profiles="foo"><type>A</type></component></configuration>')
    assert parse_configuration(xml.encode(), url="q.xml", properties=PropertyStore(), profiles=NONE).components == {}


def test_profiles_are_not_substituted():
    config = parse_configuration(
        kernel_document('<component profiles="${p}"><type>A</type></component>').encode(), url="s.xml",
        properties=PropertyStore({"p": "foo"}), profiles=FOO)
    assert config.components == {}


def test_properties_param_profile_idiom_of_the_property_configurator():
    body = """<component><type>PropertyConfigurator</type><init-params>
        <properties-param><name>properties</name><property name="property_1" value="property_value_1"/>
        </properties-param>
        <properties-param profiles="foo"><name>properties</name>
          <property name="property_1" value="property_value_1_foo"/></properties-param>
        </init-params></component>"""
    params = parse(body, FOO).components["PropertyConfigurator"].init_params
    assert params.get_properties_param("properties").get_property("property_1") == "property_value_1_foo"


def test_filter_keeps_the_element_and_drops_the_attribute_when_a_profile_matches():
    root = etree.fromstring(f'<configuration xmlns="{ns.KERNEL_1_3}"><import profiles="foo">x</import></configuration>')
    filter_profiles(root, FOO)
    assert (len(root), element_profiles(root[0])) == (1, None)
