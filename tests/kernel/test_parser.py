"""§1, §2 and §9: reading one configuration file into the model."""
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

import parse_samples
from conftest import kernel_document
from exo_container.errors import ConfigurationError
from exo_container.params import ValueParam, ValuesParam
from exo_container.properties import PropertyStore
from exo_container.xml import namespaces as ns
from exo_container.xml.objects import OrderedSet, load_class
from exo_container.xml.parser import parse_configuration

FIXTURES = Path(__file__).parent / "fixtures"


def parse(body: str, namespace: str | None = ns.KERNEL_1_3, properties=None, profiles=()):
    return parse_configuration(kernel_document(body, namespace).encode(), url="test.xml",
                               properties=properties or PropertyStore(), profiles=profiles)


def parse_error(body: str, namespace: str | None = ns.KERNEL_1_3, **kw) -> str:
    with pytest.raises(ConfigurationError) as e:
        parse(body, namespace, **kw)
    return str(e.value)


def object_of(body: str, **kw):
    config = parse(f"""
        <component><type>T</type><init-params><object-param><name>o</name>
        {body}
        </object-param></init-params></component>""", **kw)
    return config.components["T"].init_params.get_object_param("o").object


# --- namespaces ------------------------------------------------------------------------

@pytest.mark.parametrize("namespace", sorted(ns.KERNEL_NAMESPACES) + [None])
def test_every_kernel_namespace_and_no_namespace_are_accepted(namespace):
    config = parse("<component><type>A</type></component>", namespace)
    assert list(config.components) == ["A"]


def test_prefixed_kernel_namespace_is_accepted():
    xml = f'<k:configuration xmlns:k="{ns.KERNEL_1_2}"><k:component><k:type>A</k:type></k:component></k:configuration>'
    config = parse_configuration(xml.encode(), url="p.xml", properties=PropertyStore(), profiles=())
    assert list(config.components) == ["A"]


def test_malformed_schema_location_is_ignored():
    xml = (f'<configuration xmlns="{ns.KERNEL_1_2}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://www.exoplatform.org/xml/ns/kernel_1_2.xsdhttp://www.exoplaform.org/x">'
           '<component><type>A</type></component></configuration>')
    assert list(parse_configuration(xml.encode(), url="x", properties=PropertyStore()).components) == ["A"]


def test_misspelled_1_3_namespace_is_rejected():
    message = parse_error("<component><type>A</type></component>", "http://www.exoplaform.org/xml/ns/kernel_1_3.xsd")
    assert message == ("test.xml:2: unsupported namespace http://www.exoplaform.org/xml/ns/kernel_1_3.xsd "
                       "(the misspelled www.exoplaform.org exists only for 1_0..1_2; "
                       "use http://www.exoplatform.org/xml/ns/kernel_1_3.xsd)")


def test_foreign_namespace_is_rejected():
    assert parse_error("", "urn:other") == "test.xml:2: unsupported namespace urn:other"


def test_document_without_namespace_loads_from_file():
    config = parse_configuration(FIXTURES / "configuration-no-schema.xml", url="no-schema.xml",
                                 properties=PropertyStore())
    assert config.components["NoSchema"].type == "org.exoplatform.container.NoSchema"


# --- hostile or broken XML -------------------------------------------------------------

def test_malformed_xml_names_file_and_line():
    message = parse_error("<component><type>A</type>\n</configuration>")
    assert message.startswith("test.xml:4: malformed XML: ")
    assert "mismatch" in message


def rejected(document: str) -> list[tuple[int, str]]:
    with pytest.raises(ConfigurationError) as e:
        parse_configuration(document.encode(), url="test.xml", properties=PropertyStore())
    return [(p.line, p.message.partition(" (")[0].partition(":")[0]) for p in e.value.problems]


