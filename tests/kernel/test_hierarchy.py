"""Root and portal containers (§8 hierarchy, §6 lookup, §5 files per container): what lives where, who sees whom,
which plugins reach which component, and in which order they start and stop.

The Java kernel is the oracle; each test says what it does there. In these tests the root configuration is
``configuration.xml``, the portal container's files are the extensions' ``WEB-INF/conf/configuration.xml`` and
``${exo.conf.dir}/portal/<portal name>/configuration.xml`` (exo.conf.dir: the folder of configuration.xml).
"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from exo_container import ComponentPlugin, ConfigurationWarning, ContainerError, InitParams, Startable, boot, java_name
from exo_container.cli import main as exo_container
from exo_container.hierarchy import PortalContainer, RootContainer

events: list[str] = []


@java_name("hier.Store")
class Store:
    """A root-level service: the database of the product."""

    def __init__(self, params: InitParams | None = None):
        self.label = params.get_value_param("label").value if params and params.get_value_param("label") else ""
        self.plugins: list[ComponentPlugin] = []

    def add_plugin(self, plugin: ComponentPlugin) -> None:
        self.plugins.append(plugin)


@java_name("hier.Service")
class Service:
    """A portal-level service built on the root's Store."""

    def __init__(self, store: Store):
        self.store = store
        self.plugins: list[ComponentPlugin] = []

    def add_plugin(self, plugin: ComponentPlugin) -> None:
        self.plugins.append(plugin)


@java_name("hier.NeedsService")
class NeedsService:
    """A component that needs the portal-level Service."""

    def __init__(self, service: Service):
        self.service = service


@java_name("hier.Holder")
class Holder:
    def __init__(self, params: InitParams | None):
        self.params = params

    def value(self, name: str) -> str:
        return self.params.get_value_param(name).value


@java_name("hier.Plugin")
class Plugin(ComponentPlugin):
    pass


class Recorded(Startable):
    def start(self) -> None:
        events.append(f"start {type(self).__name__}")

    def stop(self) -> None:
        events.append(f"stop {type(self).__name__}")


@java_name("hier.RootDaemon")
class RootDaemon(Recorded):
    pass


@java_name("hier.PortalDaemon")
class PortalDaemon(Recorded):
    pass


@java_name("hier.Refusing")
class Refusing(Startable):
    def start(self) -> None:
        raise OSError("port in use")

    def stop(self) -> None:
        events.append("stop Refusing")


@pytest.fixture(autouse=True)
def clear_events():
    events.clear()


def component(type_: str, key: str | None = None, **values: str) -> str:
    params = "".join(f"<value-param><name>{n}</name><value>{v}</value></value-param>" for n, v in values.items())
    return (f"<component>{f'<key>{key}</key>' if key else ''}<type>{type_}</type>"
            f"{f'<init-params>{params}</init-params>' if params else ''}</component>")


def plugins_for(target: str, *names: str) -> str:
    plugins = "".join(f"<component-plugin><name>{n}</name><set-method>addPlugin</set-method><type>hier.Plugin</type>"
                      "</component-plugin>" for n in names)
    return (f"<external-component-plugins><target-component>{target}</target-component>{plugins}"
            "</external-component-plugins>")


DEFINITIONS = "org.exoplatform.container.definition"


def definitions(*portals: tuple[str, tuple[str, ...]]) -> str:
    params = "".join(
        f'<object-param><name>{name}</name><object type="{DEFINITIONS}.PortalContainerDefinition">'
        f'<field name="name"><string>{name}</string></field><field name="dependencies">'
        '<collection type="java.util.ArrayList">'
        + "".join(f"<value><string>{d}</string></value>" for d in deps)
        + "</collection></field></object></object-param>" for name, deps in portals)
    return (f"<external-component-plugins><target-component>{DEFINITIONS}.PortalContainerConfig</target-component>"
            f"<component-plugin><name>definitions</name><set-method>registerPlugin</set-method>"
            f"<type>{DEFINITIONS}.PortalContainerDefinitionPlugin</type><init-params>{params}</init-params>"
            "</component-plugin></external-component-plugins>")


