"""Real eXo configuration files (fixtures/real-exo, each one's origin in its README) read as the Java kernel reads
them. Each test states what the Java kernel does with the file: what loads (components, plugins, params), what is
dropped, what it logs. Without ``--deep`` the Java classes these files name are not looked for (their values are
kept as written); with it, every class Python does not implement is reported as the check reports unknown classes,
and the file is dropped where the kernel drops it (an object-param class is needed at parse time)."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES
from exo_container import load
from exo_container.cli import main
from exo_container.codepolicy import UnbuiltObject
from exo_container.properties import PropertyStore
from exo_container.xml.objects import OrderedSet
from exo_container.xml.parser import parse_configuration

REAL = FIXTURES / "real-exo"
KERNEL = REAL / "kernel"
WEBRTC = REAL / "webrtc" / "WEB-INF" / "conf" / "webrtc" / "configuration.xml"
JITSI = REAL / "jitsi" / "WEB-INF" / "conf" / "jitsi" / "configuration.xml"
WEBCONF_PORTAL = REAL / "web-conferencing" / "services" / "conf" / "portal" / "configuration.xml"
WEBCONF_SERVICES = "org.exoplatform.webconferencing.WebConferencingService"


def parse(path: Path, profiles=(), **properties: str):
    """The file as read by ``check``/``dump`` without --deep (no project class loaded)."""
    return parse_configuration(path, url=str(path), properties=PropertyStore(properties), profiles=profiles,
                               run_code=False)


def check(*argv: str) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = main(["check", "--extensions", "no-extensions-here", *argv], out=out)
    return code, out.getvalue().splitlines()


# --- the kernel's own test resources ---------------------------------------------------------------------------

def test_kernel_configuration_in_iso_8859_1_and_1_2_loads_every_top_level_kind():
    config = parse(KERNEL / "configuration.xml")

    velocity = config.components["org.exoplatform.services.templates.velocity.VelocityService"]
    assert velocity.type == "org.exoplatform.services.templates.velocity.impl.VelocityServiceImpl"
    assert [(p.name, p.set_method, p.type, p.description) for p in velocity.plugins] == [
        ("name plugin 1", "class.type", "class.type", "description")]
    assert velocity.init_params.get_value_param("name").value == "a value"
    assert velocity.init_params.get_value_param("name").description == "description"
    assert [(p.type, p.init_params.get_value_param("name").value) for p in config.container_lifecycle_plugins] == [
        ("component.type", "a value")]
    lifecycle, = config.component_lifecycle_plugins
    assert lifecycle.manageable_components == ["component.type"] * 3
    assert [url for url, _ in config.imports] == ["1", "2"]
    assert config.remove_configuration == ["1", "2"]


def test_kernel_configuration_relative_import_that_is_not_there_is_an_error_and_ends_the_import_tree():
    # Java: "1" is relative to the top-level file, getURL gives a file: URL, loading it fails: ERROR "Cannot process
    # the configuration", the rest of the import tree ("2") is not read; the file's own content stays
    path = KERNEL / "configuration.xml"

    code, lines = check(str(path))

    assert code == 1
    assert lines[:-1] == [f"{KERNEL / '1'}: error: configuration file not found (imported at {path}:82)"]
    assert lines[-1].startswith("1 file, 0 extensions, 1 component: 1 error, 0 warnings")


def test_kernel_configuration_deep_reports_each_class_the_kernel_cannot_load():
    # Java: container-lifecycle-plugin and component-lifecycle-plugin classes not found are each an ERROR "Failed to
    # instanciate plugin component.type" (skipped); the component's class not found: ERROR "Cannot register the
    # component" (skipped). The boot goes on.
    path = KERNEL / "configuration.xml"

    code, lines = check("--deep", str(path))

    assert code == 1
    assert [line.split(": error: ")[0] for line in lines[1:-1]] == [f"{path}:27", f"{path}:38", f"{path}:54"]
    assert lines[2].startswith(f"{path}:38: error: Component lifecycle plugin component.type: class not found")
    assert "org.exoplatform.services.templates.velocity.impl.VelocityServiceImpl" in lines[3]


def test_sample_16_jmx_name_and_a_properties_param_holding_only_a_comment():
    config = parse(KERNEL / "sample-configuration-16.xml")

    assert list(config.components) == [
        "org.exoplatform.services.naming.InitialContextInitializer",
        "org.exoplatform.services.resources.LocaleConfigService",
        "org.exoplatform.services.resources.ResourceBundleService",
        "org.exoplatform.services.cache.CacheService",
    ]
    cache = config.components["org.exoplatform.services.cache.CacheService"]
    assert cache.jmx_name == "cache:type=CacheService"
    naming = config.components["org.exoplatform.services.naming.InitialContextInitializer"]
    assert naming.init_params.get_properties_param("default-properties").properties == {}
    bundles = config.components["org.exoplatform.services.resources.ResourceBundleService"].init_params
    assert len(bundles.get_values_param("init.resources").values) == 9
    assert bundles.get_values_param("portal.resource.names").description == (
        "The properties files of  the portal ,  those file will be merged\n          into one ResoruceBundle properties")
    default = cache.init_params.get_object_param("cache.config.default").object
    assert default.fields == {"name": "default", "maxSize": 300, "liveTime": -1, "distributed": False,
                              "implementation": "org.exoplatform.services.cache.concurrent.ConcurrentFIFOExoCache"}


def test_sample_16_deep_drops_the_file_for_its_object_param_class_as_the_kernel_does():
    path = KERNEL / "sample-configuration-16.xml"

    code, lines = check("--deep", str(path))

    assert code == 1
    assert lines[:2] == [
        f"{path}:94: error: class 'org.exoplatform.services.cache.ExoCacheConfig' not found",
        f"{path}: error: file dropped whole, as the kernel does: nothing of it is loaded (1 problem listed above)",
    ]


def test_sample_17_the_later_component_of_a_key_wins_and_a_profiled_one_needs_its_profile():
    config = parse(KERNEL / "sample-configuration-17.xml")

    context, = config.components.values()
    obj = context.init_params.get_object_param("configuration").object
    assert (obj.type, obj.fields["name"].fields) == ("package.name", {"nested 1": "value", "nested 2": 1234})
    assert obj.fields["map"] == {"akey": "a value", 1234: "a value"}


def test_sample_17_a_default_in_an_int_and_a_long_is_used_with_its_profile():
    config = parse(KERNEL / "sample-configuration-17.xml", profiles={"testDefaultValue"})

    c3 = config.components["org.exoplatform.container.TestExoContainer$C3"]
    o1 = c3.init_params.get_object_param("O1").object
    assert (o1.fields["maxSize"], o1.fields["liveTime"]) == (200, -1)  # ${...:-1} is the default -1, not bash's :-


def test_sample_17_deep_reports_every_object_param_class_then_drops_the_file():
    # Java: the first class JiBX cannot load drops the file; the check lists each one it finds
    path = KERNEL / "sample-configuration-17.xml"

    code, lines = check("--deep", str(path))

    assert code == 1
    assert lines[:3] == [
        f"{path}:33: error: class 'org.exoplatform.services.organization.idm.Config' not found",
        f"{path}:53: error: class 'package.name' not found",
        f"{path}: error: file dropped whole, as the kernel does: nothing of it is loaded (2 problems listed above)",
    ]


def test_sample_19_container_lifecycle_plugins_with_name_description_priority_and_params():
    config = parse(KERNEL / "sample-configuration-19.xml")

    first, second = config.container_lifecycle_plugins
    assert (first.type, first.name, first.priority) == (
        "org.exoplatform.container.TestExoContainer$MyContainerLifecyclePlugin1", None, 0)
    assert (second.name, second.description, second.priority) == (
        "MyContainerLifecyclePlugin2", "The description of the plugin", 10)
    assert second.init_params.get_value_param("param").value == "value"


def test_sample_19_deep_reports_both_plugin_classes_and_keeps_booting():
    # Java: ERROR "Failed to instanciate plugin ..." for each, both skipped; the container starts
    path = KERNEL / "sample-configuration-19.xml"

    code, lines = check("--deep", str(path))

    assert code == 1
    assert [line.split(": error: ")[0] for line in lines[:-1]] == [f"{path}:14", f"{path}:17"]
    assert "MyContainerLifecyclePlugin2" in lines[1] and "plugin skipped" in lines[1]


def test_sample_21_profiled_top_level_elements_are_all_gone_without_their_profile():
    config = parse(KERNEL / "sample-configuration-21.xml")

    assert (config.container_lifecycle_plugins, config.component_lifecycle_plugins, config.external_plugins,
            config.imports, config.remove_configuration) == ([], [], {}, [], [])


def test_sample_21_profiled_top_level_elements_all_load_with_one_of_their_profiles():
    config = parse(KERNEL / "sample-configuration-21.xml", profiles={"social"})

    assert [p.type for p in config.container_lifecycle_plugins] == [
        "org.exoplatform.container.monitor.jvm.AddJVMComponentsToRootContainer"]
    assert [p.type for p in config.component_lifecycle_plugins] == ["component.type"]
    block = config.external_plugins["org.exoplatform.services.jcr.RepositoryService"]
    assert [p.name for p in block.plugins] == ["add.namespaces", "add.space.access.nodeType"]
    assert block.plugins[0].init_params.get_properties_param("namespaces").properties == {
        "plf": "http://www.exoplatform.org/jcr/plf/1.0/"}
    assert ([url for url, _ in config.imports], config.remove_configuration) == (["2"], ["1"])


def test_trim_value_without_namespace_every_value_trimmed_and_a_native_array():
    # Java (TestConfigurationXML.testTrimValue): every String trimmed; MyObject's field1..field8 = "string-value", 1,
    # 1L, 1.0, true, {entry-name: entry-value}, a HashSet {string-value}, int[]{1}; <priority> 1 </priority> is 1
    config = parse(KERNEL / "test-trim-value.xml")

    assert list(config.components) == ["component-key1", "component-type2"]
    assert config.components["component-key1"].init_params.get_properties_param(
        "component-key1-properties-param-name").properties == {
        "component-key1-properties-param-prop-name": "component-key1-properties-param-prop-value"}
    component = config.components["component-type2"]
    assert [(p.name, p.set_method, p.type, p.priority) for p in component.plugins] == [
        ("component-plugins-name", "set-method-name", "component-plugins-type", 1)]
    obj = component.init_params.get_object_param("component-key2-object-param-name").object
    assert obj.type == "org.exoplatform.xml.test.TestConfigurationXML$MyObject"
    assert obj.fields == {"field1": "string-value", "field2": 1, "field3": 1, "field4": 1.0, "field5": True,
                          "field6": {"entry-name": "entry-value"}, "field7": {"string-value"}, "field8": [1]}
    assert [p.type for p in config.container_lifecycle_plugins] == ["container-lifecycle-plugin-type"]
    assert config.component_lifecycle_plugins[0].init_params.get_values_param(
        "component-lifecycle-plugin-values-param-name").values == [
        "component-lifecycle-plugin-values-param-value1", "component-lifecycle-plugin-values-param-value2"]
    assert list(config.external_plugins) == ["target-component-name"]
    assert ([url for url, _ in config.imports], config.remove_configuration) == (
        ["import-value"], ["remove-configuration-value"])


TEST_EXO_CONTAINER = "org.exoplatform.container.TestExoContainer$"


def test_exo_container_test_file_loads_its_unprofiled_part_with_negative_priorities():
    # a misspelled 1_2 document (www.exoplaform.org)
    config = parse(KERNEL / "test-exo-container.xml")

    assert [c.type.removeprefix(TEST_EXO_CONTAINER) for c in config.components.values()] == [
        "MyCounter", "MyMTClass", "MyClass", "SOE1", "SOE2"]
    assert [(p.type.removeprefix(TEST_EXO_CONTAINER), p.priority) for p in config.container_lifecycle_plugins] == [
        ("MyContainerLifecyclePlugin1", 0), ("MyContainerLifecyclePlugin2", -10), ("MyContainerLifecyclePlugin3", -5)]
    assert config.external_plugins == {}


def test_exo_container_test_file_profiles_on_external_plugins_work_in_a_1_2_document():
    # the 1_2 XSD has no profiles attribute on external-component-plugins; the runtime honours it in every version
    config = parse(KERNEL / "test-exo-container.xml", profiles={"testStackOverflowError"})

    service = config.components[TEST_EXO_CONTAINER + "MyService"]
    assert service.type == TEST_EXO_CONTAINER + "MyServiceImpl"
    block = config.external_plugins[TEST_EXO_CONTAINER + "MyService"]
    assert [(p.name, p.description) for p in block.plugins] == [("test.plugin", "User - Ticket Authenticator")]


# --- the web conferencing add-on and its connectors ------------------------------------------------------------

def test_web_conferencing_portal_configuration_without_header_loads():
    config = parse(WEBCONF_PORTAL)

    assert list(config.components) == ["org.exoplatform.webconferencing.notification.pwa.CallRecordingPwaPlugin"]
    listeners = config.external_plugins["org.exoplatform.services.listener.ListenerService"]
    assert [(p.name, p.set_method) for p in listeners.plugins] == [("exo.webconferencing.callRecorded", "addListener")]


def test_webrtc_connector_a_linked_hash_set_of_ice_server_objects_loads():
    config = parse(WEBRTC)

    provider, = config.external_plugins[WEBCONF_SERVICES].plugins
    assert provider.init_params.get_properties_param("provider-configuration").properties == {"active": "true"}
    rtc = provider.init_params.get_object_param("rtc-configuration").object
    assert rtc.type == "org.exoplatform.webconferencing.webrtc.WebrtcProvider$RTCConfiguration"
    assert list(rtc.fields) == ["iceServers"]  # the commented-out fields are comments
    servers = rtc.fields["iceServers"]
    assert type(servers) is OrderedSet
    assert [(s.type.rpartition("$")[2], s.fields["enabled"], s.fields["urls"][0]) for s in servers] == [
        ("DefaultICEServer", True, "stun:stun.l.google.com:19302"),
        ("ICEServer", False, "stun:stun.l.google.com:19302"),
        ("ICEServer", False, "stun:stunserver.org"),
        ("ICEServer", False, "stun:e2.xirsys.com"),
        ("ICEServer", False, "turn:e2.xirsys.com:80?transport=udp"),
    ]
    turn = list(servers)[-1]
    assert (turn.fields["urls"], turn.fields["username"], turn.fields["credential"]) == (
        ["turn:e2.xirsys.com:80?transport=udp"], "", "")


def test_webrtc_connector_booleans_take_their_properties():
    config = parse(WEBRTC, **{"webconferencing.webrtc.default.stun.enabled": "FALSE",
                              "webconferencing.webrtc.xirsys.turn.enabled": "true",
                              "webconferencing.webrtc.xirsys.username": "me"})

    provider, = config.external_plugins[WEBCONF_SERVICES].plugins
    servers = list(provider.init_params.get_object_param("rtc-configuration").object.fields["iceServers"])
    assert (servers[0].fields["enabled"], servers[-1].fields["enabled"], servers[-1].fields["username"]) == (
        False, True, "me")


def test_webrtc_connector_deep_reports_the_java_classes_python_lacks_and_drops_the_file():
    code, lines = check("--deep", str(WEBRTC))

    assert code == 1
    assert lines[:3] == [
        f"{WEBRTC}:47: error: class 'org.exoplatform.webconferencing.webrtc.WebrtcProvider$RTCConfiguration' not found",
        f"{WEBRTC}:247: error: class 'org.exoplatform.web.filter.FilterDefinition' not found",
        f"{WEBRTC}: error: file dropped whole, as the kernel does: nothing of it is loaded (2 problems listed above)",
    ]


def test_jitsi_connector_in_iso_8859_1_takes_its_defaults_and_properties():
    config = parse(JITSI, **{"webconferencing.jitsi.url": "https://meet.example.org"})

    assert list(config.components) == ["org.exoplatform.webconferencing.jitsi.rest.JitsiContextResource"]
    provider, = config.external_plugins[WEBCONF_SERVICES].plugins
    assert provider.description == "Jitsi provider for Web Conferencing."
    settings = provider.init_params.get_properties_param("provider-configuration").properties
    assert settings == {
        "active": "true",
        "service-url": "https://meet.example.org",  # the commented-out property is a comment
        "internal-auth-secret": "mQzPudDBpSAqUwM0FY2r86gNAd6be5tN1xqwdFDOb4Us1DT4Ti",
        "external-auth-secret": "mQzPudDBpSAqUwM0FY2r86gNAd6be5tN1xqwdFDOb4Us1DT4Tx",
    }
    assert list(config.external_plugins) == [
        WEBCONF_SERVICES, "org.exoplatform.commons.addons.AddOnService",
        "org.exoplatform.services.resources.ResourceBundleService", "org.exoplatform.web.filter.ExtensibleFilter"]


def test_jitsi_connector_default_url_keeps_the_colons_after_the_first():
    provider, = parse(JITSI).external_plugins[WEBCONF_SERVICES].plugins
    settings = provider.init_params.get_properties_param("provider-configuration").properties
    assert settings["service-url"] == "https://dev03.exoplatform.org:8843"


# --- the add-on deployed as extensions (root + portal files, war: imports, profiles, plugins across files) -----

@pytest.fixture
def deployment_dir(tmp_path: Path) -> Path:
    """An empty root configuration with the add-on's webapp and the jitsi connector as extensions."""
    (tmp_path / "configuration.xml").write_text(
        '<configuration xmlns="http://www.exoplatform.org/xml/ns/kernel_1_3.xsd"/>\n', encoding="utf-8")
    extensions = tmp_path / "extensions"
    shutil.copytree(REAL / "web-conferencing" / "webapp", extensions / "webconferencing")
    shutil.copytree(REAL / "jitsi", extensions / "jitsi")
    # the jitsi webapp's own WEB-INF/conf/configuration.xml is not in the fixtures: it imports its file, as the add-on's
    (extensions / "jitsi" / "WEB-INF" / "conf" / "configuration.xml").write_text(
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<configuration '
        'xmlns="http://www.exoplatform.org/xml/ns/kernel_1_3.xsd"><import>war:/conf/jitsi/configuration.xml</import>'
        '</configuration>\n', encoding="latin-1")
    return tmp_path