def test_problems_of_an_element_that_ended_just_before_a_syntax_error_are_listed_with_it():
    # the next element never starts: the reading must still know the component had ended
    document = (f'<configuration xmlns="{ns.KERNEL_1_3}">\n<component><type>A</type>\n<bogus/></component>'
                "</configuraton>\n")
    assert rejected(document) == [(3, "unknown element <bogus> in <component>"), (3, "malformed XML")]


def test_an_element_a_syntax_error_interrupts_is_not_read():
    document = (f'<configuration xmlns="{ns.KERNEL_1_3}">\n<component><type>A</type>\n<bogus/></component>\n'
                "<component><type>B</type>\n<bogus/>\n<</component>\n</configuration>\n")
    assert rejected(document) == [(3, "unknown element <bogus> in <component>"), (6, "malformed XML")]


def test_xxe_external_entity_is_rejected():
    xml = (b'<?xml version="1.0"?>\n<!DOCTYPE configuration [\n <!ENTITY xxe SYSTEM "file:///etc/passwd">\n]>\n'
           b'<configuration><component><type>&xxe;</type></component></configuration>')
    with pytest.raises(ConfigurationError) as e:
        parse_configuration(xml, url="xxe.xml", properties=PropertyStore())
    assert str(e.value) == ("xxe.xml:3: DOCTYPE declares entities (xxe): entity declarations are refused "
                            "(XXE / entity-expansion protection)")


def test_billion_laughs_is_rejected():
    lol = "".join(f' <!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">\n' for i in range(1, 10))
    xml = (f'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol0 "lol">\n{lol}]>\n'
           '<configuration><component><type>&lol9;</type></component></configuration>').encode()
    with pytest.raises(ConfigurationError) as e:
        parse_configuration(xml, url="lol.xml", properties=PropertyStore())
    assert str(e.value).startswith("lol.xml:3: DOCTYPE declares entities (lol0, lol1, ")


def test_doctype_without_entities_is_accepted():
    xml = b'<!DOCTYPE configuration>\n<configuration><component><type>A</type></component></configuration>'
    assert list(parse_configuration(xml, url="d.xml", properties=PropertyStore()).components) == ["A"]


def test_unreadable_file_is_a_configuration_error(tmp_path):
    with pytest.raises(ConfigurationError, match="cannot read configuration"):
        parse_configuration(tmp_path / "missing.xml", url="missing.xml", properties=PropertyStore())


# --- structure (JiBX ordered, not flexible) --------------------------------------------

def test_unknown_element_is_rejected_with_file_and_line():
    assert parse_error("<component><type>A</type></component>\n<foo/>") == (
        "test.xml:4: unknown element <foo> in <configuration> (expected <component>, "
        "<external-component-plugins>, <import>, <remove-configuration>)")


def test_component_after_external_plugins_is_out_of_order():
    message = parse_error("""
        <external-component-plugins><target-component>T</target-component></external-component-plugins>
        <component><type>A</type></component>""")
    assert message == ("test.xml:4: <component> is out of order in <configuration>: expected "
                       "<external-component-plugins>, <import>, <remove-configuration> here")


def test_init_params_groups_cannot_interleave():
    message = parse_error("""
        <component><type>A</type><init-params>
          <value-param><name>a</name><value>1</value></value-param>
          <properties-param><name>p</name></properties-param>
          <value-param><name>b</name><value>2</value></value-param>
        </init-params></component>""")
    assert message.startswith("test.xml:6: <value-param> is out of order in <init-params>")


def test_key_after_type_is_out_of_order():
    assert parse_error("<component><type>A</type><key>K</key></component>").startswith(
        "test.xml:3: <key> is out of order in <component>")


def test_missing_required_child_is_rejected():
    assert parse_error("<component><key>K</key></component>") == (
        "test.xml:3: <component> is missing its required <type>")


def test_required_child_missing_before_a_later_one_is_rejected():
    assert parse_error("""
        <component><type>A</type><component-plugins><component-plugin>
          <name>p</name><type>P</type>
        </component-plugin></component-plugins></component>""") == (
        "test.xml:4: <component-plugin> needs <set-method> before <type>")


