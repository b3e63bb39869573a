"""``<multi-instance>true</multi-instance>``: the Java kernel parses it but no longer supports it
(``ContainerUtil.addComponents`` throws UnsupportedOperationException "Multi-instance isn't allowed anymore")."""
from __future__ import annotations

import io

from exo_container import load
from exo_container.cli import main


def check_deep(path) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = main(["check", "--deep", "--extensions", "no-extensions-here", str(path)], out=out)
    return code, out.getvalue().splitlines()


def test_multi_instance_without_a_key_is_an_error_at_the_component(write_config):
    # Java: the exception leaves the registration loop: the container does not start
    path = write_config("configuration.xml", "<component><type>parse_samples.MyBean</type>"
                                             "<multi-instance>true</multi-instance></component>")

    code, lines = check_deep(path)

    assert code == 1
    assert lines[0] == (f"{path}:3: error: Component parse_samples.MyBean: <multi-instance>true</multi-instance> is no "
                        "longer supported (the kernel refuses it, 'Multi-instance isn't allowed anymore', and its "
                        "container does not start); component skipped")


def test_multi_instance_with_a_key_is_registered_under_the_key_string(write_config):
    # Java: the exception is thrown inside the class-key attempt, whose fallback registers the String key
    path = write_config("configuration.xml", "<component><key>parse_samples.MyBean</key><type>parse_samples.MyBean"
                                             "</type><multi-instance>true</multi-instance></component>")

    container = load(path, extensions_dirs=[]).build_container()

    adapter = container.root.get_component_adapter("parse_samples.MyBean")
    assert adapter is not None and adapter.key == "parse_samples.MyBean"
    assert check_deep(path)[0] == 0


def test_multi_instance_false_changes_nothing(write_config):
    path = write_config("configuration.xml", "<component><type>parse_samples.MyBean</type>"
                                             "<multi-instance>false</multi-instance></component>")

    assert check_deep(path)[0] == 0
