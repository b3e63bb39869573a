"""Extension resource declarations (WEB-INF/gatein-resources.xml): what pages load, in which order, from where."""
from __future__ import annotations

from pathlib import Path

import pytest

from exo_container.errors import ConfigurationError
from webconferencing.web.resources import PageResources, read_extension

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gatein-resources xmlns="http://www.exoplatform.org/xml/ns/gatein_resources_1_4">\n')


def extension(tmp_path: Path, name: str, body: str, files: dict[str, str] | None = None) -> Path:
    root = tmp_path / name
    (root / "WEB-INF").mkdir(parents=True)
    (root / "WEB-INF" / "gatein-resources.xml").write_text(HEAD + body + "\n</gatein-resources>\n")
    for path, text in (files or {}).items():
        target = root / "static" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    return root


def module(name: str, path: str, *depends: str) -> str:
    deps = "".join(f"<depends><module>{d}</module></depends>" for d in depends)
    return f"<module><name>{name}</name><script><path>{path}</path></script>{deps}</module>"


def test_a_declared_module_is_served_under_the_extension_name(tmp_path):
    root = extension(tmp_path, "myconnector", module("webConferencing_myconnector", "/js/my.js", "webConferencing"))
    resources = PageResources.from_folders([root])
    [script] = resources.scripts({})
    assert script.url == "/extensions/myconnector/js/my.js"
    assert script.provider_type == "myconnector"


def test_modules_load_after_the_modules_they_depend_on(tmp_path):
    a = extension(tmp_path, "a", module("webConferencing_a", "/a.js", "webConferencing", "sharedlib"))
    b = extension(tmp_path, "b", module("sharedlib", "/lib.js"))
    resources = PageResources.from_folders([a, b])
    assert [m.name for m in resources.scripts({})] == ["sharedlib", "webConferencing_a"]


def test_the_module_of_a_switched_off_provider_is_left_out_except_on_the_admin_page(tmp_path):
    root = extension(tmp_path, "two", module("webConferencing_on", "/on.js") + module("webConferencing_off", "/off.js"))
    resources = PageResources.from_folders([root])
    active = {"on": True, "off": False}
    assert [m.name for m in resources.scripts(active)] == ["webConferencing_on"]
    assert [m.name for m in resources.scripts(active, with_inactive=True)] == ["webConferencing_on",
                                                                              "webConferencing_off"]


def test_a_dependency_cycle_is_a_configuration_error_naming_the_modules(tmp_path):
    root = extension(tmp_path, "loop", module("x", "/x.js", "y") + module("y", "/y.js", "x"))
    with pytest.raises(ConfigurationError, match="cycle: x -> y -> x"):
        PageResources.from_folders([root])


def test_an_unknown_dependency_such_as_jquery_is_ignored(tmp_path):
    root = extension(tmp_path, "old", module("webConferencing_old", "/old.js", "jquery", "webConferencing"))
    assert [m.name for m in PageResources.from_folders([root]).scripts({})] == ["webConferencing_old"]


def test_a_script_path_leaving_the_web_root_is_refused_with_file_and_line(tmp_path):
    root = extension(tmp_path, "evil", module("webConferencing_evil", "/../WEB-INF/conf/configuration.xml"))
    with pytest.raises(ConfigurationError) as raised:
        read_extension(root)
    assert "gatein-resources.xml:3" in str(raised.value)
    assert "inside the web root" in str(raised.value)


def test_a_module_without_a_script_is_refused(tmp_path):
    root = extension(tmp_path, "broken", "<module><name>webConferencing_broken</name></module>")
    with pytest.raises(ConfigurationError, match="<script><path> is missing"):
        read_extension(root)


def test_default_skins_come_lowest_priority_first(tmp_path):
    skins = """
      <portlet-skin><application-name>a</application-name><portlet-name>P</portlet-name>
        <skin-name>Default</skin-name><css-path>/skin/high.css</css-path><css-priority>5</css-priority></portlet-skin>
      <portlet-skin><application-name>a</application-name><portlet-name>P</portlet-name>
        <skin-name>Enterprise</skin-name><css-path>/skin/enterprise.css</css-path></portlet-skin>
      <portlet-skin><application-name>a</application-name><portlet-name>P</portlet-name>
        <skin-name>Default</skin-name><css-path>/skin/low.css</css-path><css-priority>1</css-priority></portlet-skin>"""
    resources = PageResources.from_folders([extension(tmp_path, "styled", skins)])
    assert [s.url for s in resources.skins()] == ["/extensions/styled/skin/low.css", "/extensions/styled/skin/high.css"]


def test_only_files_inside_the_static_folder_are_served(tmp_path):
    root = extension(tmp_path, "files", module("webConferencing_files", "/js/f.js"), {"js/f.js": "//"})
    (root / "secret.py").write_text("TOKEN = 1")
    resources = PageResources.from_folders([root])
    assert resources.static_file("files", "js/f.js") == (root / "static" / "js" / "f.js").resolve()
    assert resources.static_file("files", "../secret.py") is None
    assert resources.static_file("files", "../WEB-INF/gatein-resources.xml") is None
    assert resources.static_file("nosuch", "js/f.js") is None


def test_an_extension_without_a_declaration_contributes_nothing(tmp_path):
    bare = tmp_path / "bare"
    bare.mkdir()
    resources = PageResources.from_folders([bare])
    assert resources.scripts({}) == [] and resources.skins() == []


def test_malformed_xml_names_the_file_and_line(tmp_path):
    root = tmp_path / "bad"
    (root / "WEB-INF").mkdir(parents=True)
    (root / "WEB-INF" / "gatein-resources.xml").write_text(HEAD + "<module><name>x</name>\n")
    with pytest.raises(ConfigurationError, match=r"gatein-resources\.xml:\d+: malformed XML"):
        read_extension(root)