def test_a_single_element_twice_is_rejected():
    assert parse_error("<component><type>A</type><type>B</type></component>") == (
        "test.xml:3: <type> may appear only once in <component>")


def test_a_problem_is_found_in_an_element_shaped_like_many_read_before():
    # the reader remembers the shapes that matched cleanly; a same-shaped component still has its params checked
    good = "<component><type>A{}</type><init-params><value-param><name>n</name><value>1</value></value-param>" \
           "</init-params></component>\n"
    bad = "<component><type>B</type><init-params><value-param><value>1</value><name>n</name></value-param>" \
          "</init-params></component>"
    assert parse_error("".join(good.format(i) for i in range(50)) + bad) == (
        "test.xml:53: <value-param> needs <name> before <value>")


def test_values_separated_by_comments_are_read_in_every_element_of_that_shape():
    param = "<values-param><name>v</name><value>{0}</value><!-- c --><value>{0}{0}</value></values-param>"
    config = parse("".join(f"<component><type>A{i}</type><init-params>{param.format(i)}</init-params></component>"
                           for i in range(3)))
    assert [c.init_params.get_values_param("v").values for c in config.components.values()] == [
        ["0", "00"], ["1", "11"], ["2", "22"]]


def test_element_of_a_foreign_namespace_is_unknown():
    message = parse_error('<component><type>A</type><x:type xmlns:x="urn:x">B</x:type></component>')
    assert message.startswith("test.xml:3: unknown element <{urn:x}type> in <component>")


def test_element_inside_a_text_element_is_rejected():
    assert parse_error("<component><type>A<b/></type></component>") == (
        "test.xml:3: unexpected element <b> inside <type>")


def test_unknown_attributes_are_ignored():
    config = parse('<component whatever="x"><type also="y">A</type></component>')
    assert list(config.components) == ["A"]


def test_comments_are_ignored_everywhere():
    config = parse("<!-- c --><component><!-- c --><type>A<!-- c -->B</type></component>")
    assert list(config.components) == ["AB"]


# --- model content ---------------------------------------------------------------------

def test_component_elements_reach_the_model():
    config = parse("""
        <component>
          <key>my.Key</key><jmx-name>jmx</jmx-name><type>my.Type</type><description>desc</description>
          <show-deploy-info>true</show-deploy-info><multi-instance>0</multi-instance>
          <component-plugins><component-plugin>
            <name>p</name><set-method>addPlugin</set-method><type>my.Plugin</type>
            <description>pd</description><priority>-3</priority>
          </component-plugin></component-plugins>
        </component>""")
    c = config.components["my.Key"]
    p = c.plugins[0]
    assert (c.type, c.description, c.jmx_name, c.show_deploy_info, c.multi_instance, str(c.source)) == (
        "my.Type", "desc", "jmx", True, False, "test.xml:3")
    assert (p.name, p.set_method, p.type, p.description, p.priority, p.init_params) == (
        "p", "addPlugin", "my.Plugin", "pd", -3, None)


def test_component_key_defaults_to_type():
    assert parse("<component><type>my.Type</type></component>").components["my.Type"].key is None


def test_same_key_twice_in_one_file_keeps_the_later_component():
    config = parse("<component><key>K</key><type>First</type></component>"
                   "<component><key>K</key><type>Second</type></component>")
    assert config.components["K"].type == "Second"


def test_external_plugins_for_one_target_in_one_file_are_concatenated():
    config = parse("""
        <external-component-plugins><target-component>T</target-component>
          <component-plugin><name>a</name><set-method>m</set-method><type>P</type></component-plugin>
        </external-component-plugins>
        <external-component-plugins><target-component>T</target-component>
          <component-plugin><name>b</name><set-method>m</set-method><type>P</type></component-plugin>
        </external-component-plugins>""")
    assert [p.name for p in config.external_plugins["T"].plugins] == ["a", "b"]


