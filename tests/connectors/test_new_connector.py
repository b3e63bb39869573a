"""scripts/new_connector.py: a connector of one's own, from the template connector, that boots with no warning and
says nothing false; its settings, description and exo.properties lines are the author's; its starter test passes."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys

import lxml.html
import pytest

from webconferencing.errors import InvalidCallArgument
from webconferencing.identity import IdentityDirectory
from webconferencing.service import WebConferencingService

from .conftest import EXTENSIONS, ROOT, new_connector

TEMPLATE_SPELLINGS = re.compile(r"myconnector|my connector|MyConnector|myConnector|MyProvider", re.IGNORECASE)
DESCRIPTION = "Video calls in Acme Call rooms."
SETTINGS = ["serverUrl:required=https://call.acme.example", "apiKey:secret", "roomPrefix=exo-"]
EXO_CONTAINER = os.path.join(os.path.dirname(sys.executable), "exo-container")


def make(dest, *settings: str, name: str = "acmecall", title: str = "Acme Call", accounts: bool = True):
    """A connector in ``dest``. Connectors booted in this process need names of their own: the kernel keeps each
    class it loaded by its dotted name."""
    return new_connector.new_connector(name, dest, title=title, description=DESCRIPTION, accounts=accounts,
                                       settings=[new_connector.Setting.parse(s) for s in settings])


@pytest.fixture
def copied(tmp_path):
    dest = tmp_path / "extensions"
    make(dest, *SETTINGS)
    return dest / "acmecall"


def texts(folder):
    return {path.relative_to(folder).as_posix(): path.read_text(encoding="utf-8")
            for path in folder.rglob("*") if path.is_file()}


def test_no_path_and_no_text_of_the_copy_keeps_a_template_name(copied):
    for relative, text in texts(copied).items():
        assert not TEMPLATE_SPELLINGS.search(relative), relative
        assert not TEMPLATE_SPELLINGS.search(text), relative


def test_the_copy_has_the_template_files_under_their_new_names_and_a_starter_test(copied):
    expected = {p.relative_to(EXTENSIONS / "myconnector").as_posix().replace("myconnector", "acmecall")
                .replace("MyConnector", "AcmeCall")
                for p in (EXTENSIONS / "myconnector").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert set(texts(copied)) == expected | {"tests/test_acmecall.py"}


def test_the_plugin_file_declares_the_provider_plugin_and_the_bundle_of_its_texts(copied):
    xml = (copied / "WEB-INF/conf/acmecall/configuration.xml").read_text(encoding="utf-8")
    assert re.findall(r"<target-component>(.*?)</target-component>", xml) == [
        "org.exoplatform.webconferencing.WebConferencingService",
        "org.exoplatform.services.resources.ResourceBundleService"]
    assert "<value>locale.acmecall.AcmeCall</value>" in xml


def test_the_copy_ships_its_texts_in_english_and_french_without_the_templates_description(copied):
    for language in ("en", "fr"):
        bundle = (copied / f"WEB-INF/classes/locale/acmecall/AcmeCall_{language}.properties").read_text("utf-8")
        assert "acmecall.button.callWith=" in bundle
        assert "provider.description" not in bundle


def test_no_text_says_it_is_the_template_or_a_port_of_the_original(copied):
    for relative, text in texts(copied).items():
        assert not re.search(r"\bported\b|\bthe original\b|the template's", text, re.IGNORECASE), relative


def test_the_description_given_is_the_providers_and_no_placeholder_is_left(copied):
    for relative, text in texts(copied).items():
        assert "Call provider description here" not in text, relative
    assert f"<description>{DESCRIPTION}</description>" in (copied / "WEB-INF/conf/acmecall/configuration.xml"
                                                           ).read_text(encoding="utf-8")


def test_no_java_alias_is_invented_for_the_provider(copied):
    provider = (copied / "acmecall/provider.py").read_text(encoding="utf-8")
    assert "java_name" not in provider and "org.exoplatform" not in provider


def test_the_browser_module_builds_a_provider_named_for_the_connector(copied):
    module = (copied / "static/js/webconferencing-acmecall.js").read_text(encoding="utf-8")
    assert "function AcmeCallProvider()" in module
    assert "webConferencing.addProvider(new AcmeCallProvider());" in module


def test_the_settings_form_has_a_field_per_setting_and_secrets_hidden(copied):
    form = (copied / "acmecall/templates/acmecall/settings.html").read_text(encoding="utf-8")
    fields = [(i.get("type"), i.get("name"), i.get("required") is not None)
              for i in lxml.html.fragment_fromstring(form, create_parent=True).iter("input")]
    assert fields == [("text", "serverUrl", True), ("password", "apiKey", False), ("text", "roomPrefix", False)]


def test_the_exo_properties_lines_name_every_setting_with_its_default():
    connector = new_connector.Connector.of("acmecall", title="Acme Call", settings=[
        new_connector.Setting.parse(s) for s in [*SETTINGS, "token:required"]])
    lines = [line for line in connector.properties_lines() if not line.startswith("# ")]
    assert lines == ["#webconferencing.acmecall.active=true",
                     "#webconferencing.acmecall.serverUrl=https://call.acme.example",
                     "#webconferencing.acmecall.apiKey=", "#webconferencing.acmecall.roomPrefix=exo-",
                     "webconferencing.acmecall.token="]  # required, no default: to be set, so not commented


def test_the_scaffolded_connector_boots_with_no_problem_at_all(copied, boot_product):
    container = boot_product(copied.parent)
    assert container.problems == []
    provider = container.get_component_instance_of_type(WebConferencingService).get_provider("acmecall")
    assert (type(provider).__name__, provider.get_title(), provider.get_description(), provider.is_active()) == (
        "AcmeCallProvider", "Acme Call", DESCRIPTION, True)
    assert container.get_component_instance_of_type(IdentityDirectory).get_im_types() == {"acmecall": "Acme Call"}


def test_exo_container_check_finds_no_warning_in_the_scaffolded_connector(copied, tmp_path):
    (tmp_path / "empty.properties").touch()
    done = subprocess.run([EXO_CONTAINER, "check", "--deep", str(ROOT / "configuration.xml"), "--extensions",
                           str(copied.parent), "--properties", str(tmp_path / "empty.properties"), "-D",
                           f"webconferencing.db.url=sqlite:///{tmp_path / 'check.db'}"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 errors, 0 warnings" in done.stdout, done.stdout


def test_the_settings_are_read_from_their_properties_and_secrets_stay_on_the_server(copied, boot_product):
    container = boot_product(copied.parent, **{"webconferencing.acmecall.apiKey": "s3cret"})
    provider = container.get_component_instance_of_type(WebConferencingService).get_provider("acmecall")
    assert provider.get_editable_settings() == {"serverUrl": "https://call.acme.example", "apiKey": "s3cret",
                                                "roomPrefix": "exo-"}
    browser_side = provider.get_settings()
    assert browser_side["serverUrl"] == "https://call.acme.example" and "apiKey" not in browser_side


def test_a_required_setting_left_empty_by_an_admin_is_refused_naming_it(copied, boot_product):
    provider = boot_product(copied.parent).get_component_instance_of_type(WebConferencingService).get_provider(
        "acmecall")
    with pytest.raises(InvalidCallArgument, match="'serverUrl' must not be empty"):
        provider.update_configuration({"serverUrl": " "})


def test_a_required_setting_without_value_fails_the_provider_naming_its_property(tmp_path, boot_product):
    make(tmp_path / "extensions", "token:required", name="tokencall", title="Token Call")
    container = boot_product(tmp_path / "extensions")
    errors = [str(p) for p in container.problems if p.severity == "error"]
    assert len(errors) == 1 and "set webconferencing.tokencall.token in exo.properties" in errors[0]


def test_a_connector_without_settings_boots_clean_with_a_form_that_says_so(tmp_path, boot_product):
    make(tmp_path / "extensions", name="quietcall", title="Quiet Call")
    container = boot_product(tmp_path / "extensions")
    assert container.problems == []
    provider = container.get_component_instance_of_type(WebConferencingService).get_provider("quietcall")
    assert provider.get_editable_settings() == {}
    form = (tmp_path / "extensions/quietcall/quietcall/templates/quietcall/settings.html").read_text(encoding="utf-8")
    assert "<input" not in form and "Quiet Call has no settings of its own." in form


def test_a_connector_needing_no_account_registers_no_im_type_and_offers_everyone_a_button(tmp_path, boot_product):
    make(tmp_path / "extensions", name="opencall", title="Open Call", accounts=False)
    container = boot_product(tmp_path / "extensions")
    assert container.problems == []
    assert container.get_component_instance_of_type(IdentityDirectory).get_im_types() == {}
    module = (tmp_path / "extensions/opencall/static/js/webconferencing-opencall.js").read_text(encoding="utf-8")
    assert "webConferencing.callParticipants(context, target, null)" in module and "imAccount(" not in module


@pytest.mark.parametrize("spec, message", [
    ("server-url", "one camelCase word"), ("title", "the core already uses"), ("apiKey:hidden", "unknown flag"),
    ("serverUrl=a}b", "may not hold"),
])
def test_a_bad_setting_is_refused_naming_it(spec, message):
    with pytest.raises(new_connector.NewConnectorError, match=message):
        new_connector.Setting.parse(spec)


@pytest.mark.parametrize("name", ["AcmeCall", "acme-call", "1call", ""])
def test_a_name_that_is_not_one_lowercase_word_is_refused(tmp_path, name):
    with pytest.raises(new_connector.NewConnectorError, match="one lowercase word"):
        new_connector.new_connector(name, tmp_path)


def test_an_existing_folder_is_never_overwritten(copied):
    with pytest.raises(new_connector.NewConnectorError, match="already exists"):
        make(copied.parent)


def test_on_a_terminal_it_asks_for_title_description_and_settings(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"Acme Call\n{DESCRIPTION}\nserverUrl:required=https://a.example"
                                                  f"\napiKey:secret\n\n"))
    assert new_connector.main(["acmecall", "--dest", str(tmp_path)], interactive=True) == 0
    xml = (tmp_path / "acmecall/WEB-INF/conf/acmecall/configuration.xml").read_text(encoding="utf-8")
    assert f"<description>{DESCRIPTION}</description>" in xml
    assert re.findall(r'<property name="(\w+)"', xml) == ["serverUrl", "apiKey", "active"]
    assert "#webconferencing.acmecall.serverUrl=https://a.example" in capsys.readouterr().out


def test_without_a_terminal_it_asks_nothing_and_prints_the_properties(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "new_connector.py"), "acmecall", "--title",
                           "Acme Call", "--setting", "serverUrl=https://a.example", "--dest", str(tmp_path)],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "#webconferencing.acmecall.serverUrl=https://a.example" in done.stdout.splitlines()
    assert "<description>Calls with Acme Call.</description>" in (
        tmp_path / "acmecall/WEB-INF/conf/acmecall/configuration.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("accounts", [True, False], ids=["with-im-accounts", "no-account"])
def test_the_generated_starter_test_passes_as_generated(tmp_path, accounts):
    """In a subprocess, from the extensions folder, as the author runs it: a real server (given a value for the
    required setting that has no default), john calls mary in Chromium, mary accepts, both call windows join."""
    make(tmp_path, *SETTINGS, "token:required", accounts=accounts)
    done = subprocess.run([sys.executable, "-m", "pytest", "acmecall/tests", "-q", "-p", "no:cacheprovider"],
                          cwd=tmp_path, capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=280)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "2 passed" in done.stdout
