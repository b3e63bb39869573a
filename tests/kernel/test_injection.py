"""Constructor injection: which constructor the container picks and what it passes (§6)."""
from __future__ import annotations

from pathlib import Path

import pytest

from exo_container import ContainerError, ExoContainer, InitParams, boot, constructor, java_name
from exo_container.properties import PropertyStore


@java_name("inj.Engine")
class Engine:
    pass


@java_name("inj.Wheels")
class Wheels:
    pass


@java_name("inj.Car")
class Car:
    """Two ways to be built; the richer one wins when its parts exist."""

    def __init__(self, engine: Engine):
        self.engine, self.wheels, self.built_by = engine, None, "__init__"

    @constructor
    @classmethod
    def with_wheels(cls, engine: Engine, wheels: Wheels) -> "Car":
        car = cls(engine)
        car.wheels, car.built_by = wheels, "with_wheels"
        return car


@java_name("inj.Configured")
class Configured:
    def __init__(self, params: InitParams | None):
        self.params = params


@java_name("inj.OptionalWheels")
class OptionalWheels:
    def __init__(self, wheels: Wheels | None):
        self.wheels = wheels


@java_name("inj.DefaultSpeed")
class DefaultSpeed:
    def __init__(self, engine: Engine, speed: int = 90):
        self.engine, self.speed = engine, speed


@java_name("inj.NeedsWheels")
class NeedsWheels:
    def __init__(self, engine: Engine, wheels: Wheels):
        self.wheels = wheels


@java_name("inj.Untyped")
class Untyped:
    def __init__(self, something):
        self.something = something


@java_name("inj.Introspective")
class Introspective:
    def __init__(self, container: ExoContainer, properties: PropertyStore):
        self.container, self.properties = container, properties


@java_name("inj.Vehicle")
class Vehicle:
    pass


@java_name("inj.Bike")
class Bike(Vehicle):
    pass


@java_name("inj.Truck")
class Truck(Vehicle):
    pass


@java_name("inj.Garage")
class Garage:
    def __init__(self, vehicle: Vehicle):
        self.vehicle = vehicle


@java_name("inj.Chicken")
class Chicken:
    def __init__(self, egg: "Egg"):
        self.egg = egg


@java_name("inj.Egg")
class Egg:
    def __init__(self, chicken: Chicken):
        self.chicken = chicken


@pytest.fixture
def container(write_config):
    def build(body: str) -> ExoContainer:
        # a root file's components live in the root container: these tests are about one container
        return boot(write_config("configuration.xml", body), environ={}, start=False).parent

    return build


def components(*types: str) -> str:
    return "\n".join(f"<component><type>inj.{t}</type></component>" for t in types)


def test_alternative_constructor_with_most_parameters_wins_when_satisfiable(container):
    car = container(components("Engine", "Wheels", "Car")).get_component_instance_of_type(Car)
    assert car.built_by == "with_wheels"
    assert isinstance(car.wheels, Wheels)


def test_smaller_constructor_is_used_when_the_larger_one_is_unsatisfiable(container):
    car = container(components("Engine", "Car")).get_component_instance_of_type(Car)
    assert car.built_by == "__init__"
    assert car.wheels is None


def test_dependencies_are_the_registered_singletons(container):
    c = container(components("Engine", "Wheels", "Car"))
    assert c.get_component_instance_of_type(Car).engine is c.get_component_instance_of_type(Engine)


def test_init_params_parameter_receives_the_component_init_params(container):
    c = container(
        """
        <component>
          <type>inj.Configured</type>
          <init-params><value-param><name>speed</name><value>42</value></value-param></init-params>
        </component>
        """
    )
    assert c.get_component_instance_of_type(Configured).params.get_value_param("speed").value == "42"


def test_init_params_parameter_receives_none_when_the_component_has_none(container):
    assert container(components("Configured")).get_component_instance_of_type(Configured).params is None


def test_optional_parameter_gets_none_when_nothing_matches(container):
    assert container(components("OptionalWheels")).get_component_instance_of_type(OptionalWheels).wheels is None


def test_optional_parameter_gets_the_component_when_one_matches(container):
    c = container(components("Wheels", "OptionalWheels"))
    assert isinstance(c.get_component_instance_of_type(OptionalWheels).wheels, Wheels)


def test_parameter_with_a_default_is_left_to_its_default(container):
    assert container(components("Engine", "DefaultSpeed")).get_component_instance_of_type(DefaultSpeed).speed == 90


def test_unsatisfiable_constructor_names_the_class_the_parameter_and_the_declaration(container, tmp_path: Path):
    c = container(components("Engine", "NeedsWheels"))
    with pytest.raises(ContainerError) as error:
        c.get_component_instance_of_type(NeedsWheels)
    assert str(error.value) == (
        "Cannot find a satisfying constructor for test_injection.NeedsWheels with parameter wheels: Wheels"
        f" (no component registered for that type) (declared at {tmp_path / 'configuration.xml'}:4)"
    )


def test_parameter_without_annotation_is_unsatisfiable(container):
    with pytest.raises(ContainerError, match="with parameter something \\(no type annotation\\)"):
        container(components("Untyped")).get_component_instance_of_type(Untyped)


def test_container_and_property_store_are_injectable_built_ins(container):
    c = container(components("Introspective"))
    built = c.get_component_instance_of_type(Introspective)
    assert built.container is c
    assert built.properties is c.properties


def test_parameter_matching_two_components_is_an_ambiguity_naming_both(container):
    c = container(components("Bike", "Truck", "Garage"))
    with pytest.raises(ContainerError) as error:
        c.get_component_instance_of_type(Garage)
    assert "Several components found for type test_injection.Vehicle" in str(error.value)
    assert "test_injection.Bike" in str(error.value) and "test_injection.Truck" in str(error.value)


def test_parameter_matching_one_subclass_gets_it(container):
    c = container(components("Bike", "Garage"))
    assert isinstance(c.get_component_instance_of_type(Garage).vehicle, Bike)


def test_constructor_cycle_is_an_error_naming_the_cycle(container):
    c = container(components("Chicken", "Egg"))
    with pytest.raises(ContainerError, match="Dependency cycle: test_injection.Chicken -> test_injection.Egg -> test_injection.Chicken"):
        c.get_component_instance_of_type(Chicken)