def test_container_lifecycle_plugins_are_keyed_by_type():
    config = parse("""
        <container-lifecycle-plugin><type>L</type></container-lifecycle-plugin>
        <container-lifecycle-plugin>
          <name>n</name><type>L</type><description>d</description><priority>10</priority>
          <init-params><value-param><name>v</name><value>x</value></value-param></init-params>
        </container-lifecycle-plugin>""")
    [plugin] = config.container_lifecycle_plugins
    assert (plugin.name, plugin.description, plugin.priority, plugin.init_params.get_value_param("v").value) == (
        "n", "d", 10, "x")


def test_component_lifecycle_plugin_is_parsed():
    config = parse("""
        <component-lifecycle-plugin><type>CL</type>
          <manageable-components><component-type>A</component-type><component-type>B</component-type>
          </manageable-components>
        </component-lifecycle-plugin>""")
    assert config.component_lifecycle_plugins[0].manageable_components == ["A", "B"]


def test_imports_and_remove_configuration_keep_document_order():
    config = parse("<import>1</import><import>2</import><remove-configuration>x</remove-configuration>"
                   "<remove-configuration>y</remove-configuration>")
    assert ([i for i, _ in config.imports], config.remove_configuration) == (["1", "2"], ["x", "y"])


def test_init_params_of_every_kind():
    config = parse("""
        <component><type>A</type><init-params>
          <value-param><name>v</name><description>vd</description><value/></value-param>
          <values-param><name>vs</name><value>1</value><value>2</value></values-param>
          <values-param><name>none</name></values-param>
          <properties-param><name>p</name>
            <property name="x" value="1"/><property name="y" value="2"/><property name="x" value="3"/>
          </properties-param>
          <object-param><name>o</name><object type="parse_samples.MyBean">
            <field name="value"><string>v</string></field></object></object-param>
        </init-params></component>""")
    params = config.components["A"].init_params
    assert params.get_value_param("v") == ValueParam("v", "vd", value="")
    assert params.get_values_param("vs").values == ["1", "2"]
    assert params.get_values_param("none").values == []
    assert list(params.get_properties_param("p").properties.items()) == [("x", "3"), ("y", "2")]
    assert params.get_object_param("o").object.value == "v"


def test_a_later_param_replaces_an_earlier_one_whatever_its_kind():
    config = parse("""
        <component><type>A</type><init-params>
          <value-param><name>same</name><value>1</value></value-param>
          <values-param><name>same</name><value>2</value></values-param>
        </init-params></component>""")
    params = config.components["A"].init_params
    assert (len(params), isinstance(params.get("same"), ValuesParam)) == (1, True)


def test_property_without_value_attribute_is_rejected():
    message = parse_error("""
        <component><type>A</type><init-params><properties-param><name>p</name>
          <property name="x"/>
        </properties-param></init-params></component>""")
    assert message == "test.xml:4: <property> is missing its required attribute 'value'"


# --- JiBX literals ---------------------------------------------------------------------

def test_priority_accepts_whitespace_and_sign():
    config = parse("""
        <external-component-plugins><target-component>T</target-component>
          <component-plugin><name>a</name><set-method>m</set-method><type>P</type><priority> +7 </priority>
          </component-plugin></external-component-plugins>""")
    assert config.external_plugins["T"].plugins[0].priority == 7


def test_priority_is_not_substituted():
    message = parse_error("""
        <external-component-plugins><target-component>T</target-component>
          <component-plugin><name>a</name><set-method>m</set-method><type>P</type>
          <priority>${prio:1}</priority></component-plugin></external-component-plugins>""")
    assert message == "test.xml:5: bad int '${prio:1}' in <priority>"


@pytest.mark.parametrize("literal", ["yes", "TRUE", "${x:true}"])
def test_show_deploy_info_takes_only_jibx_booleans(literal):
    message = parse_error(f"<component><type>A</type><show-deploy-info>{literal}</show-deploy-info></component>")
    assert message == f"test.xml:3: bad boolean {literal!r} in <show-deploy-info>: expected true, false, 1 or 0"