def test_extension_added_to_the_portal_dependencies_by_a_misspelled_1_0_file(deployment_dir):
    deployment = load(deployment_dir / "configuration.xml", run_code=False)

    assert deployment.dependencies == ["webconferencing"]
    assert [e.name for e in deployment.extensions] == ["webconferencing", "jitsi"]


def test_extension_import_profiled_all_is_skipped_without_the_all_profile(deployment_dir):
    # Java (exo.profiles unset: only the server's profile): the <import profiles="all"> is filtered out; the other
    # war: import names nothing in the webapp: WARN "Couldn't process the URL ... configuration file ignored"
    code, lines = check(str(deployment_dir / "configuration.xml"), "--extensions", str(deployment_dir / "extensions"))

    web = deployment_dir / "extensions" / "webconferencing" / "WEB-INF" / "conf" / "configuration.xml"
    assert code == 0
    assert lines[0] == (f"{web}:30: warning: import war:/conf/webconferencing/notification-configuration.xml not "
                        "found: nothing there to load (the kernel ignores it too)")
    # without the imported file, WebConferencingService is declared nowhere: jitsi's provider plugin has no target
    assert any(f"External plugins for unknown target {WEBCONF_SERVICES} (1 plugin" in line for line in lines)


def test_extension_components_and_a_connector_plugin_of_another_extension_with_the_all_profile(deployment_dir):
    deployment = load(deployment_dir / "configuration.xml", run_code=False, profiles=["all"])

    portal = deployment.default_portal.configuration
    assert list(portal.components) == [
        WEBCONF_SERVICES, "org.exoplatform.webconferencing.rest.RESTWebConferencingService",
        "org.exoplatform.webconferencing.support.CallLogService",
        "org.exoplatform.webconferencing.cometd.CometdWebConferencingService",
        "org.exoplatform.webconferencing.jitsi.rest.JitsiContextResource",
    ]
    assert [p.type for p in portal.external_plugins[WEBCONF_SERVICES].plugins] == [
        "org.exoplatform.webconferencing.jitsi.JitsiProvider"]
    bundles = portal.external_plugins["org.exoplatform.services.resources.ResourceBundleService"].plugins
    assert [p.init_params.get_values_param("init.resources").values for p in bundles] == [
        ["locale.webconferencing.WebConferencingAdmin", "locale.webconferencing.WebConferencingClient"],
        ["locale.jitsi.Jitsi"]]
    assert isinstance(portal.external_plugins["org.exoplatform.commons.addons.AddOnService"].plugins[0]
                      .init_params.get_object_param("WebConferencingPortlet").object, UnbuiltObject)


