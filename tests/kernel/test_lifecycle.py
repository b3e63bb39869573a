"""Start, stop and dispose order; container lifecycle plugins (§6 container lifecycle)."""
from __future__ import annotations

from pathlib import Path

import pytest

from exo_container import ContainerError, Disposable, ExoContainer, InitParams, Startable, boot, java_name

events: list[str] = []


class Recorded(Startable):
    def start(self) -> None:
        events.append(f"start {type(self).__name__}")

    def stop(self) -> None:
        events.append(f"stop {type(self).__name__}")


@java_name("lc.C")
class C(Recorded):
    pass


@java_name("lc.D")
class D(Recorded):
    pass


@java_name("lc.B")
class B:
    """Not Startable: created only because A needs it."""

    def __init__(self, c: C, d: D):
        self.c, self.d = c, d


@java_name("lc.A")
class A(Recorded):
    def __init__(self, b: B):
        self.b = b


@java_name("lc.Lazy")
class Lazy:
    def __init__(self) -> None:
        events.append("created Lazy")


@java_name("lc.Failing")
class Failing(Startable):
    def __init__(self, c: C):
        self.c = c

    def start(self) -> None:
        raise OSError("port 8080 already in use")

    def stop(self) -> None:
        events.append("stop Failing")


@java_name("lc.StopFails")
class StopFails(Recorded):
    def stop(self) -> None:
        raise RuntimeError("already stopped")


@java_name("lc.Resource")
class Resource(Disposable):
    def __init__(self, c: C):
        self.c = c

    def dispose(self) -> None:
        events.append("dispose Resource")


@java_name("lc.Pool")
class Pool(Recorded, Disposable):
    def dispose(self) -> None:
        events.append("dispose Pool")


class LifecyclePlugin:
    def __init__(self, params: InitParams | None):
        self.params = params
        self.name = self.description = None

    def set_name(self, name: str | None) -> None:
        self.name = name

    def set_description(self, description: str | None) -> None:
        self.description = description

    def _record(self, what: str, container: ExoContainer) -> None:
        assert isinstance(container, ExoContainer)
        events.append(f"{what} {self.params.get_value_param('id').value}")

    def init_container(self, container: ExoContainer) -> None:
        self._record("init", container)

    def start_container(self, container: ExoContainer) -> None:
        self._record("start", container)

    def stop_container(self, container: ExoContainer) -> None:
        self._record("stop", container)

    def destroy_container(self, container: ExoContainer) -> None:
        self._record("destroy", container)


@java_name("lc.Plugin1")
class Plugin1(LifecyclePlugin):
    pass


@java_name("lc.Plugin2")
class Plugin2(LifecyclePlugin):
    pass


@java_name("lc.Plugin3")
class Plugin3(LifecyclePlugin):
    pass


@pytest.fixture(autouse=True)
def clear_events():
    events.clear()


@pytest.fixture
def container(write_config):
    def build(body: str) -> ExoContainer:
        # a root file's components live in the root container: these tests are about one container
        return boot(write_config("configuration.xml", body), environ={}, start=False).parent

    return build


def components(*names: str) -> str:
    return "\n".join(f"<component><type>lc.{n}</type></component>" for n in names)


def test_dependencies_start_before_their_dependents(container):
    # testStartOrder2: A(B), B(C, D); A, C and D Startable, B not
    container(components("A", "B", "C", "D")).start()
    assert events == ["start C", "start D", "start A"]


def test_stop_runs_in_reverse_start_order(container):
    c = container(components("A", "B", "C", "D"))
    c.start()
    events.clear()
    c.stop()
    assert events == ["stop A", "stop D", "stop C"]


def test_independent_components_start_in_registration_order(container):
    container(components("D", "C")).start()
    assert events == ["start D", "start C"]


def test_components_that_are_not_startable_stay_lazy(container):
    c = container(components("Lazy", "C"))
    c.start()
    assert events == ["start C"]
    c.get_component_instance(Lazy)
    assert events == ["start C", "created Lazy"]


def test_failing_start_aborts_naming_the_component_and_its_declaration(container, tmp_path: Path):
    c = container(components("C", "Failing"))
    with pytest.raises(ContainerError) as error:
        c.start()
    assert str(error.value) == (
        f"Cannot start component test_lifecycle.Failing (declared at {tmp_path / 'configuration.xml'}:4): "
        "OSError: port 8080 already in use"
    )


def test_failing_start_stops_what_was_already_started(container):
    c = container(components("C", "Failing"))
    with pytest.raises(ContainerError):
        c.start()
    assert events == ["start C", "stop C"]


def test_stop_errors_are_ignored_and_the_others_still_stop(container):
    c = container(components("C", "StopFails", "D"))
    c.start()
    events.clear()
    c.stop()
    assert events == ["stop D", "stop C"]


def test_dispose_stops_first_then_disposes_in_reverse_creation_order(container):
    c = container(components("Pool", "C", "Resource"))
    c.start()
    c.get_component_instance(Resource)
    events.clear()
    c.dispose()
    assert events == ["stop C", "stop Pool", "dispose Resource", "dispose Pool"]


def lifecycle_plugin(number: int, priority: int | None = None, name: str = "", description: str = "") -> str:
    return (
        "<container-lifecycle-plugin>"
        + (f"<name>{name}</name>" if name else "")
        + f"<type>lc.Plugin{number}</type>"
        + (f"<description>{description}</description>" if description else "")
        + (f"<priority>{priority}</priority>" if priority is not None else "")
        + f"<init-params><value-param><name>id</name><value>{priority or 0}</value></value-param></init-params>"
        "</container-lifecycle-plugin>"
    )


THREE_PLUGINS = (
    lifecycle_plugin(1)
    + lifecycle_plugin(2, -10, name="Plugin2", description="the first one")
    + lifecycle_plugin(3, -5)
)


def test_container_lifecycle_plugins_init_by_priority(container):
    container(THREE_PLUGINS)
    assert events == ["init -10", "init -5", "init 0"]


def test_container_lifecycle_plugin_gets_name_description_and_init_params(container):
    first = container(THREE_PLUGINS).lifecycle_plugins[0]
    assert isinstance(first, Plugin2)
    assert (first.name, first.description, first.params.get_value_param("id").value) == ("Plugin2", "the first one", "-10")


def test_container_lifecycle_plugins_follow_start_stop_and_destroy(container):
    c = container(THREE_PLUGINS)
    c.start()
    c.dispose()
    assert events == [f"{step} {p}" for step in ("init", "start", "stop", "destroy") for p in ("-10", "-5", "0")]


def test_registration_after_start_is_refused(container):
    c = container(components("C"))
    c.start()
    with pytest.raises(ContainerError, match=r"register_component_implementation\(\) can no longer be called: "
                                             r"the container is started"):
        c.register_component_implementation("late", D)
    assert c.get_component_adapter("late") is None


def test_registering_an_instance_after_dispose_is_refused(container):
    c = container(components("C"))
    c.dispose()
    with pytest.raises(ContainerError, match="the container is disposed"):
        c.register_component_instance("late", object())


def test_start_after_dispose_is_refused_and_starts_nothing_twice(container):
    c = container(components("C", "D"))
    c.start()
    c.dispose()
    events.clear()
    with pytest.raises(ContainerError, match=r"start\(\) after dispose\(\)"):
        c.start()
    assert events == []
    assert c.state == "disposed"


def test_a_stopped_container_starts_its_components_again(container):
    c = container(components("C", "D"))
    c.start()
    c.stop()
    events.clear()
    c.start()
    assert events == ["start C", "start D"]
