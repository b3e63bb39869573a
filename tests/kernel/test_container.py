"""Registration and lookup of configured components (§6 registration, lookup by key and by type)."""
from __future__ import annotations

from pathlib import Path

import pytest

from exo_container import ConfigurationError, ExoContainer, boot, java_name


@java_name("reg.Service")
class Service:
    pass


@java_name("reg.ServiceImpl")
class ServiceImpl(Service):
    pass


@java_name("reg.OtherImpl")
class OtherImpl(Service):
    pass


@java_name("reg.Unrelated")
class Unrelated:
    pass


@pytest.fixture
def container(write_config):
    def build(body: str, strict: bool = False) -> ExoContainer:
        # a root file's components live in the root container: these tests are about one container
        return boot(write_config("configuration.xml", body), environ={}, start=False, strict=strict).parent

    return build


def test_component_without_key_is_registered_under_its_class(container):
    c = container("<component><type>reg.ServiceImpl</type></component>")
    assert isinstance(c.get_component_instance(ServiceImpl), ServiceImpl)


def test_class_keyed_component_is_found_by_its_java_name_and_its_python_path(container):
    c = container("<component><type>reg.ServiceImpl</type></component>")
    instance = c.get_component_instance(ServiceImpl)
    assert c.get_component_instance("reg.ServiceImpl") is instance
    assert c.get_component_instance("test_container.ServiceImpl") is instance


def test_key_naming_a_class_the_type_extends_registers_under_that_class(container):
    c = container("<component><key>reg.Service</key><type>reg.ServiceImpl</type></component>")
    assert c.get_component_adapter(Service).implementation is ServiceImpl


def test_key_that_is_no_class_registers_under_the_string(container):
    c = container("<component><key>MockService</key><type>reg.ServiceImpl</type></component>")
    assert c.get_component_adapter("MockService").key == "MockService"
    assert isinstance(c.get_component_instance("MockService"), ServiceImpl)


def test_key_naming_a_class_the_type_does_not_extend_registers_under_the_string(container):
    c = container("<component><key>reg.Unrelated</key><type>reg.ServiceImpl</type></component>")
    assert c.get_component_adapter("reg.Unrelated").key == "reg.Unrelated"
    assert c.get_component_instance(Unrelated) is None


def test_component_is_a_singleton(container):
    c = container("<component><type>reg.ServiceImpl</type></component>")
    assert c.get_component_instance(ServiceImpl) is c.get_component_instance_of_type(Service)


def test_unknown_key_gives_none(container):
    c = container("<component><type>reg.ServiceImpl</type></component>")
    assert c.get_component_instance("nothing.Here") is None
    assert c.get_component_instance_of_type(Unrelated) is None


def test_lookup_by_type_prefers_the_exact_class_key_over_assignable_ones(container):
    c = container(
        """
        <component><key>reg.Service</key><type>reg.ServiceImpl</type></component>
        <component><type>reg.OtherImpl</type></component>
        """
    )
    assert isinstance(c.get_component_instance_of_type(Service), ServiceImpl)


def test_components_of_type_lists_every_assignable_component_in_registration_order(container):
    c = container(
        """
        <component><type>reg.OtherImpl</type></component>
        <component><type>reg.ServiceImpl</type></component>
        <component><type>reg.Unrelated</type></component>
        """
    )
    assert [type(s) for s in c.get_components_of_type(Service)] == [OtherImpl, ServiceImpl]


def test_component_remembers_the_file_and_line_it_was_declared_at(container, tmp_path: Path):
    c = container("<component><type>reg.Unrelated</type></component>")
    assert str(c.get_component_adapter(Unrelated).source) == f"{tmp_path / 'configuration.xml'}:3"


def test_component_whose_class_is_missing_is_skipped_and_reported_with_file_and_line(container, tmp_path: Path):
    c = container(
        """
        <component><type>reg.Missing</type></component>
        <component><type>reg.Unrelated</type></component>
        """
    )
    assert c.get_component_instance(Unrelated) is not None
    assert c.get_component_adapter("reg.Missing") is None
    [problem] = c.problems
    assert (problem.file, problem.line) == (str(tmp_path / "configuration.xml"), 3)
    assert problem.message.startswith("Class reg.Missing of component reg.Missing not found")


def test_missing_component_class_is_fatal_in_strict_mode(container):
    with pytest.raises(ConfigurationError, match="Class reg.Missing of component reg.Missing not found"):
        container("<component><type>reg.Missing</type></component>", strict=True)


def test_later_file_component_with_the_same_key_replaces_the_earlier(write_config, tmp_path: Path):
    write_config("override.xml", "<component><key>reg.Service</key><type>reg.OtherImpl</type></component>")
    root = write_config(
        "configuration.xml",
        "<component><key>reg.Service</key><type>reg.ServiceImpl</type></component><import>override.xml</import>",
    )
    c = boot(root, environ={}, start=False)
    assert isinstance(c.get_component_instance(Service), OtherImpl)
    assert c.get_component_adapter(Service).source.file == str(tmp_path / "override.xml")