# --- eXo Platform's root configuration: the default portal definition ------------------------------------------

PLATFORM_DEPENDENCIES = [
    "eXoResources", "portal", "dashboard", "exoadmin", "eXoGadgets", "eXoGadgetServer", "rest", "web",
    "eXoDMSGadgets", "eXoStaticResources", "eXoDMSResources", "eXoWCMResources", "ecmexplorer", "ecmadmin",
    "ecm-wcm-extension", "presentation", "formgenerator", "newsletter", "searches", "platform-extension"]


@pytest.fixture
def platform_dir(tmp_path: Path) -> Path:
    """eXo Platform's conf/configuration.xml (misspelled kernel_1_1, no XML declaration) as a root configuration."""
    shutil.copy(REAL / "platform" / "conf" / "configuration.xml", tmp_path / "configuration.xml")
    (tmp_path / "portal").mkdir()
    (tmp_path / "portal" / "configuration.properties").write_text("foo=bar\nsample=${unset.here:from-file}\n",
                                                                  encoding="latin-1")
    return tmp_path


def test_platform_default_definition_keeps_the_unprofiled_dependencies_in_order(platform_dir):
    deployment = load(platform_dir / "configuration.xml", extensions_dirs=[], run_code=False)

    assert deployment.dependencies == PLATFORM_DEPENDENCIES
    assert deployment.problems == []


