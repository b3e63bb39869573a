"""Portal container definitions, their changes, and drop-in extensions (§8)."""
from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from conftest import kernel_document
from exo_container import ContainerError, PortalContainerConfig, boot, java_name, load
from exo_container.extensions import Extension, PortalContainerDefinitionChangePlugin, order_extensions

PKG = "org.exoplatform.container.definition"


@java_name("ext.Greeter")
class Greeter:
    greeting = "base"


@java_name("ext.AlphaGreeter")
class AlphaGreeter(Greeter):
    greeting = "alpha"


@java_name("ext.BetaGreeter")
class BetaGreeter(Greeter):
    greeting = "beta"


def strings(*values: str) -> str:
    items = "".join(f"<value><string>{v}</string></value>" for v in values)
    return f'<collection type="java.util.ArrayList">{items}</collection>'


def definition(name: str, dependencies: tuple[str, ...] | None = None) -> str:
    deps = f'<field name="dependencies">{strings(*dependencies)}</field>' if dependencies is not None else ""
    return f"""
      <object-param><name>{name}</name>
        <object type="{PKG}.PortalContainerDefinition">
          <field name="name"><string>{name}</string></field>{deps}
        </object>
      </object-param>"""


def definitions_plugin(*definitions: str) -> str:
    return f"""
    <component-plugin>
      <name>definitions</name><set-method>registerPlugin</set-method><type>{PKG}.PortalContainerDefinitionPlugin</type>
      <init-params>{''.join(definitions)}</init-params>
    </component-plugin>"""


def change(kind: str, dependencies: tuple[str, ...] = ("fooX",), target: str | None = None, name: str = "change") -> str:
    target_field = f'<field name="target"><string>{target}</string></field>' if target is not None else ""
    return f"""
      <object-param><name>{name}</name>
        <object type="{PKG}.PortalContainerDefinitionChange${kind}">
          <field name="dependencies">{strings(*dependencies)}</field>{target_field}
        </object>
      </object-param>"""


def change_plugin(*changes: str, params: str = "", profiles: str = "") -> str:
    attribute = f' profiles="{profiles}"' if profiles else ""
    return f"""
    <component-plugin{attribute}>
      <name>change</name><set-method>registerChangePlugin</set-method><type>{PKG}.PortalContainerDefinitionChangePlugin</type>
      <init-params>{params}{''.join(changes)}</init-params>
    </component-plugin>"""


def portal_config(*plugins: str) -> str:
    return (f"<external-component-plugins><target-component>{PKG}.PortalContainerConfig</target-component>"
            f"{''.join(plugins)}</external-component-plugins>")


def value(name: str, text: str) -> str:
    return f"<value-param><name>{name}</name><value>{text}</value></value-param>"


def values(name: str, *texts: str) -> str:
    return f"<values-param><name>{name}</name>{''.join(f'<value>{t}</value>' for t in texts)}</values-param>"


@pytest.fixture
def portal(write_config):
    """The started PortalContainerConfig that a root configuration defines."""

    def build(body: str, **boot_options) -> PortalContainerConfig:
        container = boot(write_config("configuration.xml", body), environ={}, start=False, **boot_options)
        return container.get_component_instance(PortalContainerConfig)

    return build


BASE = definitions_plugin(definition("portal", ("foo", "foo2", "foo3")))


@pytest.mark.parametrize(
    ("kind", "target", "index"),
    [
        ("AddDependencies", None, 3),
        ("AddDependenciesBefore", None, 0),
        ("AddDependenciesBefore", "fake", 0),
        ("AddDependenciesBefore", "foo2", 1),
        ("AddDependenciesAfter", "foo2", 2),
        ("AddDependenciesAfter", None, 3),
        ("AddDependenciesAfter", "fake", 3),
    ],
)
def test_dependency_change_inserts_where_the_kernel_does(portal, kind, target, index):
    dependencies = portal(portal_config(BASE, change_plugin(change(kind, target=target)))).get_dependencies("portal")
    assert dependencies.index("fooX") == index
    assert len(dependencies) == 4


