"""``exo-container check`` reports what the Java kernel only logs, or refuses, with file:line (issue 10, "An honest
check and dump"). Each test states what the Java kernel does with the same file."""
from __future__ import annotations

import io

import pytest

from exo_container.cli import main

STORE = "<component><key>store</key><type>reports.Store</type></component>"


def check(*argv: str) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = main(["check", *argv], out=out)
    return code, out.getvalue().splitlines()


@pytest.mark.parametrize("url", ["jar:/conf/nowhere/configuration.xml", "http://conf.example.org/configuration.xml"])
def test_an_import_that_designates_nothing_is_a_warning_at_its_line(write_config, url):
    # Java: getURL gives null (no such resource; http: is not a scheme the kernel reads), then
    # WARN "Couldn't process the URL for <url> configuration file ignored" and the boot goes on
    path = write_config("configuration.xml", f"{STORE}\n<import>{url}</import>")

    code, lines = check(str(path))

    assert code == 0
    assert lines[0] == (f"{path}:4: warning: import {url} not found: nothing there to load "
                        "(the kernel ignores it too)")


def test_a_missing_file_import_is_an_error_at_the_importing_line(write_config, tmp_path):
    # Java: file: URLs are returned even when nothing is there; loading then fails: ERROR
    # "Cannot process the configuration", the rest of that import tree is skipped
    missing = tmp_path / "nowhere" / "configuration.xml"
    path = write_config("configuration.xml", f"{STORE}\n<import>file:{missing}</import>")

    code, lines = check(str(path))

    assert code == 1
    assert lines[0] == f"{missing}: error: configuration file not found (imported at {path}:4)"


def test_an_empty_property_name_drops_the_file(write_config):
    # Java: ${:x} asks System.getProperty("") which throws IllegalArgumentException("key can't be empty") while
    # JiBX unmarshals: the whole file is dropped
    path = write_config("configuration.xml", f"{STORE}\n<component><type>reports.Other</type>"
                                             "<description>${:x}</description></component>")

    code, lines = check(str(path))

    assert code == 1
    assert lines[:2] == [
        f"{path}:4: error: ${{:x}} has no property name (the kernel refuses an empty key) in <description>",
        f"{path}: error: file dropped whole, as the kernel does: nothing of it is loaded (1 problem listed above)",
    ]


def test_an_even_run_of_backslashes_ends_the_reference_in_a_file(write_config):
    # Java (compiled Deserializer.resolveVariables): in "${u:a\\}" the } after two backslashes closes the
    # reference, so the value is the default "a\\", and nothing is left unresolved
    path = write_config("configuration.xml", "<component><key>store</key><type>reports.Store</type><init-params>"
                                             "<value-param><name>v</name><value>${u:a\\\\}</value></value-param>"
                                             "</init-params></component>")
    out = io.StringIO()

    assert main(["dump", str(path)], out=out) == 0
    assert "<value>a\\\\</value>" in out.getvalue()


def test_deep_check_lists_every_missing_object_param_class_of_a_dropped_file(write_config):
    # Java: JiBX stops at the first class it cannot load (the file is dropped, one error logged); the jitsi connector
    # then needed one round per error. check --deep loads the classes and names every one, then the drop
    path = write_config("configuration.xml", f"""{STORE}
        <component><key>other</key><type>reports.Other</type>
          <init-params>
            <object-param><name>a</name><object type="reports_nowhere.First"/></object-param>
            <object-param><name>b</name><object type="reports_nowhere.Second"/></object-param>
          </init-params>
        </component>""")

    code, lines = check("--deep", str(path))

    assert code == 1
    assert [line.split(": error: ")[1] for line in lines[:3]] == [
        "class 'reports_nowhere.First' not found",
        "class 'reports_nowhere.Second' not found",
        "file dropped whole, as the kernel does: nothing of it is loaded (2 problems listed above)",
    ]
    assert lines[0].startswith(f"{path}:6: ") and lines[1].startswith(f"{path}:7: ")