def test_platform_profiled_collection_values_join_with_their_profile(platform_dir):
    deployment = load(platform_dir / "configuration.xml", extensions_dirs=[], run_code=False, profiles=["social"])

    social = ["eXoResourcesSocial", "social", "space", "profile", "social-ext"]
    assert deployment.dependencies == [*PLATFORM_DEPENDENCIES[:-1], *social, "platform-extension"]


def test_platform_settings_come_from_init_params_the_map_and_the_external_file(platform_dir):
    # Java: a bare externalSettingsPath of the default definition is looked for in ${exo-conf}/portal/ first; its
    # values are ${}-resolved when merged over the definition's settings map
    config = load(platform_dir / "configuration.xml", extensions_dirs=[], run_code=False).portal_container_config

    assert (config.default_portal_container, config.get_setting("rest", "portal"),
            config.get_setting("realm", "portal")) == ("portal", "rest", "gatein-domain")
    assert (config.get_setting("foo", "portal"), config.get_setting("sample", "portal")) == ("bar", "from-file")


def test_platform_external_settings_file_missing_is_an_error_and_the_boot_goes_on(platform_dir):
    # Java: getURL("configuration.properties") is relative to the root file; opening it fails: ERROR "Cannot load
    # property file", the definition keeps its own settings
    (platform_dir / "portal" / "configuration.properties").unlink()

    deployment = load(platform_dir / "configuration.xml", extensions_dirs=[], run_code=False)

    assert [str(p) for p in deployment.problems] == [
        f"{platform_dir / 'configuration.properties'}: external settings configuration.properties of portal portal "
        "not found"]
    assert deployment.portal_container_config.get_setting("sample", "portal") == "value"