@pytest.fixture
def deploy(write_config):
    """Boot (not started unless asked) a root configuration, extensions ({name: WEB-INF/conf body}) and
    deployer portal files ({portal name: body of ${exo.conf.dir}/portal/<name>/configuration.xml})."""

    def build(root: str, extensions: dict[str, str] | None = None, portal_files: dict[str, str] | None = None,
              start: bool = False) -> PortalContainer:
        for name, body in (extensions or {}).items():
            write_config(f"extensions/{name}/WEB-INF/conf/configuration.xml", body)
        for name, body in (portal_files or {}).items():
            write_config(f"portal/{name}/configuration.xml", body)
        return boot(write_config("configuration.xml", root), environ={}, start=start)

    return build


# --- the hierarchy ------------------------------------------------------------------------

def test_boot_returns_the_default_portal_container_whose_parent_is_the_root(deploy):
    """Java: RootContainer.getInstance() holds the PortalContainer "portal", registered in it under its name."""
    portal = deploy("")
    assert isinstance(portal, PortalContainer) and isinstance(portal.parent, RootContainer)
    assert portal.name == "portal"
    assert portal.root.get_portal_container("portal") is portal
    assert portal.root.get_component_instance("portal") is portal


def test_root_files_fill_the_root_container_and_extension_files_the_portal_container(deploy):
    """Java: conf/configuration.xml goes to the RootContainer, WEB-INF/conf/configuration.xml to the PortalContainer."""
    portal = deploy(component("hier.Store"), {"ext": component("hier.Service")})
    assert [a.key for a in portal.root if a.config] == [Store]
    assert [a.key for a in portal if a.config] == [Service]


# --- lookups: the portal falls back to the root, never the reverse --------------------------

def test_a_component_declared_only_in_the_root_is_found_from_the_portal_container(deploy):
    """Java: ExoContainer.getComponentInstanceOfType / getComponentInstance ask the parent when not found locally."""
    portal = deploy(component("hier.Store", key="store-key"), {"ext": ""})
    by_key = portal.get_component_instance("store-key")
    assert by_key is portal.root.get_component_instance("store-key")
    assert portal.get_component_instance_of_type(Store) is by_key


def test_a_portal_component_gets_the_root_instance_injected(deploy):
    """Java: constructor parameters are looked up by type, with the same parent fallback."""
    portal = deploy(component("hier.Store"), {"ext": component("hier.Service")})
    assert portal.get_component_instance_of_type(Service).store is portal.root.get_component_instance_of_type(Store)


def test_a_component_declared_in_both_exists_twice_each_container_finding_its_own(deploy):
    """Java: each container registers the components of its own configuration; the portal's hides the root's."""
    portal = deploy(component("hier.Store", label="root"), {"ext": component("hier.Store", label="portal")})
    in_portal, in_root = portal.get_component_instance_of_type(Store), portal.root.get_component_instance_of_type(Store)
    assert in_portal is not in_root
    assert (in_portal.label, in_root.label) == ("portal", "root")


def test_the_root_container_does_not_see_portal_components(deploy):
    """Java: a parent never looks into its children."""
    portal = deploy("", {"ext": component("hier.Store", key="only-in-portal")})
    assert portal.get_component_instance("only-in-portal") is not None
    assert portal.root.get_component_instance("only-in-portal") is None
    assert portal.root.get_component_instance_of_type(Store) is None


def test_a_root_component_cannot_be_built_on_a_portal_component(deploy):
    """Java: "Cannot find a satisfying constructor" — the root's lookup by type never reaches the portal."""
    portal = deploy(component("hier.NeedsService"), {"ext": component("hier.Service")})
    with pytest.raises(ContainerError, match="Cannot find a satisfying constructor for .*NeedsService"):
        portal.get_component_instance_of_type(NeedsService)


def test_a_class_key_in_the_root_wins_over_a_portal_component_only_assignable_to_it(deploy):
    """Java getComponentInstanceOfType: first the adapter keyed by the class, here *or in an ancestor*; only
    then the unique local component assignable to it."""

    portal = deploy(component("hier.Store"), {"ext": component("hier.Store", key="string-key", label="portal")})
    assert portal.get_component_instance_of_type(Store) is portal.root.get_component_instance_of_type(Store)


