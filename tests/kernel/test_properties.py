"""§3: java.util.Properties syntax, file substitution, and the store's layering."""
from pathlib import Path

import pytest

from exo_container.errors import ConfigurationError
from exo_container.properties import (
    PropertyStore,
    env_to_property_name,
    load_properties_file,
    load_properties_text,
)

FIXTURES = Path(__file__).parent / "fixtures"


# --- java.util.Properties syntax -------------------------------------------------------

def test_equals_colon_and_whitespace_all_separate_key_from_value():
    assert load_properties_text("a=1\nb:2\nc 3\nd\t4\ne = 5\nf : 6\n") == {
        "a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6"}


def test_whitespace_then_separator_counts_as_one_separator():
    assert load_properties_text("key  =  value\nother :=x") == {"key": "value", "other": "=x"}


def test_hash_and_bang_lines_are_comments():
    assert load_properties_text("# c1\n  ! c2\na=1\n#b=2") == {"a": "1"}


def test_hash_inside_a_value_is_kept():
    assert load_properties_text("a=1 # not a comment") == {"a": "1 # not a comment"}


def test_blank_lines_are_ignored_and_a_key_may_have_no_value():
    assert load_properties_text("\n   \nalone\nempty=\n") == {"alone": "", "empty": ""}


def test_trailing_backslash_continues_the_line_without_leading_whitespace():
    assert load_properties_text("a=one, \\\n     two, \\\n  three\nb=2") == {"a": "one, two, three", "b": "2"}


def test_even_trailing_backslashes_are_an_escaped_backslash_not_a_continuation():
    assert load_properties_text("a=c:\\\\\nb=2") == {"a": "c:\\", "b": "2"}


def test_a_comment_line_is_never_continued():
    assert load_properties_text("# comment \\\na=1") == {"a": "1"}


def test_escapes_in_keys_and_values():
    text = "my\\ key\\=x\\:y=tab\\there\\nnew\\u00e9\\q"
    assert load_properties_text(text) == {"my key=x:y": "tab\there\nnew\u00e9q"}


def test_value_keeps_trailing_whitespace_like_java():
    assert load_properties_text("a=value  ") == {"a": "value  "}


def test_malformed_unicode_escape_names_file_and_line():
    with pytest.raises(ConfigurationError) as e:
        load_properties_text("a=1\nb=\\u12g4", source="x.properties")
    assert str(e.value) == "x.properties:2: malformed \\uxxxx encoding: \\u12g4"


def test_a_repeated_key_moves_to_the_last_position():
    assert list(load_properties_text("a=b\nc=d\ne=f\na=b")) == ["c", "e", "a"]


def test_xml_properties_file_reads_entries():
    assert load_properties_file(FIXTURES / "property-configurator.xml")["property_1"] == "property_value_1"


def test_other_suffixes_are_ignored(tmp_path):
    path = tmp_path / "settings.conf"
    path.write_text("a=1")
    assert load_properties_file(path) == {}


def test_latin1_file_is_read_when_not_utf8(tmp_path):
    path = tmp_path / "x.properties"
    path.write_bytes("name=caf\xe9".encode("iso-8859-1"))
    assert load_properties_file(path) == {"name": "caf\xe9"}


# --- TestPropertyManagerConfigurator ---------------------------------------------------

EXPECTED = {
    "property_1": "property_value_1",
    "property_2": "property_value_2",
    "property_3": "${property_3}",
    "property_4": "property_value_1-property_value_2",
    "property_5": "property {0} value {1}",
    "property_6": "property_value_1-property {0} value {1}",
}


def test_properties_file_values_resolve_against_earlier_entries_then_the_store():
    store = PropertyStore({"property_2": "property_value_2"})
    store.load_file(FIXTURES / "property-configurator.properties")
    assert {k: store.get(k) for k in EXPECTED} == EXPECTED


def test_xml_properties_file_resolves_the_same_way():
    store = PropertyStore({"property_2": "property_value_2"})
    store.load_file(FIXTURES / "property-configurator.xml")
    assert {k: store.get(k) for k in list(EXPECTED)[:4]} == dict(list(EXPECTED.items())[:4])


def test_a_later_entry_is_not_visible_to_an_earlier_one(tmp_path):
    path = tmp_path / "p.properties"
    path.write_text("a=${b}\nb=B\n")
    assert PropertyStore().load_file(path) == {"a": "${b}", "b": "B"}


def test_exo_properties_url_names_the_file_to_load():
    store = PropertyStore.from_process(
        {"property_2": "property_value_2", "exo.properties.url": str(FIXTURES / "property-configurator.properties")},
        environ={},
        properties_file=None,
    )
    assert {k: store.get(k) for k in EXPECTED} == EXPECTED


def test_exo_properties_url_may_be_a_file_url():
    url = "file:" + str(FIXTURES / "property-configurator.properties")
    store = PropertyStore.from_process({"exo.properties.url": url}, environ={})
    assert store.get("property_1") == "property_value_1"


def test_exo_properties_url_replaces_the_default_file(tmp_path):
    default = tmp_path / "exo.properties"
    default.write_text("from.default=yes\n")
    other = tmp_path / "other.properties"
    other.write_text("from.other=yes\n")
    store = PropertyStore.from_process({"exo.properties.url": str(other)}, environ={}, properties_file=default)
    assert ("from.default" in store, store.get("from.other")) == (False, "yes")