# --- substitution and trimming ---------------------------------------------------------

def test_resolved_property_values_match_the_kernel_test():
    store = PropertyStore({"c_value": "c_external_value", "d_value": "d_external_value", "true_value": "true",
                           "false_value": "false", "TRUE_value": "TRUE", "FALSE_value": "FALSE",
                           "integer_value": "5", "long_value": "41", "double_value": "172.5"})
    config = parse_configuration(FIXTURES / "test-resolved-property.xml", url="r.xml", properties=store)
    params = config.components["org.exoplatform.container.xml.TestResolvedProperty"].init_params
    expected = ["a_value", "${b_value}", "c_external_value", "_d_external_value_"]
    assert [params.get_value_param(n).value for n in "abcd"] == expected
    assert list(params.get_properties_param("e").properties.values()) == expected
    person = params.get_object_param("f").object
    assert isinstance(person, parse_samples.Person)
    assert [person.a, person.b, person.c, person.d] == expected
    typed = params.get_object_param("typed").object
    assert typed.booleans == [True, False, True, False, True, False]
    assert typed.ints == [4, 5, 41]
    assert typed.doubles == [172.4, 172.5]


def test_trim_value_file_gives_trimmed_values():
    config = parse_configuration(FIXTURES / "test-trim-value.xml", url="t.xml", properties=PropertyStore())
    component = config.components["org.exoplatform.container.TestKey"]
    plugin = component.plugins[0]
    params = component.init_params
    obj = params.get_object_param("object-param").object
    assert (component.type, plugin.name, plugin.set_method, plugin.type, plugin.priority) == (
        "org.exoplatform.container.TestType", "plugin-name", "addPlugin", "org.exoplatform.container.TestPlugin", 1)
    assert params.get_value_param("value-param").value == "value"
    assert params.get_properties_param("properties-param").properties == {"p-name": "p-value"}
    assert (obj.field1, obj.field2, obj.field3, obj.field4, obj.field5) == ("string-value", 1, 1, 1.0, True)
    assert (obj.field6, list(obj.field7), obj.field8) == ({"entry-name": "entry-value"}, ["string-value"], [1])
    assert list(config.external_plugins) == ["org.exoplatform.container.TestTarget"]
    assert [i for i, _ in config.imports] == ["imported.xml"]


def test_names_types_targets_and_imports_are_substituted():
    store = PropertyStore({"k": "Key", "t": "pkg.Type", "m": "addIt", "dir": "/conf"})
    config = parse("""
        <component><key>${k}</key><type>${t}</type><component-plugins><component-plugin>
          <name>${k}-p</name><set-method>${m}</set-method><type>${t}</type></component-plugin></component-plugins>
        </component>
        <external-component-plugins><target-component>${k}</target-component></external-component-plugins>
        <import>${dir}/db.xml</import><import>${unset.dir}/db.xml</import>
        <remove-configuration>${k}</remove-configuration>""", properties=store)
    component = config.components["Key"]
    assert (component.type, component.plugins[0].name, component.plugins[0].set_method) == ("pkg.Type", "Key-p", "addIt")
    assert list(config.external_plugins) == ["Key"]
    assert [i for i, _ in config.imports] == ["/conf/db.xml", "${unset.dir}/db.xml"]
    assert config.remove_configuration == ["Key"]


def test_default_in_int_value_is_used():
    assert object_of("""<object type="parse_samples.Person"><field name="age">
        <int>${cache.exo.social.IdentityCache.Capacity:200}</int></field></object>""").age == 200


# --- object-params ---------------------------------------------------------------------

def test_object_type_may_be_a_java_alias_with_inner_class_dollar():
    person = object_of('<object type="org.exoplatform.test.Outer$Person"/>')
    assert isinstance(person, parse_samples.Person)


