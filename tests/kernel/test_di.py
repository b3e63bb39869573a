"""The booted container as a dependency-injector container: a named provider per component,
wiring of application code (``@inject`` + ``Provide["name"]``) and overrides."""
from __future__ import annotations

import pytest
from dependency_injector import providers
from dependency_injector.wiring import Provide

from exo_container import ExoContainer, PortalContainerConfig, boot, java_name
from exo_container.properties import PropertyStore

import wired_handlers


@java_name("di.Clock")
class Clock:
    def now(self) -> int:
        return 1000


@java_name("di.Greeter")
class Greeter:
    def __init__(self, clock: Clock):
        self.clock = clock

    def greet(self, name: str) -> str:
        return f"hello {name} at {self.clock.now()}"


@java_name("di.other.Clock")
class OtherClock(Clock):
    pass


@java_name("di.Wire")
class Wire:
    pass


class FrozenClock(Clock):
    def now(self) -> int:
        return 7


@pytest.fixture
def container(write_config):
    def build(body: str) -> ExoContainer:
        return boot(write_config("configuration.xml", body), environ={}, start=False)

    return build


GREETER = "<component><type>di.Clock</type></component><component><type>di.Greeter</type></component>"


def test_each_component_is_a_provider_named_after_the_last_segment_of_its_key(container):
    c = container(GREETER + "<component><key>MockService</key><type>di.Clock</type></component>")
    assert {"clock", "greeter", "mock_service"} <= set(c.di.providers)
    assert c.provider_name(Greeter) == "greeter"


def test_a_provider_gives_the_same_singleton_as_a_lookup(container):
    c = container(GREETER)
    assert c.di.greeter() is c.get_component_instance(Greeter)
    assert c.di.greeter().clock is c.di.clock()


def test_built_ins_are_providers_too(container):
    c = container("")
    assert c.di.exo_container() is c
    assert isinstance(c.di.property_store(), PropertyStore)
    assert isinstance(c.di.portal_container_config(), PortalContainerConfig)


def test_a_second_key_with_the_same_last_segment_is_named_after_its_whole_key(container):
    c = container(GREETER + "<component><key>spare.Clock</key><type>di.other.Clock</type></component>")
    assert c.provider_name(Clock) == "clock"
    assert c.provider_name("spare.Clock") == "spare__clock"
    assert isinstance(c.di.spare__clock(), OtherClock)


def test_a_name_that_would_hide_a_dependency_injector_method_is_qualified(container):
    c = container("<component><type>di.Wire</type></component>")
    assert c.provider_name(Wire) == "test_di__wire"  # a class key is its Python path
    assert callable(c.di.wire)  # still dependency-injector's method


def test_wired_functions_receive_components_by_provider_name(container):
    c = container(GREETER)
    c.wire(modules=[wired_handlers])
    try:
        assert wired_handlers.greeting("mary") == "hello mary at 1000"
    finally:
        c.unwire()


def test_unwire_gives_the_functions_their_markers_back(container):
    c = container(GREETER)
    c.wire(modules=[wired_handlers])
    c.unwire()
    assert isinstance(wired_handlers.injected_clock(), Provide)


def test_dispose_unwires(container):
    c = container(GREETER)
    c.wire(modules=[wired_handlers])
    c.dispose()
    assert isinstance(wired_handlers.injected_clock(), Provide)


def test_an_overridden_provider_is_what_constructors_and_lookups_receive(container):
    c = container(GREETER)
    frozen = FrozenClock()
    c.di.clock.override(providers.Object(frozen))
    assert c.get_component_instance(Clock) is frozen
    assert c.get_component_instance(Greeter).greet("john") == "hello john at 7"
