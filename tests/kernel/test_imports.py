"""§5: URL schemes of imports and the order imported files are merged in."""
import importlib
import logging
from pathlib import Path

import pytest

from exo_container.errors import ConfigurationError, ConfigurationWarning
from exo_container.loader import ConfigurationLoader
from exo_container.properties import PropertyStore
from exo_container.urls import file_url_to_path, find_resource, resolve_url

RESOURCES = Path(__file__).parent / "fixtures" / "resources"
EMPTY = "org/exoplatform/container/configuration/empty-config.xml"


def component(key: str, type_: str | None = None) -> str:
    return f"<component><key>{key}</key><type>{type_ or key}</type></component>"


def loader(**kw) -> ConfigurationLoader:
    return ConfigurationLoader(PropertyStore(kw.pop("props", {})), profiles=set(), **kw)


# --- URL schemes -----------------------------------------------------------------------

def test_no_url_gives_none():
    assert resolve_url(None) is None


@pytest.mark.parametrize("url", [f"jar:/{EMPTY}", f"classpath:/{EMPTY}", f"classpath:{EMPTY}", f"jar:{EMPTY}"])
def test_jar_and_classpath_find_the_resource_with_or_without_leading_slash(url):
    assert file_url_to_path(resolve_url(url, resource_roots=[RESOURCES])) == RESOURCES / EMPTY


def test_missing_classpath_resource_gives_none():
    assert resolve_url("jar:/org/exoplatform/container/configuration/empty-config-fake.xml",
                       resource_roots=[RESOURCES]) is None


def test_java_jar_url_is_not_a_resource():
    assert resolve_url(f"jar:file:/x.jar!/{EMPTY}", resource_roots=[RESOURCES]) is None


def test_jar_url_finds_a_resource_inside_an_installed_package(tmp_path, monkeypatch):
    conf = tmp_path / "site" / "exo_sample_pkg" / "conf" / "portal"
    conf.mkdir(parents=True)
    (conf.parent.parent / "__init__.py").write_text("")
    (conf / "configuration.xml").write_text("<configuration/>")
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    importlib.invalidate_caches()
    found = resolve_url("jar:/conf/portal/configuration.xml")
    assert file_url_to_path(found) == conf / "configuration.xml"


def test_resource_roots_come_before_installed_packages(tmp_path):
    (tmp_path / "x.xml").write_text("<configuration/>")
    assert find_resource("/x.xml", [tmp_path]) == tmp_path / "x.xml"


def test_war_url_resolves_under_the_extension_web_inf(tmp_path):
    (tmp_path / "WEB-INF" / "conf").mkdir(parents=True)
    (tmp_path / "WEB-INF" / "conf" / "x.xml").write_text("<configuration/>")
    assert file_url_to_path(resolve_url("war:/conf/x.xml", context_dir=tmp_path)) == tmp_path / "WEB-INF/conf/x.xml"


def test_missing_war_resource_gives_none(tmp_path):
    assert resolve_url("war:/conf/fake.xml", context_dir=tmp_path) is None


def test_war_url_without_extension_folder_is_the_kernel_error():
    with pytest.raises(ConfigurationError, match="unsupport war uri in this configuration service"):
        resolve_url("war:/conf/x.xml")


def test_windows_file_url_is_normalised():
    assert resolve_url("file:F:\\somepath\\path\\configuration.xml") == "file:///F:/somepath/path/configuration.xml"


@pytest.mark.parametrize("url", ["file:/a/b.xml", "file://a/b.xml", "file:///a/b.xml"])
def test_file_url_forms_are_normalised(url):
    assert resolve_url(url) == "file:///a/b.xml"


def test_file_url_is_substituted_again():
    assert resolve_url("file:${conf}/x.xml", lookup={"conf": "/etc/exo"}.get) == "file:///etc/exo/x.xml"


def test_relative_url_resolves_against_the_context_path():
    assert resolve_url("conf\\configuration.xml", context_path="file:///D:/somepath/") == (
        "file:///D:/somepath/conf/configuration.xml")


def test_relative_url_without_context_gives_none():
    assert resolve_url("org/exoplatform/x.xml") is None


@pytest.mark.parametrize("url", ["http://example.org/c.xml", "C:\\conf\\c.xml", "ftp:x"])
def test_other_schemes_give_none(url):
    assert resolve_url(url, context_path="file:///x/") is None


def test_absolute_path_import_is_a_file(tmp_path):
    assert resolve_url(str(tmp_path / "x.xml"), context_path="file:///elsewhere/") == f"file://{tmp_path}/x.xml"


def test_failed_top_level_file_still_sets_the_context_path():
    config = loader()
    config.add_configuration("file:D:\\somepath\\config.xml")
    assert resolve_url("configuration.xml", context_path=config._context_path) == (
        "file:///D:/somepath/configuration.xml")


# --- import order ----------------------------------------------------------------------

def test_chained_classpath_imports_bring_every_component_with_its_own_document():
    config = loader(resource_roots=[RESOURCES])
    assert config.add_configuration(f"classpath:/{EMPTY.replace('empty-config', 'config-manager-configuration-c')}")
    components = config.configuration.components
    assert [(k, Path(c.source.file).name) for k, c in components.items()] == [
        ("C", "config-manager-configuration-c.xml"),
        ("B", "config-manager-configuration-b.xml"),
        ("A", "config-manager-configuration-a.xml"),
    ]