def test_base_values_of_every_kind():
    person = object_of("""<object type="parse_samples.Person">
        <field name="a"><string> s </string></field>
        <field name="age"><long>9000000000</long></field>
        <field name="size"><double>1.5e2</double></field>
        <field name="married"><boolean>TRUE</boolean></field>
        <field name="birth"><date>2001-02-03T04:05:06.5+02:00</date></field>
        <field name="nicknames"><collection type="java.util.LinkedList">
          <value><string>x</string></value><value><string>y</string></value></collection></field>
        </object>""")
    assert (person.a, person.age, person.size, person.married, person.nicknames) == ("s", 9000000000, 150.0, True, ["x", "y"])
    assert person.birth == datetime(2001, 2, 3, 4, 5, 6, 500000, tzinfo=timezone(timedelta(hours=2)))


def test_xsd_date_without_zone_is_midnight_utc():
    person = object_of('<object type="parse_samples.Person"><field name="birth"><date>2001-02-03</date></field></object>')
    assert person.birth == datetime(2001, 2, 3, tzinfo=timezone.utc)


def test_int_field_widens_to_double_like_java():
    assert object_of('<object type="parse_samples.Person"><field name="size"><int>3</int></field></object>').size == 3


def test_hash_set_keeps_document_order_and_drops_duplicates():
    value = object_of("""<object type="parse_samples.MyObject"><field name="field7">
        <collection type="java.util.HashSet"><value><string>b</string></value><value><string>a</string></value>
        <value><string>b</string></value></collection></field></object>""").field7
    assert (type(value), list(value), value == {"a", "b"}) == (OrderedSet, ["b", "a"], True)


def test_tree_set_and_tree_map_are_sorted():
    obj = object_of("""<object type="parse_samples.MyObject">
        <field name="field7"><collection type="java.util.TreeSet">
          <value><int>3</int></value><value><int>1</int></value></collection></field>
        <field name="field6"><map type="java.util.TreeMap">
          <entry><key><string>z</string></key><value><int>1</int></value></entry>
          <entry><key><string>a</string></key><value><int>2</int></value></entry></map></field>
        </object>""")
    assert (list(obj.field7), list(obj.field6)) == ([1, 3], ["a", "z"])


def test_map_keys_may_be_ints_and_values_objects():
    obj = object_of("""<object type="parse_samples.MyObject"><field name="field6"><map type="java.util.HashMap">
        <entry><key><int>1</int></key><value><object type="parse_samples.MyBean">
          <field name="value"><string>v</string></field></object></value></entry>
        </map></field></object>""")
    assert obj.field6[1].value == "v"


def test_native_arrays_of_int_long_and_double():
    obj = object_of("""<object type="parse_samples.MyObject">
        <field name="field7"><native-array type="long"><array> 1, -2 ,3 </array></native-array></field>
        <field name="field8"><native-array type="double"><array>1.5,2</array></native-array></field>
        </object>""")
    assert (obj.field7, obj.field8) == ([1, -2, 3], [1.5, 2.0])


def test_native_array_of_another_type_is_null():
    obj = object_of("""<object type="parse_samples.MyObject">
        <field name="field7"><native-array type="string"><array>a</array></native-array></field></object>""")
    assert obj.field7 is None


def test_duplicate_field_last_one_wins():
    assert object_of("""<object type="parse_samples.MyBean"><field name="value"><string>1</string></field>
        <field name="value"><string>2</string></field></object>""").value == "2"


def test_bad_int_is_rejected():
    message = parse_error("""<component><type>T</type><init-params><object-param><name>o</name>
        <object type="parse_samples.Person"><field name="age"><int>12a</int></field></object>
        </object-param></init-params></component>""")
    assert message == "test.xml:4: bad int '12a' in <int>"


