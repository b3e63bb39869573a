"""§8: which definition is the default portal, its settings and external settings, portal-container
variables in the extensions' files, and which extensions a portal loads (the kernel's PortalContainerConfig,
TestPortalContainer and TestPortalContainerConfig)."""
from __future__ import annotations

from pathlib import Path

import pytest

from exo_container import ConfigurationWarning, ExoContainer, InitParams, PortalContainerConfig, boot, java_name

PKG = "org.exoplatform.container.definition"


@java_name("portal.Holder")
class Holder:
    def __init__(self, params: InitParams | None):
        self.params = params

    def value(self, name: str) -> str:
        return self.params.get_value_param(name).value


def strings(*values: str) -> str:
    return ('<collection type="java.util.ArrayList">'
            + "".join(f"<value><string>{v}</string></value>" for v in values) + "</collection>")


def definition(name: str, *, rest: str = "", realm: str = "", dependencies: tuple[str, ...] | None = None,
               settings: str = "", external: str = "") -> str:
    fields = f'<field name="name"><string>{name}</string></field>'
    if rest:
        fields += f'<field name="restContextName"><string>{rest}</string></field>'
    if realm:
        fields += f'<field name="realmName"><string>{realm}</string></field>'
    if external:
        fields += f'<field name="externalSettingsPath"><string>{external}</string></field>'
    if dependencies is not None:
        fields += f'<field name="dependencies">{strings(*dependencies)}</field>'
    if settings:
        fields += f'<field name="settings"><map type="java.util.HashMap">{settings}</map></field>'
    return f'<object-param><name>{name}</name><object type="{PKG}.PortalContainerDefinition">{fields}</object></object-param>'


def entry(key: str, kind: str, value: str) -> str:
    return f"<entry><key><string>{key}</string></key><value><{kind}>{value}</{kind}></value></entry>"


SETTINGS = (entry("foo", "string", "value") + entry("int", "int", "10") + entry("long", "long", "10")
            + entry("double", "double", "10.0") + entry("boolean", "boolean", "true"))


def plugins(*definitions: str, disabled: tuple[str, ...] = ()) -> str:
    block = (f"<component-plugin><name>definitions</name><set-method>registerPlugin</set-method>"
             f"<type>{PKG}.PortalContainerDefinitionPlugin</type><init-params>{''.join(definitions)}</init-params>"
             "</component-plugin>")
    if disabled:
        names = "".join(f"<value>{n}</value>" for n in disabled)
        block += (f"<component-plugin><name>disable</name><set-method>registerDisablePlugin</set-method>"
                  f"<type>{PKG}.PortalContainerDefinitionDisablePlugin</type><init-params>"
                  f"<values-param><name>names</name>{names}</values-param></init-params></component-plugin>")
    return (f"<external-component-plugins><target-component>{PKG}.PortalContainerConfig</target-component>"
            f"{block}</external-component-plugins>")


def config_component(params: str) -> str:
    return f"<component><type>{PKG}.PortalContainerConfig</type><init-params>{params}</init-params></component>"


def value(name: str, text: str) -> str:
    return f"<value-param><name>{name}</name><value>{text}</value></value-param>"


def holder(key: str, **values: str) -> str:
    params = "".join(value(n, v) for n, v in values.items())
    return f"<component><key>{key}</key><type>portal.Holder</type><init-params>{params}</init-params></component>"


@pytest.fixture
def deploy(write_config):
    """Boot a root configuration plus extensions ({name: WEB-INF/conf/configuration.xml body})."""

    def build(root: str, extensions: dict[str, str] | None = None, **options) -> ExoContainer:
        for name, body in (extensions or {}).items():
            write_config(f"extensions/{name}/WEB-INF/conf/configuration.xml", body)
        return boot(write_config("configuration.xml", root), environ={}, start=False, **options)

    return build


def portal_of(container: ExoContainer) -> PortalContainerConfig:
    return container.get_component_instance(PortalContainerConfig)


# --- the default definition ---------------------------------------------------------

def test_the_first_registered_definition_is_the_default_when_none_is_named(deploy):
    config = portal_of(deploy(plugins(definition("intranet", rest="rest-intranet"), definition("other"))))
    assert config.default_portal_container == "intranet"
    assert config.get_portal_container_names() == ["intranet", "other"]
    assert config.default_rest_context == "rest-intranet"


def test_a_default_name_given_by_value_param_is_honoured(deploy):
    config = portal_of(deploy(config_component(value("default.portal.container", "portal"))
                              + plugins(definition("intranet"))))
    assert config.default_portal_container == "portal"
    assert config.get_portal_container_names() == ["portal", "intranet"]


def test_the_default_portal_definition_name_is_honoured(deploy):
    default = definition("myPortal").replace("<name>myPortal</name>", "<name>default.portal.definition</name>", 1)
    config = portal_of(deploy(config_component(default) + plugins(definition("intranet"))))
    assert config.default_portal_container == "myPortal"


def test_explicit_defaults_stay_and_the_definition_keeps_its_own_rest_and_realm(deploy):
    # TestPortalContainer.testInitValues
    params = (value("default.portal.container", "myPortal") + value("default.rest.context", "myRest")
              + value("default.realm.name", "my-exo-domain"))
    config = portal_of(deploy(config_component(params)
                              + plugins(definition("portal", rest="myRest-pcdef", realm="my-exo-domain-pcdef"))))
    assert (config.default_portal_container, config.default_rest_context, config.default_realm_name) == (
        "myPortal", "myRest", "my-exo-domain")
    assert (config.get_setting("rest", "portal"), config.get_setting("realm", "portal")) == (
        "myRest-pcdef", "my-exo-domain-pcdef")