@pytest.mark.parametrize(
    ("kind", "target"),
    [("AddDependencies", None), ("AddDependenciesBefore", None), ("AddDependenciesBefore", "fake"),
     ("AddDependenciesAfter", None), ("AddDependenciesAfter", "fake")],
)
def test_dependency_change_on_a_default_definition_without_dependencies_gives_just_the_new_one(portal, kind, target):
    config = portal(portal_config(change_plugin(change(kind, ("foo",), target), params=value("apply.default", "true"))))
    assert config.get_dependencies() == ["foo"]


def test_before_inserts_before_the_last_occurrence_and_after_after_the_first(portal):
    twice = definitions_plugin(definition("portal", ("a", "t", "b", "t", "c")))
    config = portal(portal_config(twice, change_plugin(change("AddDependenciesBefore", ("x",), "t"),
                                                       change("AddDependenciesAfter", ("y",), "t", name="second"))))
    assert config.get_dependencies() == ["a", "t", "y", "b", "x", "t", "c"]


TWO_PORTALS = definitions_plugin(definition("portal", ()), definition("myPortal-pcdef", ()))


def changed_portals(config: PortalContainerConfig, marker: str) -> set[str]:
    return {name for name in config.get_portal_container_names() if marker in config.get_dependencies(name)}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (value("apply.all", "true"), {"portal", "myPortal-pcdef"}),
        (value("apply.default", "${_value.true}"), {"portal"}),
        (values("apply.specific", "fake", "myPortal-pcdef"), {"myPortal-pcdef"}),
        (value("apply.default", "true") + values("apply.specific", "myPortal-pcdef"), {"portal", "myPortal-pcdef"}),
        ("", {"portal"}),
    ],
    ids=["apply.all", "apply.default-from-property", "apply.specific", "default-and-specific", "no-apply"],
)
def test_change_plugin_applies_to_the_definitions_it_selects(portal, params, expected):
    config = portal(portal_config(TWO_PORTALS, change_plugin(change("AddDependencies", ("changed",)), params=params)),
                    system_properties={"_value.true": "true"})
    assert changed_portals(config, "changed") == expected


@pytest.mark.parametrize(("profiles", "expected"), [((), set()), (("foo",), {"portal"})])
def test_change_plugin_with_a_profile_exists_only_when_the_profile_is_active(portal, profiles, expected):
    config = portal(portal_config(TWO_PORTALS, change_plugin(change("AddDependencies", ("changed",)), profiles="foo")),
                    profiles=profiles)
    assert changed_portals(config, "changed") == expected


def test_add_settings_puts_every_setting_into_the_definition(portal):
    settings = f"""
      <object-param><name>settings</name>
        <object type="{PKG}.PortalContainerDefinitionChange$AddSettings">
          <field name="settings"><map type="java.util.HashMap">
            <entry><key><string>foo</string></key><value><string>value</string></value></entry>
          </map></field>
        </object>
      </object-param>"""
    config = portal(portal_config(change_plugin(settings)))
    assert config.get_setting("foo") == "value"
    assert (config.get_setting("name"), config.get_setting("rest"), config.get_setting("realm")) == ("portal", "rest", "exo-domain")


def test_default_portal_name_rest_context_and_realm_come_from_init_params(portal):
    config = portal(
        f"""<component><type>{PKG}.PortalContainerConfig</type><init-params>
        {value("default.portal.container", "myPortal")}{value("default.rest.context", "myRest")}
        {value("default.realm.name", "my-exo-domain")}</init-params></component>"""
    )
    assert config.get_portal_container_names() == ["myPortal"]
    assert (config.get_setting("rest"), config.get_setting("realm")) == ("myRest", "my-exo-domain")


def test_plugins_cannot_be_registered_once_started(portal):
    config = portal("")
    with pytest.raises(ContainerError, match="must be registered before"):
        config.register_change_plugin(PortalContainerDefinitionChangePlugin())