def test_imported_file_overrides_its_importer(write_config):
    top = write_config("top.xml", component("K", "FromTop") + "<import>imported.xml</import>")
    write_config("imported.xml", component("K", "FromImport"))
    config = loader()
    config.add_configuration(top)
    assert config.configuration.components["K"].type == "FromImport"


def test_imports_are_loaded_depth_first(write_config):
    top = write_config("top.xml", "<import>b.xml</import><import>c.xml</import>")
    write_config("b.xml", "<import>d.xml</import>")
    write_config("c.xml", "")
    write_config("d.xml", "")
    config = loader()
    config.add_configuration(top)
    assert [Path(f).name for f in config.loaded] == ["top.xml", "b.xml", "d.xml", "c.xml"]


def test_nested_relative_imports_resolve_against_the_top_level_file(write_config):
    top = write_config("top.xml", "<import>sub/b.xml</import>")
    write_config("sub/b.xml", "<import>c.xml</import>")
    write_config("c.xml", component("Where", "TopLevelFolder"))
    write_config("sub/c.xml", component("Where", "ImporterFolder"))
    config = loader()
    config.add_configuration(top)
    assert config.configuration.components["Where"].type == "TopLevelFolder"


def test_import_path_with_property_is_resolved(write_config, tmp_path):
    (tmp_path / "db").mkdir()
    write_config("db/db.xml", component("Db"))
    top = write_config("top.xml", "<import>${db.configuration.path}/db.xml</import>")
    config = loader(props={"db.configuration.path": str(tmp_path / "db")})
    config.add_configuration(top)
    assert list(config.configuration.components) == ["Db"]


def test_war_import_loads_from_the_extension_folder(write_config, tmp_path):
    top = write_config("ext/WEB-INF/conf/configuration.xml", "<import>war:/conf/my/configuration.xml</import>")
    write_config("ext/WEB-INF/conf/my/configuration.xml", component("Provider"))
    config = loader()
    assert config.add_configuration(top, context_dir=tmp_path / "ext")
    assert list(config.configuration.components) == ["Provider"]


def test_import_not_found_is_skipped_with_a_warning(write_config, caplog):
    top = write_config("top.xml", "<import>jar:/nowhere/x.xml</import><import>b.xml</import>")
    write_config("b.xml", component("B"))
    config = loader()
    with caplog.at_level(logging.WARNING):
        assert config.add_configuration(top)
    assert list(config.configuration.components) == ["B"]
    assert "Couldn't process the URL for jar:/nowhere/x.xml configuration file ignored" in caplog.text
    [warning] = config.problems
    assert isinstance(warning, ConfigurationWarning)
    assert (warning.file, warning.line) == (str(top), 3)
    assert warning.message.startswith("import jar:/nowhere/x.xml not found")


def test_failing_import_skips_the_rest_of_the_tree_and_keeps_what_was_merged(write_config):
    top = write_config("top.xml", component("Top") + "<import>broken.xml</import><import>after.xml</import>")
    write_config("broken.xml", "<oops/>")
    write_config("after.xml", component("After"))
    config = loader()
    assert not config.add_configuration(top)
    assert list(config.configuration.components) == ["Top"]
    assert [str(p) for p in config.problems] == [
        f"{top.parent / 'broken.xml'}:3: unknown element <oops> in <configuration> (expected "
        "<container-lifecycle-plugin>, <component-lifecycle-plugin>, <component>, <external-component-plugins>, "
        "<import>, <remove-configuration>)",
        f"{top.parent / 'broken.xml'}: file dropped whole, as the kernel does: nothing of it is loaded "
        "(1 problem listed above)"]


def test_war_import_without_extension_folder_names_the_importing_line(write_config):
    top = write_config("top.xml", "<import>war:/conf/x.xml</import>")
    config = loader()
    config.add_configuration(top)
    assert str(config.problems[0]).startswith(f"{top}:3: cannot resolve war:/conf/x.xml")


def test_missing_import_file_is_a_problem(write_config):
    top = write_config("top.xml", "<import>file:/nonexistent/x.xml</import>")
    config = loader()
    config.add_configuration(top)
    assert str(config.problems[0]) == f"/nonexistent/x.xml: configuration file not found (imported at {top}:3)"


def test_a_broken_top_level_file_does_not_stop_the_next_one(write_config, caplog):
    bad = write_config("bad.xml", "<component><type>A</type><int>1</int></component>")
    good = write_config("good.xml", component("Good"))
    config = loader()
    with caplog.at_level(logging.ERROR):
        config.add_configuration(bad)
        config.add_configuration(good)
    assert list(config.configuration.components) == ["Good"]
    assert [p.file for p in config.problems] == [str(bad), str(bad)]  # its problem, then "file dropped"
    assert "Cannot process the configuration" in caplog.text


def test_strict_mode_raises_the_first_problem(write_config):
    bad = write_config("bad.xml", "<foo/>")
    with pytest.raises(ConfigurationError, match="unknown element <foo>"):
        loader(strict=True).add_configuration(bad)


def test_import_cycle_is_reported_instead_of_recursing(write_config):
    top = write_config("a.xml", "<import>b.xml</import>")
    write_config("b.xml", "<import>a.xml</import>")
    config = loader()
    config.add_configuration(top)
    assert "import cycle" in str(config.problems[0])


def test_loader_takes_profiles_from_the_store_by_default(write_config):
    top = write_config("top.xml", '<component profiles="foo"><type>A</type></component>')
    config = ConfigurationLoader(PropertyStore({"exo.profiles": "foo"}))
    config.add_configuration(top)
    assert list(config.configuration.components) == ["A"]
