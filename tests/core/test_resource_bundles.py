"""The resource bundles (webconferencing/bundles.py, issue 11): the original's ResourceBundleService and
BaseResourceBundlePlugin, declared in kernel XML by an extension and read from its ``WEB-INF/classes/``.

Each test boots a real container from small XML: an empty root file and one extension folder, ``acme``, whose
``WEB-INF/conf/configuration.xml`` declares the service and a plugin naming its bundles, with the bundle files the
test writes under ``WEB-INF/classes/``.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable

import pytest

from exo_container import ExoContainer, boot
from webconferencing.bundles import ResourceBundleService, format_message, language_chain

KERNEL = 'xmlns="http://www.exoplatform.org/xml/ns/kernel_1_3.xsd"'
SERVICE = "org.exoplatform.services.resources.ResourceBundleService"
EXTENSION_FILE = """<configuration {kernel}>
  <component>
    <key>{service}</key>
    <type>webconferencing.bundles.ResourceBundleService</type>
  </component>
  <external-component-plugins>
    <target-component>{service}</target-component>
    <component-plugin>
      <name>ResourceBundle Plugin</name>
      <set-method>addResourceBundle</set-method>
      <type>org.exoplatform.services.resources.impl.BaseResourceBundlePlugin</type>
      <init-params>
        <values-param>
          <name>portal.resource.names</name>
{values}
        </values-param>
      </init-params>
    </component-plugin>
  </external-component-plugins>
