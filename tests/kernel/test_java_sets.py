"""A ``<collection type="java.util.HashSet">`` (or LinkedHashSet, TreeSet...) takes any item, as a Java set does.

The original WebRTC connector's configuration puts ``ICEServer`` objects in a ``java.util.LinkedHashSet``
(tests/kernel/fixtures/real-exo/webrtc); the Java kernel loads it. A Java object that does not override
``hashCode`` is a set member by identity; ``List``, ``Set`` and ``Map`` hash their content.
"""
from __future__ import annotations

import parse_samples
from conftest import kernel_document
from exo_container.codepolicy import UnbuiltObject
from exo_container.properties import PropertyStore
from exo_container.xml.objects import OrderedSet
from exo_container.xml.parser import parse_configuration


def set_field(items: str, *, run_code: bool = True, set_type: str = "java.util.LinkedHashSet"):
    """The value of a field holding a ``set_type`` collection of ``items`` (the ``<value>`` elements)."""
    document = kernel_document(f"""
        <component><type>T</type><init-params><object-param><name>o</name>
          <object type="parse_samples.MyObject"><field name="field7">
            <collection type="{set_type}">{items}</collection>
          </field></object>
        </object-param></init-params></component>""")
    config = parse_configuration(document.encode(), url="test.xml", properties=PropertyStore(), run_code=run_code)
    obj = config.components["T"].init_params.get_object_param("o").object
    return obj.fields["field7"] if isinstance(obj, UnbuiltObject) else obj.field7


PERSON = '<value><object type="parse_samples.Person"><field name="a"><string>{}</string></field></object></value>'


def test_a_set_of_objects_python_cannot_hash_loads_each_object_in_document_order():
    members = set_field(PERSON.format("stun") + PERSON.format("turn"))
    assert type(members) is OrderedSet
    assert [(type(m), m.a) for m in members] == [(parse_samples.Person, "stun"), (parse_samples.Person, "turn")]


def test_two_equal_objects_in_a_set_are_two_members_as_java_objects_without_hash_code():
    assert len(set_field(PERSON.format("same") + PERSON.format("same"))) == 2


def test_a_set_of_objects_read_without_running_code_loads_too():
    members = set_field(PERSON.format("stun") + PERSON.format("turn"), run_code=False)
    assert [m.fields["a"] for m in members] == ["stun", "turn"]


def test_lists_in_a_set_are_members_by_value_as_java_lists():
    members = set_field("""
        <value><collection type="java.util.ArrayList"><value><string>a</string></value></collection></value>
        <value><collection type="java.util.ArrayList"><value><string>a</string></value></collection></value>
        <value><collection type="java.util.ArrayList"><value><string>b</string></value></collection></value>""")
    assert list(members) == [["a"], ["b"]]


def test_maps_in_a_set_are_members_by_value_as_java_maps():
    entry = '<entry><key><string>k</string></key><value><string>{}</string></value></entry>'
    members = set_field(f"""
        <value><map type="java.util.HashMap">{entry.format(1)}</map></value>
        <value><map type="java.util.HashMap">{entry.format(1)}</map></value>
        <value><map type="java.util.HashMap">{entry.format(2)}</map></value>""", set_type="java.util.HashSet")
    assert list(members) == [{"k": "1"}, {"k": "2"}]


def test_a_member_is_found_again_by_identity_or_value():
    person = parse_samples.Person(a="x")
    members = OrderedSet([person, ["l"], "s"])
    assert (person in members, parse_samples.Person(a="x") in members, ["l"] in members, "s" in members) == (
        True, False, True, True)
    members.discard(["l"])
    assert list(members) == [person, "s"]
