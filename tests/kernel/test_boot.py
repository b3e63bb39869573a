"""``boot()``: properties, files, problems and start, as the server calls it."""
from __future__ import annotations

from pathlib import Path

import pytest

from exo_container import ConfigurationError, InitParams, Startable, boot, java_name


@java_name("boot.Settings")
class Settings:
    def __init__(self, params: InitParams):
        self.url = params.get_value_param("url").value


@java_name("boot.Server")
class Server(Startable):
    def __init__(self) -> None:
        self.running = False

    def start(self) -> None:
        self.running = True

    def stop(self) -> None:
        self.running = False


SETTINGS = """
<component><type>boot.Settings</type>
  <init-params><value-param><name>url</name><value>${db.url:sqlite://default}</value></value-param></init-params>
</component>
"""


def url(container) -> str:
    return container.get_component_instance(Settings).url


def test_exo_properties_next_to_the_configuration_is_read_by_default(write_config, tmp_path: Path):
    (tmp_path / "exo.properties").write_text("db.url=sqlite://from-file\n", encoding="utf-8")
    assert url(boot(write_config("configuration.xml", SETTINGS), environ={})) == "sqlite://from-file"


def test_explicit_properties_file_replaces_the_default_one(write_config, tmp_path: Path):
    (tmp_path / "exo.properties").write_text("db.url=sqlite://from-file\n", encoding="utf-8")
    other = tmp_path / "prod.properties"
    other.write_text("db.url=sqlite://prod\n", encoding="utf-8")
    assert url(boot(write_config("configuration.xml", SETTINGS), properties_file=other, environ={})) == "sqlite://prod"


def test_system_properties_and_exo_environment_variables_feed_variables(write_config):
    path = write_config("configuration.xml", SETTINGS)
    assert url(boot(path, system_properties={"db.url": "sqlite://d"}, environ={})) == "sqlite://d"
    assert url(boot(path, environ={"EXO_DB_URL": "sqlite://env"})) == "sqlite://env"


def test_without_any_property_the_default_in_the_xml_applies(write_config):
    assert url(boot(write_config("configuration.xml", SETTINGS), environ={})) == "sqlite://default"


def test_boot_starts_the_container_unless_asked_not_to(write_config):
    path = write_config("configuration.xml", "<component><type>boot.Server</type></component>")
    assert boot(path, environ={}).get_component_instance(Server).running is True
    assert boot(path, environ={}, start=False).state == "initialized"


def test_the_root_container_keeps_the_merged_root_configuration_and_the_files_it_came_from(write_config):
    write_config("more.xml", "<component><type>boot.Server</type></component>")
    path = write_config("configuration.xml", SETTINGS + "<import>more.xml</import>")
    container = boot(path, environ={}, start=False)
    assert list(container.parent.configuration.components) == ["boot.Settings", "boot.Server"]
    assert [Path(f).name for f in container.files] == ["configuration.xml", "more.xml"]


def test_a_rejected_file_is_a_problem_and_the_rest_still_boots(write_config):
    write_config("broken.xml", "<component><type>boot.Server</type><bogus/></component>")
    path = write_config("configuration.xml", SETTINGS + "<import>broken.xml</import>")
    container = boot(path, environ={})
    assert container.get_component_instance(Settings) is not None
    assert container.get_component_instance(Server) is None
    problem, dropped = container.problems
    assert problem.file.endswith("broken.xml") and "<bogus>" in problem.message
    assert dropped.file == problem.file and dropped.message.startswith("file dropped whole")


def test_a_rejected_file_is_fatal_in_strict_mode(write_config):
    write_config("broken.xml", "<component><type>boot.Server</type><bogus/></component>")
    path = write_config("configuration.xml", SETTINGS + "<import>broken.xml</import>")
    with pytest.raises(ConfigurationError, match="bogus"):
        boot(path, environ={}, strict=True)


def test_profiles_argument_adds_active_profiles(write_config):
    path = write_config("configuration.xml", '<component profiles="cluster"><type>boot.Server</type></component>')
    assert boot(path, environ={}, start=False).get_component_instance(Server) is None
    assert boot(path, environ={}, start=False, profiles=["cluster"]).get_component_instance(Server) is not None


def test_exo_profiles_property_activates_profiles(write_config):
    path = write_config("configuration.xml", '<component profiles="cluster"><type>boot.Server</type></component>')
    container = boot(path, environ={}, start=False, system_properties={"exo.profiles": "cluster"})
    assert container.get_component_instance(Server) is not None