def test_the_portal_dependency_injector_container_provides_root_components(deploy):
    """Provide["store"] wires from the portal container what a lookup by key finds (the root's, not shadowed)."""
    portal = deploy(component("hier.Store"), {"ext": component("hier.Service")})
    assert portal.di.store() is portal.root.get_component_instance_of_type(Store)
    assert portal.di.service() is portal.get_component_instance_of_type(Service)


# --- plugins stay in the container whose files declare them ---------------------------------

def test_a_plugin_of_an_extension_reaches_a_portal_component(deploy):
    """Java: external-component-plugins of the portal container's files apply to its components."""
    portal = deploy(component("hier.Store"), {"ext": component("hier.Service") + plugins_for("hier.Service", "p")})
    assert [p.name for p in portal.get_component_instance_of_type(Service).plugins] == ["p"]


def test_a_plugin_of_an_extension_does_not_reach_a_root_component_and_a_warning_says_why(deploy):
    """Java: each container applies the plugins of its own configuration only; the root's Store gets none
    (the kernel logs the unknown target in developing mode)."""
    portal = deploy(component("hier.Store"), {"ext": plugins_for("hier.Store", "p")})
    assert portal.get_component_instance_of_type(Store).plugins == []
    [warning] = portal.problems
    assert isinstance(warning, ConfigurationWarning)
    assert "unknown target hier.Store" in warning.message and "component of the root container" in warning.message


def test_a_root_plugin_is_applied_to_the_root_declaration_only(deploy):
    """Java: the root's external plugins are merged into the root's configuration; the portal declaration of the
    same key is configured by the portal's files alone."""
    portal = deploy(component("hier.Store") + plugins_for("hier.Store", "root-plugin"),
                    {"ext": component("hier.Store") + plugins_for("hier.Store", "portal-plugin")})
    assert [p.name for p in portal.root.get_component_instance_of_type(Store).plugins] == ["root-plugin"]
    assert [p.name for p in portal.get_component_instance_of_type(Store).plugins] == ["portal-plugin"]


# --- lifecycle -------------------------------------------------------------------------------

def test_the_root_starts_before_its_portal_container_and_stops_after_it(deploy):
    """Java: portal containers are created and started once the root has started; stopping the root stops its
    portal containers first."""
    portal = deploy(component("hier.RootDaemon"), {"ext": component("hier.PortalDaemon")}, start=True)
    portal.stop()
    assert events == ["start RootDaemon", "start PortalDaemon", "stop PortalDaemon", "stop RootDaemon"]
    assert (portal.state, portal.root.state) == ("stopped", "stopped")


def test_disposing_what_boot_returned_disposes_the_root_too(deploy):
    """The container boot() hands out owns its root: disposing it ends the whole deployment."""
    portal = deploy(component("hier.RootDaemon"), {"ext": component("hier.PortalDaemon")}, start=True)
    portal.dispose()
    assert (portal.state, portal.root.state) == ("disposed", "disposed")


def test_starting_a_portal_container_starts_its_root_first(deploy):
    """Java: a portal container only exists in a started root."""
    portal = deploy(component("hier.RootDaemon"), {"ext": component("hier.PortalDaemon")})
    portal.start()
    assert events == ["start RootDaemon", "start PortalDaemon"]
    assert portal.root.state == "started"


def test_a_portal_container_that_cannot_start_leaves_the_root_stopped(deploy):
    """Java: "Cannot create the portal container" aborts the boot; here the root's started services are stopped
    before the error propagates, so a failed boot leaves nothing running."""
    portal = deploy(component("hier.RootDaemon"), {"ext": component("hier.Refusing")})
    with pytest.raises(ContainerError, match="port in use"):
        portal.start()
    assert events == ["start RootDaemon", "stop RootDaemon"]
    assert portal.root.state == "stopped"


# --- variables per container -----------------------------------------------------------------

def test_container_name_suffix_is_empty_in_the_root_and_the_portal_name_in_the_portal(deploy):
    """Java Deserializer: ${container.name.suffix} is not defined in the root (so its default, here empty, applies)
    and is "_" + portal name in a portal container when definitions exist."""
    holder = component("hier.Holder", key="cache", name="cache${container.name.suffix:}")
    portal = deploy(holder + definitions(("portal", ("ext",))), {"ext": holder})
    assert portal.root.get_component_instance("cache").value("name") == "cache"
    assert portal.get_component_instance("cache").value("name") == "cache_portal"