def test_a_disabled_default_gives_way_to_the_first_enabled_definition(deploy):
    config = portal_of(deploy(plugins(definition("portal"), definition("intranet"), disabled=("portal",))))
    assert config.default_portal_container == "intranet"
    assert config.get_portal_container_names() == ["intranet"]


# --- settings -------------------------------------------------------------------------

def test_settings_are_typed_and_include_name_rest_and_realm(deploy):
    # TestPortalContainer.testSettings
    config = portal_of(deploy(plugins(definition("portal", rest="myRest-pcdef", realm="my-exo-domain-pcdef",
                                                 settings=SETTINGS))))
    assert [config.get_setting(n) for n in ("name", "rest", "realm", "foo", "int", "long", "double", "boolean")] == [
        "portal", "myRest-pcdef", "my-exo-domain-pcdef", "value", 10, 10, 10.0, True]


def test_external_settings_are_read_from_exo_conf_dir_resolved_and_typed(deploy, tmp_path: Path):
    folder = tmp_path / "portal" / "intranet"
    folder.mkdir(parents=True)
    (folder / "settings.properties").write_text(
        "int=20\nboolean=TRUE\ndouble=oops\nlabel=${name} on ${foo}\nnew=${undefined:fresh}\n", encoding="utf-8")
    config = portal_of(deploy(plugins(definition("portal"), definition("intranet", settings=SETTINGS,
                                                                        external="settings.properties"))))
    setting = lambda name: config.get_setting(name, "intranet")  # noqa: E731
    assert [setting(n) for n in ("int", "boolean", "double", "label", "new")] == [
        20, True, 10.0, "intranet on value", "fresh"]  # "oops" is no double: the old value stays


def test_external_settings_of_the_default_definition_come_from_exo_conf_dir_portal(deploy, tmp_path: Path):
    (tmp_path / "portal").mkdir()
    (tmp_path / "portal" / "default.properties").write_text("colour=blue\n", encoding="utf-8")
    config = portal_of(deploy(config_component(
        definition("portal", external="default.properties").replace(
            "<name>portal</name>", "<name>default.portal.definition</name>", 1))))
    assert config.get_setting("colour") == "blue"


def test_missing_external_settings_are_a_problem_and_the_boot_goes_on(deploy):
    container = deploy(plugins(definition("portal", external="nowhere.properties")))
    [problem] = container.problems
    assert "external settings nowhere.properties of portal portal not found" in problem.message


# --- portal-container variables in the portal container's files -------------------------

def test_portal_container_variables_resolve_in_an_extension_file(deploy):
    container = deploy(plugins(definition("portal", rest="myRest-pcdef", realm="my-exo-domain-pcdef", settings=SETTINGS)),
                       {"ext": holder("h", name="${portal.container.name}", rest="${portal.container.rest}",
                                      realm="${portal.container.realm}", foo="before ${portal.container.foo} after",
                                      int="${portal.container.int}", double="${portal.container.double}",
                                      boolean="${portal.container.boolean}")})
    h = container.get_component_instance("h")
    assert [h.value(n) for n in ("name", "rest", "realm", "foo", "int", "double", "boolean")] == [
        "portal", "myRest-pcdef", "my-exo-domain-pcdef", "before value after", "10", "10.0", "true"]


def test_container_name_suffix_is_the_portal_name_once_definitions_exist(deploy):
    container = deploy(plugins(definition("portal")), {"ext": holder("h", v="cache${container.name.suffix}")})
    assert container.get_component_instance("h").value("v") == "cache_portal"


def test_container_name_suffix_is_empty_without_definitions(deploy):
    container = deploy("", {"ext": holder("h", v="cache${container.name.suffix}:x")})
    assert container.get_component_instance("h").value("v") == "cache:x"


def test_portal_variables_are_not_defined_in_the_root_configuration(deploy):
    container = deploy(holder("root", name="${portal.container.name}", fallback="${portal.container.name:pc}",
                              suffix="${container.name.suffix}") + plugins(definition("portal")))
    root = container.get_component_instance("root")
    assert [root.value(n) for n in ("name", "fallback", "suffix")] == [
        "${portal.container.name}", "pc", "${container.name.suffix}"]
    assert any(isinstance(p, ConfigurationWarning) and "${portal.container.name}" in p.message for p in container.problems)


# --- which extensions a portal loads ------------------------------------------------

def test_an_unregistered_extension_is_loaded_by_default(deploy):
    container = deploy(plugins(definition("portal", dependencies=("listed",))),
                       {"listed": holder("a"), "unlisted": holder("b")})
    assert [e.name for e in container.extensions] == ["listed", "unlisted"]


def test_ignore_unregistered_webapp_leaves_an_unlisted_extension_out_with_a_warning(deploy):
    container = deploy(config_component(value("ignore.unregistered.webapp", "true"))
                       + plugins(definition("portal", dependencies=("listed",))),
                       {"listed": holder("a"), "unlisted": holder("b")})
    assert [e.name for e in container.extensions] == ["listed"]
    assert container.get_component_instance("b") is None
    [warning] = container.problems
    assert warning.message.startswith("extension unlisted is not loaded: it belongs to no enabled portal container")


def test_an_extension_of_another_portal_only_is_not_loaded_in_the_default_one(deploy):
    container = deploy(plugins(definition("portal", dependencies=("mine",)), definition("other", dependencies=("theirs",))),
                       {"mine": holder("a"), "theirs": holder("b")})
    assert [e.name for e in container.extensions] == ["mine"]