def test_unresolved_variable_in_int_is_rejected():
    message = parse_error("""<component><type>T</type><init-params><object-param><name>o</name>
        <object type="parse_samples.Person"><field name="age"><int>${nope}</int></field></object>
        </object-param></init-params></component>""")
    assert message == "test.xml:4: bad int '${nope}' in <int>"


def test_int_out_of_java_range_is_rejected():
    message = parse_error("""<component><type>T</type><init-params><object-param><name>o</name>
        <object type="parse_samples.Person"><field name="age"><int>2147483648</int></field></object>
        </object-param></init-params></component>""")
    assert message == "test.xml:4: int '2147483648' out of range in <int>"


def test_boolean_yes_is_rejected():
    message = parse_error("""<component><type>T</type><init-params><object-param><name>o</name>
        <object type="parse_samples.Person"><field name="married"><boolean>yes</boolean></field></object>
        </object-param></init-params></component>""")
    assert message == "test.xml:4: bad boolean 'yes' in <boolean>: expected true or false"


def test_unknown_object_field_is_rejected():
    message = parse_error("""<component><type>T</type><init-params><object-param><name>o</name>
        <object type="parse_samples.Person"><field name="nope"><string>x</string></field></object>
        </object-param></init-params></component>""")
    assert message == "test.xml:4: parse_samples.Person has no field 'nope'"


def test_method_name_is_not_a_field():
    message = parse_error("""<component><type>T</type><init-params><object-param><name>o</name>
        <object type="parse_samples.MyObject"><field name="compute"><int>1</int></field></object>
        </object-param></init-params></component>""")
    assert message == "test.xml:4: parse_samples.MyObject has no field 'compute' ('compute' is not a data attribute)"


def test_field_type_mismatch_is_rejected():
    message = parse_error("""<component><type>T</type><init-params><object-param><name>o</name>
        <object type="parse_samples.Person"><field name="age"><string>x</string></field></object>
        </object-param></init-params></component>""")
    assert message == "test.xml:4: field 'age' of parse_samples.Person expects int, got str 'x'"


def test_missing_object_class_is_rejected():
    message = parse_error("""<component><type>T</type><init-params><object-param><name>o</name>
        <object type="org.example.Missing"/>
        </object-param></init-params></component>""")
    assert message == "test.xml:4: class 'org.example.Missing' not found"


def test_object_without_type_attribute_is_rejected():
    message = parse_error("""<component><type>T</type><init-params><object-param><name>o</name>
        <object/>
        </object-param></init-params></component>""")
    assert message == "test.xml:4: <object> is missing its required attribute 'type'"


def test_object_needing_constructor_arguments_is_rejected():
    message = parse_error("""<component><type>T</type><init-params><object-param><name>o</name>
        <object type="parse_samples.NeedsArguments"/>
        </object-param></init-params></component>""")
    assert message.startswith("test.xml:4: cannot instantiate parse_samples.NeedsArguments with no arguments")


def test_interface_collection_type_is_rejected():
    message = parse_error("""<component><type>T</type><init-params><object-param><name>o</name>
        <object type="parse_samples.MyObject"><field name="field7">
        <collection type="java.util.List"/></field></object>
        </object-param></init-params></component>""")
    assert message == "test.xml:5: class 'java.util.List' not found"


def test_field_without_value_is_rejected():
    message = parse_error("""<component><type>T</type><init-params><object-param><name>o</name>
        <object type="parse_samples.MyBean"><field name="value"/></object>
        </object-param></init-params></component>""")
    assert message.startswith("test.xml:4: <field> needs one value (string, int, ")


def test_load_class_follows_aliases_and_dotted_paths():
    assert (load_class("org.exoplatform.container.xml.Person"), load_class("parse_samples.MyBean")) == (
        parse_samples.Person, parse_samples.MyBean)


@pytest.mark.parametrize(("literal", "value"), [("1.5d", 1.5), ("2f", 2.0), ("-.5", -0.5), ("1e3", 1000.0)])
def test_double_accepts_java_literals(literal, value):
    assert object_of(f'<object type="parse_samples.Person"><field name="size"><double>{literal}</double></field>'
                     "</object>").size == value