# --- several portal definitions -----------------------------------------------------------------

def test_each_enabled_definition_gets_its_own_portal_container_with_its_own_extensions_and_variables(deploy):
    """Java: one PortalContainer per PortalContainerDefinition; a webapp listed in one definition's dependencies
    belongs to that portal only; ${portal.container.name} and ${container.name.suffix} are the portal's."""
    holder = component("hier.Holder", key="who", name="${portal.container.name}", suffix="${container.name.suffix}")
    portal = deploy(definitions(("portal", ("shared", "mine")), ("intranet", ("shared", "theirs"))),
                    {"shared": holder, "mine": component("hier.Store"), "theirs": component("hier.Service")})
    intranet = portal.root.get_portal_container("intranet")
    assert [p.name for p in portal.root.portal_containers] == ["portal", "intranet"]
    assert [e.name for e in portal.extensions] == ["shared", "mine"]
    assert [e.name for e in intranet.extensions] == ["shared", "theirs"]
    assert [portal.get_component_instance("who").value(n) for n in ("name", "suffix")] == ["portal", "_portal"]
    assert [intranet.get_component_instance("who").value(n) for n in ("name", "suffix")] == ["intranet", "_intranet"]
    assert intranet.get_component_instance_of_type(Store) is None


def test_stopping_the_root_stops_every_portal_container(deploy):
    """Java: portal containers are components of the root: they stop with it, last created first."""
    portal = deploy(definitions(("portal", ("a",)), ("intranet", ("b",))),
                    {"a": component("hier.PortalDaemon"), "b": component("hier.RootDaemon")}, start=True)
    portal.root.stop()
    assert events == ["start PortalDaemon", "start RootDaemon", "stop RootDaemon", "stop PortalDaemon"]


# --- the deployer's portal file: ${exo-conf}/portal/<name>/configuration.xml ----------------------

def test_the_exo_conf_portal_file_is_read_into_its_portal_container_after_the_extensions(deploy):
    """Java PortalContainer: conf/portal/configuration.xml, the webapps' WEB-INF/conf/configuration.xml, then
    ${exo-conf}/portal/<name>/configuration.xml, which therefore overrides them."""
    portal = deploy("", {"ext": component("hier.Holder", key="h", by="extension") + plugins_for("hier.Service", "p")},
                    {"portal": component("hier.Holder", key="h", by="deployer") + component("hier.Service")
                     + component("hier.Store")})
    assert portal.get_component_instance("h").value("by") == "deployer"
    assert [p.name for p in portal.get_component_instance_of_type(Service).plugins] == ["p"]
    assert portal.root.get_component_instance("h") is None
    assert portal.files[-1].endswith("portal/portal/configuration.xml")


# --- exo-container check / dump -----------------------------------------------------------------

def run_cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return exo_container(list(args), out=out), out.getvalue()


def test_check_warns_that_a_portal_plugin_for_a_root_component_is_not_applied(deploy, tmp_path: Path):
    deploy(component("hier.Store"), {"ext": plugins_for("hier.Store", "p")})
    code, out = run_cli("check", str(tmp_path / "configuration.xml"))
    assert code == 0
    assert "unknown target hier.Store" in out and "component of the root container" in out


def test_dump_names_the_container_of_each_component(deploy, tmp_path: Path):
    deploy(component("hier.Store"), {"ext": component("hier.Store", label="portal")})
    code, out = run_cli("dump", str(tmp_path / "configuration.xml"))
    assert code == 0
    assert out.count("<type>hier.Store</type>") == 2  # it exists twice
    assert f" root container, from {tmp_path / 'configuration.xml'}:3 " in out
    assert f" portal container portal, from {tmp_path / 'extensions/ext/WEB-INF/conf/configuration.xml'}:3 " in out


def test_graph_groups_the_components_by_container(deploy, tmp_path: Path):
    deploy(component("hier.Store"), {"ext": component("hier.Service")})
    code, out = run_cli("graph", str(tmp_path / "configuration.xml"))
    assert code == 0
    lines = out.splitlines()
    assert [line for line in lines if line.startswith("#")] == ["# root container", "# portal container portal"]
    assert lines.index("    -> hier.Store  [store]") > lines.index("# portal container portal")