def test_webapps_follow_the_dependency_order_then_unlisted_ones_by_name():
    # TestWebAppInitContextComparator: deps [d, c], webapps b, d, a, c -> d, c, a, b
    webapps = [Extension(name, Path(name)) for name in ("b", "d", "a", "c")]
    assert [e.name for e in order_extensions(webapps, ["d", "c"])] == ["d", "c", "a", "b"]


def test_without_a_dependency_list_extensions_load_by_name():
    webapps = [Extension(name, Path(name)) for name in ("b", "a")]
    assert [e.name for e in order_extensions(webapps, None)] == ["a", "b"]


# ------------------------------------------------------------------------- drop-in folders


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def extension(root: Path, name: str, web: str = "", exo: str = "") -> Path:
    folder = root / name
    if exo:
        write(folder / "META-INF/exo-conf/configuration.xml", kernel_document(exo))
    write(folder / "WEB-INF/conf/configuration.xml", kernel_document(web))
    return folder


def greeter(type_: str) -> str:
    return f"<component><key>ext.Greeter</key><type>{type_}</type></component>"


def greeting(root_configuration: Path, **options) -> str:
    return boot(root_configuration, environ={}, start=False, **options).get_component_instance(Greeter).greeting


@pytest.fixture
def root(write_config) -> Path:
    return write_config("configuration.xml", greeter("ext.Greeter"))


def test_extension_component_overrides_the_root_configuration(root: Path):
    extension(root.parent / "extensions", "alpha", greeter("ext.AlphaGreeter"))
    assert greeting(root) == "alpha"


def test_unlisted_extensions_load_by_folder_name_so_the_last_name_wins(root: Path):
    extension(root.parent / "extensions", "beta", greeter("ext.BetaGreeter"))
    extension(root.parent / "extensions", "alpha", greeter("ext.AlphaGreeter"))
    assert greeting(root) == "beta"


def test_dependency_order_decides_which_extension_overrides_which(root: Path):
    extensions = root.parent / "extensions"
    extension(extensions, "alpha", greeter("ext.AlphaGreeter"),
              exo=portal_config(change_plugin(change("AddDependencies", ("alpha",)))))
    extension(extensions, "beta", greeter("ext.BetaGreeter"),
              exo=portal_config(change_plugin(change("AddDependenciesBefore", ("beta",), "alpha"))))
    deployment = load(root, environ={})
    assert deployment.dependencies == ["beta", "alpha"]
    assert [e.name for e in deployment.extensions] == ["beta", "alpha"]
    assert greeting(root) == "alpha"


def test_war_import_resolves_inside_the_extension_folder(root: Path):
    folder = extension(root.parent / "extensions", "alpha", "<import>war:/conf/alpha/configuration.xml</import>")
    write(folder / "WEB-INF/conf/alpha/configuration.xml", kernel_document(greeter("ext.AlphaGreeter")))
    assert greeting(root) == "alpha"


def test_extension_package_inside_its_folder_is_importable(root: Path):
    folder = extension(root.parent / "extensions", "gamma", greeter("gamma_connector.GammaGreeter"))
    write(folder / "gamma_connector/__init__.py", """\
        from test_extensions import Greeter


        class GammaGreeter(Greeter):
            greeting = "gamma"
        """)
    assert greeting(root) == "gamma"


def test_extensions_dirs_property_adds_folders_of_extensions(root: Path, tmp_path: Path):
    extension(tmp_path / "elsewhere", "alpha", greeter("ext.AlphaGreeter"))
    assert greeting(root, system_properties={"exo.extensions.dirs": "elsewhere"}) == "alpha"


def test_removing_the_folder_uninstalls_the_extension(root: Path):
    folder = extension(root.parent / "extensions", "alpha", greeter("ext.AlphaGreeter"))
    assert greeting(root) == "alpha"
    shutil.rmtree(folder)
    assert greeting(root) == "base"


def test_profiles_added_by_a_change_plugin_apply_to_the_extension_files(root: Path):
    extension(root.parent / "extensions", "alpha",
              '<component profiles="cloud"><key>ext.Greeter</key><type>ext.AlphaGreeter</type></component>',
              exo=portal_config(change_plugin(params=values("add.profiles", "cloud"))))
    assert greeting(root) == "alpha"