def test_double_rejects_non_java_literals():
    message = parse_error("""<component><type>T</type><init-params><object-param><name>o</name>
        <object type="parse_samples.Person"><field name="size"><double>1_000</double></field></object>
        </object-param></init-params></component>""")
    assert message == "test.xml:4: bad double '1_000' in <double>"


# --- reading without running project code (exo-container check/dump without --deep) ---

def parse_without_code(body: str):
    return parse_configuration(kernel_document(body).encode(), url="test.xml", properties=PropertyStore(),
                               run_code=False)


def test_without_code_an_object_of_a_project_class_is_kept_as_written():
    from exo_container.codepolicy import UnbuiltObject

    config = parse_without_code("""
        <component><type>T</type><init-params><object-param><name>o</name>
          <object type="no_such_module.Thing">
            <field name="size"><int>3</int></field>
            <field name="inner"><object type="no_such_module.Inner"/></field>
          </object>
        </object-param></init-params></component>""")
    obj = config.components["T"].init_params.get_object_param("o").object
    assert obj == UnbuiltObject("no_such_module.Thing", {"size": 3, "inner": UnbuiltObject("no_such_module.Inner")})


def test_without_code_the_kernels_own_objects_are_still_built():
    from exo_container.extensions import PortalContainerDefinition

    config = parse_without_code("""
        <component><type>T</type><init-params><object-param><name>o</name>
          <object type="org.exoplatform.container.definition.PortalContainerDefinition">
            <field name="name"><string>portal</string></field>
          </object>
        </object-param></init-params></component>""")
    obj = config.components["T"].init_params.get_object_param("o").object
    assert isinstance(obj, PortalContainerDefinition) and obj.name == "portal"


def test_every_bad_field_of_an_object_is_reported():
    with pytest.raises(ConfigurationError) as e:
        parse("""
            <component><type>T</type><init-params><object-param><name>o</name>
              <object type="org.exoplatform.container.definition.PortalContainerDefinition">
                <field name="nope"><string>x</string></field>
                <field name="name"><int>x</int></field>
              </object>
            </object-param></init-params></component>""")
    assert [p.line for p in e.value.problems] == [5, 6]
    assert str(e.value).endswith("(and 1 more problem in this file)")


# --- ${} edge rules of the compiled kernel ---------------------------------------------

def test_an_empty_key_drops_the_file_naming_the_line():
    # Java: System.getProperty("") throws, JiBX fails, the file is dropped
    assert parse_error("<component><type>T</type><description>${:x}</description></component>") == (
        "test.xml:3: ${:x} has no property name (the kernel refuses an empty key) in <description>")


def test_an_even_run_of_backslashes_ends_a_reference_in_a_value():
    config = parse(r"""<component><type>T</type><init-params>
        <value-param><name>p</name><value>${undefined:a\\}</value></value-param></init-params></component>""")
    assert config.components["T"].init_params.get_value_param("p").value == "a\\\\"


def test_jvm_built_in_properties_resolve_in_values():
    import os
    import tempfile

    config = parse("""<component><type>T</type><init-params>
        <value-param><name>tmp</name><value>${java.io.tmpdir}/bindfile.xml</value></value-param>
        <value-param><name>sep</name><value>a${file.separator}b${path.separator}c</value></value-param>
        </init-params></component>""")
    params = config.components["T"].init_params
    assert params.get_value_param("tmp").value == f"{tempfile.gettempdir()}/bindfile.xml"
    assert params.get_value_param("sep").value == f"a{os.sep}b{os.pathsep}c"


def test_an_explicit_property_wins_over_a_jvm_built_in():
    config = parse("<component><type>T</type><description>${user.home}</description></component>",
                   properties=PropertyStore({"user.home": "/srv/exo"}))
    assert config.components["T"].description == "/srv/exo"