</configuration>
"""

Booter = Callable[..., ExoContainer]


@pytest.fixture
def boot_bundles(tmp_path) -> Booter:
    """``boot_bundles({"locale/acme/Acme_en.properties": text or bytes}, "locale.acme.Acme", ...)``: the container
    of an extension declaring those bundles, with those files in its WEB-INF/classes/."""
    booted: list[ExoContainer] = []

    def run(files: dict[str, str | bytes], *names: str) -> ExoContainer:
        (tmp_path / "configuration.xml").write_text(f"<configuration {KERNEL}/>\n", encoding="utf-8")
        extension = tmp_path / "extensions" / "acme"
        (extension / "WEB-INF" / "conf").mkdir(parents=True)
        values = "\n".join(f"          <value>{name}</value>" for name in names)
        (extension / "WEB-INF" / "conf" / "configuration.xml").write_text(
            EXTENSION_FILE.format(kernel=KERNEL, service=SERVICE, values=values), encoding="utf-8")
        for relative, content in files.items():
            path = extension / "WEB-INF" / "classes" / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        container = boot(tmp_path / "configuration.xml", extensions_dirs=[tmp_path / "extensions"], environ={})
        booted.append(container)
        return container

    yield run
    for container in reversed(booted):
        container.stop()


def service_of(container: ExoContainer) -> ResourceBundleService:
    return container.get_component_instance_of_type(ResourceBundleService)


def test_a_bundle_of_an_extension_is_read_from_its_web_inf_classes_folder(boot_bundles):
    container = boot_bundles({"locale/acme/Acme_en.properties": "acme.call=Call\n",
                              "locale/acme/Acme_fr.properties": "acme.call=Appeler\n"}, "locale.acme.Acme")
    assert [str(p) for p in container.problems] == []
    assert service_of(container).get_portal_catalogue("fr") == {"acme.call": "Appeler"}
    assert service_of(container).get_languages() == ["en", "fr"]


def test_escapes_continued_lines_and_comments_are_read_as_java_reads_them(boot_bundles):
    english = "\n".join([
        "# a comment",
        "! another comment",
        "acme.escaped=caf\\u00e9\\ttab\\nline \\= \\: \\\\",
        "acme.continued=first \\",
        "    second \\",
        "\tthird",
        "acme.colon:value with: a colon",
        "acme.space   spaced value",
        "  acme.indented = trimmed before the value  ",
        "acme.empty=",
        "acme.key\\ with\\ spaces=ok",
    ])
    service = service_of(boot_bundles({"locale/acme/Acme_en.properties": english}, "locale.acme.Acme"))
    assert service.get_resource_bundle("locale.acme.Acme", "en") == {
        "acme.escaped": "caf\u00e9\ttab\nline = : \\",
        "acme.continued": "first second third",
        "acme.colon": "value with: a colon",
        "acme.space": "spaced value",
        "acme.indented": "trimmed before the value  ",
        "acme.empty": "",
        "acme.key with spaces": "ok",
    }


def test_a_bundle_in_utf8_and_one_in_iso_8859_1_read_the_same(boot_bundles):
    service = service_of(boot_bundles({
        "locale/acme/Acme_en.properties": "acme.coffee=coffee\n",
        "locale/acme/Acme_fr.properties": "acme.coffee=café\n".encode("utf-8"),
        "locale/latin/Latin_en.properties": "acme.coffee=coffee\n",
        "locale/latin/Latin_fr.properties": "acme.coffee=café\n".encode("iso-8859-1"),
    }, "locale.acme.Acme", "locale.latin.Latin"))
    assert service.get_resource_bundle("locale.acme.Acme", "fr") == {"acme.coffee": "café"}
    assert service.get_resource_bundle("locale.latin.Latin", "fr") == {"acme.coffee": "café"}


def test_a_key_missing_in_french_is_shown_in_english_and_logged_once(boot_bundles, caplog):
    service = service_of(boot_bundles({"locale/acme/Acme_en.properties": "acme.call=Call\nacme.hang=Hang up\n",
                                       "locale/acme/Acme_fr.properties": "acme.call=Appeler\n"}, "locale.acme.Acme"))
    with caplog.at_level(logging.WARNING, logger="webconferencing.bundles"):
        first = service.get_portal_catalogue("fr")
        second = service.get_portal_catalogue("fr")
    assert first == second == {"acme.call": "Appeler", "acme.hang": "Hang up"}
    assert [r.getMessage() for r in caplog.records] == [
        "Resource bundle locale.acme.Acme: 1 key(s) missing in fr, shown in en: acme.hang"]


def test_a_regional_language_falls_back_to_its_language_then_to_english(boot_bundles):
    service = service_of(boot_bundles({
        "locale/acme/Acme_en.properties": "acme.a=A\nacme.b=B\nacme.c=C\n",
        "locale/acme/Acme_fr.properties": "acme.a=A fr\nacme.b=B fr\n",
        "locale/acme/Acme_fr_CA.properties": "acme.a=A fr_CA\n",
    }, "locale.acme.Acme"))
    assert language_chain("fr-CA") == ["en", "fr", "fr_CA"]
    assert service.get_resource_bundle("locale.acme.Acme", "fr_CA") == {"acme.a": "A fr_CA", "acme.b": "B fr",
                                                                        "acme.c": "C"}


def test_a_key_no_bundle_has_is_shown_as_itself_and_logged_once(boot_bundles, caplog):
    service = service_of(boot_bundles({"locale/acme/Acme_en.properties": "acme.call=Call\n"}, "locale.acme.Acme"))
    with caplog.at_level(logging.WARNING, logger="webconferencing.bundles"):
        texts = [service.get_message("locale.acme.Acme", "acme.nothing", "en") for _ in range(2)]
    assert texts == ["acme.nothing", "acme.nothing"]
    assert len(caplog.records) == 1 and "acme.nothing" in caplog.records[0].getMessage()


def test_a_later_bundle_wins_a_key_of_the_portal_catalogue(boot_bundles):
    service = service_of(boot_bundles({"locale/acme/First_en.properties": "shared=first\nacme.one=1\n",
                                       "locale/acme/Second_en.properties": "shared=second\n"},
                                      "locale.acme.First", "locale.acme.Second"))
    assert service.get_portal_catalogue("en") == {"shared": "second", "acme.one": "1"}


def test_a_bundle_without_its_english_file_fails_its_plugin_naming_the_file(boot_bundles):
    container = boot_bundles({"locale/acme/Acme_fr.properties": "acme.call=Appeler\n"}, "locale.acme.Acme")
    [problem] = [str(p) for p in container.problems]
    assert "locale/acme/Acme_en.properties" in problem and "plugin skipped" in problem
    assert service_of(container).get_shared_resource_bundle_names() == []


def test_a_malformed_escape_fails_the_plugin_naming_the_file_and_line(boot_bundles):
    container = boot_bundles({"locale/acme/Acme_en.properties": "acme.ok=fine\nacme.bad=\\u00zz\n"},
                             "locale.acme.Acme")
    [problem] = [str(p) for p in container.problems]
    assert "Acme_en.properties:2" in problem and "malformed \\uxxxx encoding" in problem


def test_a_bundle_of_an_installed_package_resolves_in_that_package(boot_bundles):
    """The core's own bundle lives in the webconferencing package (webconferencing/locale/webconferencing/)."""
    service = service_of(boot_bundles({}, "locale.webconferencing.WebConferencingClient"))
    assert service.get_portal_catalogue("fr")["webconferencing.incoming.accept"] == "Accepter"


def test_placeholders_are_numbered_as_message_format_or_named_and_replaced_once():
    assert format_message("{0} declined, {1} too", ["Mary", "John"]) == "Mary declined, John too"
    assert format_message("Call in {space}", {"space": "Marketing"}) == "Call in Marketing"
    assert format_message("{0} and {1}", ["{1}"]) == "{1} and {1}"
    assert format_message("L'appel de {0}", ["Ann"]) == "L'appel de Ann"