def test_missing_file_named_by_exo_properties_url_is_an_error(tmp_path):
    with pytest.raises(ConfigurationError, match="properties file not found"):
        PropertyStore.from_process({"exo.properties.url": str(tmp_path / "nope.properties")}, environ={})


def test_missing_default_properties_file_is_skipped(tmp_path):
    store = PropertyStore.from_process({"a": "1"}, environ={}, properties_file=tmp_path / "exo.properties")
    assert store.as_dict() == {"a": "1"}


# --- layering --------------------------------------------------------------------------

@pytest.mark.parametrize(("variable", "name"), [
    ("EXO_FOO_BAR", "foo.bar"),
    ("EXO_WEBCONFERENCING_MY__KEY", "webconferencing.my_key"),
    ("EXO_PROFILES", "profiles"),
    ("HOME", None),
    ("EXO_", None),
])
def test_environment_variable_names_map_to_property_names(variable, name):
    assert env_to_property_name(variable) == name


def test_system_properties_override_environment(tmp_path):
    store = PropertyStore.from_process({"foo.bar": "from-D"}, environ={"EXO_FOO_BAR": "from-env", "EXO_ONLY": "env"})
    assert (store.get("foo.bar"), store.get("only")) == ("from-D", "env")


def test_properties_file_overrides_system_properties_and_environment(tmp_path):
    path = tmp_path / "exo.properties"
    path.write_text("foo.bar=from-file\nbaz=${foo.bar}-${env.only}\n")
    store = PropertyStore.from_process({"foo.bar": "from-D"}, environ={"EXO_ENV_ONLY": "e"}, properties_file=path)
    assert (store.get("foo.bar"), store.get("baz")) == ("from-file", "from-file-e")


def test_file_values_see_the_layers_below():
    store = PropertyStore.from_process({"property_2": "from-D"}, environ={},
                                       properties_file=FIXTURES / "property-configurator.properties")
    assert store.get("property_4") == "property_value_1-from-D"


def test_environment_can_point_exo_properties_url(tmp_path):
    path = tmp_path / "other.properties"
    path.write_text("x=1\n")
    store = PropertyStore.from_process({}, environ={"EXO_EXO_PROPERTIES_URL": str(path)})
    assert store.get("x") == "1"


# --- lookup and profiles ---------------------------------------------------------------

def test_lookup_never_answers_portal_container_keys_from_properties():
    store = PropertyStore({"portal.container.name": "x", "container.name.suffix": "y", "a": "A"})
    assert [store.lookup(k) for k in ("portal.container.name", "container.name.suffix", "a")] == [None, None, "A"]


@pytest.mark.parametrize(("value", "profiles"), [
    ("foo1, foo2, foo3", {"foo1", "foo2", "foo3"}),
    ("  \tfoo   ", {"foo"}),
    (",foo   ", {"foo"}),
    ("", set()),
])
def test_active_profiles_come_from_exo_profiles(value, profiles):
    assert PropertyStore({"exo.profiles": value}).profiles() == profiles


def test_no_exo_profiles_means_no_profiles():
    assert PropertyStore().profiles() == set()


# --- JVM built-ins and exo.conf.dir ----------------------------------------------------

def test_jvm_built_in_properties_answer_when_nothing_set_them(monkeypatch, tmp_path):
    import getpass
    import os
    import tempfile

    monkeypatch.chdir(tmp_path)
    store = PropertyStore()
    assert [store.lookup(k) for k in ("java.io.tmpdir", "user.home", "user.dir", "user.name")] == [
        tempfile.gettempdir(), str(Path.home()), str(tmp_path), getpass.getuser()]
    assert [store.lookup(k) for k in ("file.separator", "path.separator", "line.separator")] == [
        os.sep, os.pathsep, os.linesep]


def test_os_name_is_spelled_as_java_spells_it():
    import platform

    expected = {"Linux": "Linux", "Darwin": "Mac OS X"}.get(platform.system(), None)
    if expected is None:
        pytest.skip("Java's os.name is only pinned here for Linux and macOS")
    assert PropertyStore().lookup("os.name") == expected


def test_built_ins_are_not_listed_as_set_properties():
    assert "user.home" not in PropertyStore().as_dict()


def test_exo_conf_dir_defaults_to_the_configuration_folder_and_a_file_may_use_it(tmp_path):
    properties = tmp_path / "exo.properties"
    properties.write_text("db.file=${exo.conf.dir}/calls.db\n", encoding="utf-8")
    store = PropertyStore.from_process({}, {}, properties, conf_dir=tmp_path)
    assert store.get("db.file") == f"{tmp_path}/calls.db"


def test_exo_data_dir_resolves_only_where_it_is_defined(tmp_path):
    assert PropertyStore.from_process({}, {}, None, conf_dir=tmp_path).lookup("exo.data.dir") is None
    assert PropertyStore.from_process({"exo.data.dir": "/var/exo"}, {}, None).lookup("exo.data.dir") == "/var/exo"


def test_an_empty_key_in_a_properties_file_is_an_error_naming_the_file(tmp_path):
    properties = tmp_path / "exo.properties"
    properties.write_text("a=${:x}\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="has no property name") as error:
        PropertyStore().load_file(properties)
    assert error.value.file == str(properties)
