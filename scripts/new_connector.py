#!/usr/bin/env python3
"""Start a connector of your own from the template connector (``extensions/myconnector``).

    python scripts/new_connector.py acmecall --title "Acme Call" --description "Video calls on Acme Call." \\
        --setting serverUrl:required=https://call.acme.example --setting apiKey:secret
    python scripts/new_connector.py acmecall --dest /opt/exo/extensions     # asks for what is missing on a terminal

The template's browser flow (call button, call ids, ringing, the call window) is copied with its names changed;
what is the template's own is not copied but written for the new connector: the provider class and its settings,
the provider plugin's XML (and the ResourceBundleService plugin of its texts; no AddOnService plugin: nothing here
implements that one), the admin
settings form, the package docstring. A starter test (``tests/test_<name>.py``, on :mod:`webconferencing.testing`)
comes with it, and the ``exo.properties`` lines the connector reads are printed. Everything written is listed by
``--dry-run``. See extensions/README.md for the walk-through.
"""
from __future__ import annotations

import argparse
import html
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "extensions" / "myconnector"
SKIPPED = {"__pycache__", ".pytest_cache"}
NAME_PATTERN = re.compile(r"[a-z][a-z0-9_]*")
SETTING_PATTERN = re.compile(r"[a-z][A-Za-z0-9]*")
SETTING_FLAGS = {"required", "secret"}
# Keys the core already puts in get_settings() / get_configuration(): a setting of that name would hide one.
RESERVED_SETTINGS = {"type", "supportedTypes", "title", "version", "description", "active", "logEnabled", "url",
                     "callUrl", "settingsUrl"}


class NewConnectorError(Exception):
    """A bad name, setting or destination; the message says which."""


@dataclass(frozen=True)
class Names:
    """Every spelling of a connector's name that the template uses."""

    name: str  # provider type, folder, package, IM type: "acmecall"
    title: str  # "Acme Call"
    class_name: str  # "AcmeCall" (AcmeCallProvider, AcmeCallPortlet)

    @property
    def camel(self) -> str:  # "acmeCall" (JS globals, CSS classes)
        return self.class_name[:1].lower() + self.class_name[1:]

    @classmethod
    def of(cls, name: str, title: str | None = None, class_name: str | None = None) -> "Names":
        if not NAME_PATTERN.fullmatch(name):
            raise NewConnectorError(f"connector name '{name}' must be one lowercase word: a letter, then letters, "
                                    f"digits or '_' (it is the provider type and the Python package name)")
        words = [w for w in re.split(r"[_\W]+", title or name) if w]
        class_name = class_name or "".join(w[:1].upper() + w[1:] for w in words)
        if not class_name.isidentifier() or not class_name[:1].isupper():
            raise NewConnectorError(f"class name '{class_name}' must be a Python identifier starting upper case")
        return cls(name, title or " ".join(w.capitalize() for w in words), class_name)


@dataclass(frozen=True)
class Setting:
    """One setting of the new connector: its ``provider-configuration`` key, its form field, the suffix of its
    ``webconferencing.<name>.<setting>`` property and the key an admin saves it under, all one camelCase name."""

    name: str
    default: str = ""
    required: bool = False  # missing or empty: the provider fails at boot naming the property (the server refuses)
    secret: bool = False  # kept on the server: not in get_settings(), which every browser receives

    @classmethod
    def parse(cls, spec: str) -> "Setting":
        """``NAME[:required][:secret][=DEFAULT]``, e.g. ``serverUrl:required=https://call.example``."""
        head, has_default, default = spec.partition("=")
        name, *flags = head.strip().split(":")
        if not SETTING_PATTERN.fullmatch(name):
            raise NewConnectorError(f"setting '{name}' must be one camelCase word (a lowercase letter, then letters "
                                    f"or digits): it is an XML key, a form field and a property name")
        if name in RESERVED_SETTINGS:
            raise NewConnectorError(f"setting '{name}' is a name the core already uses: choose another")
        unknown = set(flags) - SETTING_FLAGS
        if unknown:
            raise NewConnectorError(f"setting '{name}': unknown flag(s) {sorted(unknown)} (known: required, secret)")
        default = default.strip() if has_default else ""
        if any(ch in default for ch in "}\n\r"):
            raise NewConnectorError(f"setting '{name}': a default may not hold '}}' or a line break")
        return cls(name, default, "required" in flags, "secret" in flags)

    @property
    def label(self) -> str:
        """``serverUrl`` -> ``Server url``: the form's label."""
        words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", self.name).lower()
        return words[:1].upper() + words[1:]


@dataclass(frozen=True)
class Connector:
    """What the author chose: the names, the description and the settings."""

    names: Names
    description: str
    settings: tuple[Setting, ...] = ()
    accounts: bool = True  # the template's rule: a button for users with an IM account of the type; False: everyone

    @classmethod
    def of(cls, name: str, *, title: str | None = None, description: str | None = None,
           settings: tuple[Setting, ...] | list[Setting] = (), class_name: str | None = None,
           accounts: bool = True) -> "Connector":
        names = Names.of(name, title, class_name)
        seen = [s.name for s in settings]
        twice = sorted({n for n in seen if seen.count(n) > 1})
        if twice:
            raise NewConnectorError(f"setting(s) {twice} given twice")
        description = " ".join((description or f"Calls with {names.title}.").split())
        return cls(names, description, tuple(settings), accounts)

    def property_name(self, setting: Setting) -> str:
        return f"webconferencing.{self.names.name}.{setting.name}"

    def properties_lines(self) -> list[str]:
        """The exo.properties lines the connector reads, commented where the default is enough."""
        lines = [f"# {self.names.title} ({self.names.name}): the provider's default state (the admin's saved choice "
                 f"wins)", f"#webconferencing.{self.names.name}.active=true"]
        for setting in self.settings:
            notes = [word for word, on in (("required", setting.required), ("secret: never sent to browsers",
                                                                              setting.secret)) if on]
            lines.append(f"# {setting.label}{' (' + '; '.join(notes) + ')' if notes else ''}")
            line = f"{self.property_name(setting)}={setting.default}"
            needed = setting.required and not setting.default  # without it the server does not start
            lines.append(line if needed else "#" + line)
        return lines


TEMPLATE_NAMES = Names("myconnector", "My Connector", "MyConnector")


def replacements(new: Names, old: Names = TEMPLATE_NAMES) -> list[tuple[str, str]]:
    """Longest spellings first, so that ``MyConnectorProvider`` is not half-renamed by ``myconnector``."""
    return [
        (f"{old.class_name}Provider", f"{new.class_name}Provider"),
        (f"{old.class_name}Portlet", f"{new.class_name}Portlet"),
        ("webConferencingMyGRP", f"webConferencing{new.class_name}GRP"),
        ("MyProvider", f"{new.class_name}Provider"),  # the browser module's constructor
        (old.camel, new.camel),  # JS globals and CSS classes: myConnectorCall, myConnectorAction
        (old.title, new.title),
        (old.class_name, new.class_name),
        (old.name, new.name),
    ]


def rename_text(text: str, pairs: list[tuple[str, str]]) -> str:
    """All replacements in one pass (a replaced text is never replaced again)."""
    pattern = re.compile("|".join(re.escape(old) for old, _ in pairs))
    table = dict(pairs)
    return pattern.sub(lambda m: table[m.group(0)], text)


def edit(text: str, old: str, new: str, where: str) -> str:
    """Replace one passage the template must hold; a template that changed is an error, never a silent skip."""
    if text.count(old) != 1:
        raise NewConnectorError(f"the template's {where} changed: update scripts/new_connector.py (looked for "
                                f"{old.strip()[:60]!r})")
    return text.replace(old, new)


# ---- the files written for the connector (not copied) ----

def _py_tuple(names: list[str]) -> str:
    return "(" + "".join(f"{n!r}, " for n in names).rstrip(" ") + ")" if names else "()"


def provider_py(c: Connector) -> str:
    n = c.names
    editable = [s.name for s in c.settings]
    required = [s.name for s in c.settings if s.required]
    secret = [s.name for s in c.settings if s.secret]
    keys = ", ".join(f"``{name}``" for name in editable) or "none besides ``active``"
    if c.accounts:
        who = (f'The provider registers its IM type: user profiles get a "{n.title}" account field, and the browser '
               f'module gives a\ncall button to users who have such an account.')
        identity_import = "from webconferencing.identity import IdentityDirectory\n"
        doc = "``identities`` is injected by the container (it is named in the signature)."
        signature = "self, identities: IdentityDirectory, params: InitParams | None = None"
        register = "\n        identities.register_im_type(TYPE, TITLE)"
    else:
        who = ("Its calls need no account: the browser module gives every user a call button for every other "
               "party, and the\nprovider registers no IM type.")
        identity_import = ""
        doc = "Built by the container from the plugin's init-params."
        signature = "self, params: InitParams | None = None"
        register = ""
    return f'''"""The {n.title} call provider, the server side of the {n.name} connector.

Its settings ({keys}) come from the plugin's ``provider-configuration`` in
``WEB-INF/conf/{n.name}/configuration.xml``, which reads ``webconferencing.{n.name}.<setting>`` from exo.properties;
an administrator may change them on the admin page, and the saved value wins at the next start. A required setting
that is missing fails the provider at boot, naming its property, so a broken install is seen before the first call.
{who}
"""
from __future__ import annotations

from typing import Any

from exo_container import InitParams

from webconferencing.errors import InvalidCallArgument, ProviderConfigurationError
{identity_import}from webconferencing.provider import CallProvider

TYPE = {n.name!r}
TITLE = {n.title!r}
DESCRIPTION = {c.description!r}
VERSION = "0.1.0"
URL = "/{n.name}"  # where .web mounts the call window and the settings form
PROPERTY_PREFIX = "webconferencing.{n.name}."

EDITABLE = {_py_tuple(editable)}  # admin-editable: provider-configuration key = form field = property suffix
REQUIRED = {_py_tuple(required)}  # must not be empty
SECRET = {_py_tuple(secret)}  # server-side only: never in get_settings(), which every browser receives
SETTING_MAX_LENGTH = 500


class {n.class_name}Provider(CallProvider):
    """{doc}"""

    def __init__({signature}):
        super().__init__(params)  # which calls validate_configuration
        self.url = URL{register}

    @classmethod
    def validate_configuration(cls, config: dict[str, str]) -> None:
        """What the boot and exo-server --check refuse: a required setting left empty."""
        for name in REQUIRED:
            if not (config.get(name) or "").strip():
                raise ProviderConfigurationError(
                    f"{{cls.__name__}}: provider-configuration property '{{name}}' is required and must not "
                    f"be empty (set {{PROPERTY_PREFIX}}{{name}} in exo.properties)", key=name)

    def setting(self, name: str) -> str:
        return (self.config.get(name) or "").strip()

    # ---- identity ----

    def get_type(self) -> str:
        return TYPE

    def get_supported_types(self) -> list[str]:
        return [TYPE]

    def get_title(self) -> str:
        return TITLE

    def get_version(self) -> str:
        return VERSION

    def get_description(self) -> str:
        return self.description or DESCRIPTION

    # ---- what the browser gets ----

    def get_settings(self) -> dict:
        public = {{name: self.setting(name) for name in EDITABLE if name not in SECRET}}
        return {{**super().get_settings(), **public, "url": self.url, "callUrl": f"{{self.url}}/call",
                "settingsUrl": f"{{self.url}}/settings"}}

    # ---- admin settings (saved by the core through POST provider/{n.name}/configuration) ----

    def get_editable_settings(self) -> dict[str, Any]:
        return {{name: self.setting(name) for name in EDITABLE}}

    def validate_setting(self, name: str, value: Any) -> str:
        """The value to store, or InvalidCallArgument naming the field (the REST answer is then a 400)."""
        if name not in EDITABLE:
            return super().validate_setting(name, value)
        text = ("" if value is None else str(value)).strip()
        if not text and name in REQUIRED:
            raise InvalidCallArgument(f"'{{name}}' must not be empty", field=name)
        if len(text) > SETTING_MAX_LENGTH or any(not ch.isprintable() for ch in text):
            raise InvalidCallArgument(f"'{{name}}' must be one line of at most {{SETTING_MAX_LENGTH}} characters",
                                      field=name)
        return text

    # ---- web ----

    def get_blueprint(self):
        """The call window and the settings form (imported here: the provider itself does not need Flask)."""
        from .web import create_blueprint

        return create_blueprint(self)
'''


def init_py(c: Connector) -> str:
    n = c.names
    return f'''"""{n.title}: {c.description}

The provider (:mod:`.provider`) is a plugin of WebConferencingService declared in
``WEB-INF/conf/{n.name}/configuration.xml``; :mod:`.web` serves its call window and admin settings form; its browser
module is ``static/js/webconferencing-{n.name}.js``. Made with ``scripts/new_connector.py`` from the template
connector; extensions/README.md is the guide.
"""
'''


def plugin_xml(c: Connector) -> str:
    n = c.names
    props = [f'          <property name="{s.name}" value="${{{html.escape(c.property_name(s))}:'
             f'{html.escape(s.default)}}}" />' for s in c.settings]
    props.append(f'          <property name="active" value="${{webconferencing.{n.name}.active:true}}" />')
    newline = "\n"
    return f'''<?xml version="1.0" encoding="UTF-8"?>
<configuration xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xsi:schemaLocation="http://www.exoplatform.org/xml/ns/kernel_1_3.xsd http://www.exoplatform.org/xml/ns/kernel_1_3.xsd"
  xmlns="http://www.exoplatform.org/xml/ns/kernel_1_3.xsd">

  <!-- {html.escape(n.title)} provider plugin: each property reads webconferencing.{n.name}.<name> (exo.properties,
       -D or EXO_ variables), the value after ':' being its default. -->
  <external-component-plugins>
    <target-component>org.exoplatform.webconferencing.WebConferencingService</target-component>
    <component-plugin>
      <name>add.callprovider</name>
      <set-method>addPlugin</set-method>
      <type>{n.name}.provider.{n.class_name}Provider</type>
      <description>{html.escape(c.description)}</description>
      <init-params>
        <properties-param>
          <name>provider-configuration</name>
{newline.join(props)}
        </properties-param>
      </init-params>
    </component-plugin>
  </external-component-plugins>

  <!-- {html.escape(n.title)}'s texts, as a WAR's resource bundles: WEB-INF/classes/locale/{n.name}/
       {n.class_name}_<language>.properties, merged into what pages give the browser module (webConferencing.message) -->
  <external-component-plugins>
    <target-component>org.exoplatform.services.resources.ResourceBundleService</target-component>
    <component-plugin>
      <name>ResourceBundle Plugin</name>
      <set-method>addResourceBundle</set-method>
      <type>org.exoplatform.services.resources.impl.BaseResourceBundlePlugin</type>
      <init-params>
        <values-param>
          <name>portal.resource.names</name>
          <value>locale.{n.name}.{n.class_name}</value>
        </values-param>
      </init-params>
    </component-plugin>
  </external-component-plugins>

</configuration>
'''


def settings_html(c: Connector) -> str:
    n = c.names
    fields = []
    for i, s in enumerate(c.settings):
        kind = "password" if s.secret else "text"
        required = " required" if s.required else ""
        fields.append(f'''    <label>{html.escape(s.label)}
      <input type="{kind}" name="{s.name}" value="{{{{ provider.{s.name} }}}}"{required} maxlength="500" autocomplete="off">
    </label>''')
    if not fields:
        fields.append(f"    <p>{html.escape(n.title)} has no settings of its own.</p>")
    newline = "\n"
    return f'''{{#- {n.title} settings form, loaded into the admin page by the provider's showSettings(). -#}}
<div class="{n.name}-settings" role="dialog" aria-modal="true" aria-labelledby="{n.name}-settings-title">
  <form class="settingsForm">
    <h2 id="{n.name}-settings-title">{{{{ provider.title }}}} settings</h2>
{newline.join(fields)}
    <p class="{n.name}-settings-error" role="alert" hidden></p>
    <div class="{n.name}-settings-actions">
      <button type="submit" class="btn btn-primary">Save</button>
      <button type="button" class="btn {n.name}-settings-cancel">Cancel</button>
    </div>
  </form>
</div>
'''


def starter_test(c: Connector) -> str:
    n = c.names
    unset = [s for s in c.settings if s.required and not s.default]  # without them the server does not start
    fixtures = "exo_login, exo_page" if c.accounts else "exo_page"
    accounts = (f'''
    for user in ("john", "mary"):
        exo_login(user).set_im_account(TYPE, f"{{user}}.{n.name}")  # the button needs an account on both sides'''
                if c.accounts else "")
    properties = ""
    if unset:
        values = "".join(f"\n        {json.dumps(c.property_name(s))}: {json.dumps('test-' + s.name)}," for s in unset)
        properties = f'''

@pytest.fixture(scope="module")
def exo_properties():
    """Required settings without a default: the server does not start without a value (put test values here)."""
    return {{{values}
    }}
'''
    return f'''"""{n.title}, end to end: a real exo-server with this connector, real users, real browsers.

Run it with ``pytest {n.name}/tests`` from the extensions folder (the fixtures come from webconferencing.testing, a
pytest plugin installed with exo-webconf).
"""
from pathlib import Path

import pytest
from playwright.sync_api import expect

TYPE = "{n.name}"


@pytest.fixture(scope="module")
def exo_connectors():
    """The connector folder this test file is in: the only connector of the test server."""
    return [Path(__file__).resolve().parents[1]]
{properties}

def test_the_provider_is_listed_active(exo_login):
    providers = exo_login("john").get("/providers/configuration").json()
    assert {{p["type"]: p["active"] for p in providers}} == {{TYPE: True}}


def test_john_calls_mary_who_accepts_and_both_see_the_call_page({fixtures}):{accounts}
    john = exo_page("john", "/portal/profile/mary", ready=TYPE)
    mary = exo_page("mary", "/portal/people", ready=TYPE)
    with john.expect_popup() as opened:
        john.locator(".webconferencing-call[data-user-id=mary] .{n.camel}Action").click()
    johns_call = opened.value
    with mary.expect_popup() as opened:
        mary.locator(".{n.name}-incoming button.accept").click()
    for window in (johns_call, opened.value):
        expect(window.locator(".{n.name}-call")).to_have_attribute("data-call-state", "joined")
'''


def browser_module(text: str, c: Connector) -> str:
    """The template's module with its header and its two-field settings form made the new connector's."""
    n = c.names
    where = "browser module"
    button = (f"a call button where the current user and at least one other\n * party have a {n.title} IM account"
              if c.accounts else "a call button for every other party (no account\n * needed)")
    header = text[:text.index("*/") + 2]
    text = text.replace(header, f'''/**
 * {n.title} provider module for Web Conferencing: {button}, stable call ids (p/<sorted ids> for 1:1, g/<space or room> for groups), ringing
 * through the user channel (accept / decline; no ring for users in Do Not Disturb), the call window of
 * /{n.name}/call/<id>, and the settings form on the admin page.
 *
 * The call window, not this page, joins the call: the tab that hosts the call is the one whose closing leaves it.
 */''', 1)
    if c.accounts:
        text = edit(text, "// the template's `ims`", "// who has an account of this type", where)
    else:
        text = edit(text, "webConferencing.callParticipants(context, target, TYPE); // the template's `ims`",
                    "webConferencing.callParticipants(context, target, null); // everyone: no account needed",
                    where)
        check = re.findall(r"      if \(!webConferencing\.imAccount\(context\.currentUser, TYPE\)\) \{\n.*?\n      \}\n",
                           text, re.DOTALL)
        text = edit(text, check[0] if check else "if (!webConferencing.imAccount(context.currentUser, TYPE))", "",
                    where)  # the button's "no account, no button" check
    text = edit(text, """          var changes = {
            clientId: form.elements.clientId.value.trim(),
            apiKey: form.elements.apiKey.value.trim()
          };""", """          var changes = {};
          Array.prototype.forEach.call(form.querySelectorAll("input[name]"), function(input) {
            changes[input.name] = input.value.trim();
          });""", where)
    text = edit(text, """            if (settings) {
              settings.clientId = saved.clientId;
            }""", """            Object.keys(changes).forEach(function(name) {
              if (settings && name in settings) {
                settings[name] = saved[name]; // a public setting (secret ones never reach the browser)
              }
            });""", where)
    # the field focused when the form opens: the first one (the Save button when there is none)
    text = edit(text, "form.elements.clientId", '(form.querySelector("input[name]") || form.querySelector("button"))',
                where)
    return text


def bundle(text: str, c: Connector) -> str:
    """The template's texts renamed, less its description: the admin page then shows the connector's own."""
    key = f"{c.names.name}.provider.description="
    lines = text.splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(key)]
    if len(kept) != len(lines) - 1:
        raise NewConnectorError(f"the template's bundle has no {key[:-1]} line: update scripts/new_connector.py")
    return "".join(kept)


def call_page(text: str, c: Connector) -> str:
    return edit(text, " (the template connector has no media)", "", "call page")


@dataclass
class Plan:
    """Every file to write: its path in the new folder, and where its text comes from."""

    connector: Connector
    target: Path
    files: dict[Path, Callable[[], str]] = field(default_factory=dict)
    sources: dict[Path, str] = field(default_factory=dict)  # for the listing: template file or "written"


def plan(c: Connector, dest: Path) -> Plan:
    n = c.names
    source = TEMPLATE
    if not (source / "WEB-INF" / "conf" / "configuration.xml").is_file():
        raise NewConnectorError(f"{source} is not a connector extension (no WEB-INF/conf/configuration.xml)")
    target = dest.resolve() / n.name
    pairs = replacements(n)
    written: dict[str, Callable[[], str]] = {
        f"{n.name}/provider.py": lambda: provider_py(c),
        f"{n.name}/__init__.py": lambda: init_py(c),
        f"WEB-INF/conf/{n.name}/configuration.xml": lambda: plugin_xml(c),
        f"{n.name}/templates/{n.name}/settings.html": lambda: settings_html(c),
        f"tests/test_{n.name}.py": lambda: starter_test(c),
    }
    edits: dict[str, Callable[[str, Connector], str]] = {
        f"static/js/webconferencing-{n.name}.js": browser_module,
        f"{n.name}/templates/{n.name}/call.html": call_page,
        f"WEB-INF/classes/locale/{n.name}/{n.class_name}_en.properties": bundle,
        f"WEB-INF/classes/locale/{n.name}/{n.class_name}_fr.properties": bundle,
    }
    result = Plan(c, target)
    for path in sorted(source.rglob("*")):
        relative = path.relative_to(source)
        if path.is_dir() or any(part in SKIPPED for part in relative.parts) or path.suffix == ".pyc":
            continue
        new_relative = rename_text(relative.as_posix(), pairs)
        if new_relative in written:
            continue
        text = path.read_text(encoding="utf-8")
        change = edits.get(new_relative)

        def copy(text=text, change=change) -> str:
            renamed = rename_text(text, pairs)
            return change(renamed, c) if change else renamed

        result.files[target / new_relative] = copy
        result.sources[target / new_relative] = f"from {relative.as_posix()}"
    for relative, make in written.items():
        result.files[target / relative] = make
        result.sources[target / relative] = "written"
    for change_path in edits:
        if target / change_path not in result.files:
            raise NewConnectorError(f"the template has no {change_path}: update scripts/new_connector.py")
    return result


def new_connector(name: str, dest: Path, *, title: str | None = None, description: str | None = None,
                  settings: tuple[Setting, ...] | list[Setting] = (), class_name: str | None = None,
                  accounts: bool = True, dry_run: bool = False) -> Plan:
    """Write the connector to ``dest/<name>`` (every text made before anything is written); returns the plan."""
    connector = Connector.of(name, title=title, description=description, settings=settings, class_name=class_name,
                             accounts=accounts)
    made = plan(connector, dest)
    if made.target.exists():
        raise NewConnectorError(f"{made.target} already exists: choose another name or remove it")
    texts = {path: make() for path, make in made.files.items()}
    if not dry_run:
        for path, text in texts.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    return made


def ask(prompt: str, default: str = "") -> str:
    answer = input(f"{prompt}{f' [{default}]' if default else ''}: ").strip()
    return answer or default


def ask_settings() -> list[Setting]:
    print("Settings, one a line as NAME[:required][:secret][=DEFAULT] (e.g. serverUrl:required=https://call.example);"
          " an empty line ends the list.")
    found: list[Setting] = []
    while True:
        spec = input("setting: ").strip()
        if not spec:
            return found
        try:
            found.append(Setting.parse(spec))
        except NewConnectorError as exc:
            print(f"  {exc}")


def main(argv: list[str] | None = None, interactive: bool | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create a connector extension from the template connector.")
    parser.add_argument("name", help="provider type, folder and package name: one lowercase word (e.g. acmecall)")
    parser.add_argument("--title", help="human-readable title (default: from the name)")
    parser.add_argument("--description", help="one sentence shown on the admin page (default: 'Calls with <title>.')")
    parser.add_argument("--setting", action="append", default=None, metavar="NAME[:required][:secret][=DEFAULT]",
                        help="a setting of the connector (repeatable); read from webconferencing.<name>.NAME")
    parser.add_argument("--no-settings", action="store_true", help="the connector has no settings (do not ask)")
    parser.add_argument("--no-account", action="store_true",
                        help="calls need no IM account: every user gets a button for every other party")
    parser.add_argument("--class-name", help="Python class prefix (default: from the title), e.g. AcmeCall")
    parser.add_argument("--dest", type=Path, default=ROOT / "extensions",
                        help="extensions folder (default: ./extensions)")
    parser.add_argument("--dry-run", action="store_true", help="list the files it would write, write nothing")
    parser.add_argument("--no-input", action="store_true", help="never ask, even on a terminal")
    args = parser.parse_args(argv)
    if interactive is None:
        interactive = sys.stdin.isatty() and sys.stdout.isatty() and not args.no_input  # a person is there
    try:
        Names.of(args.name)  # a bad name is refused before any question
        title = args.title or (ask("Title", Names.of(args.name).title) if interactive else None)
        description = args.description or (ask("Description (one sentence for the admin page)",
                                               f"Calls with {Names.of(args.name, title).title}.")
                                           if interactive else None)
        if args.setting is not None:
            settings = [Setting.parse(spec) for spec in args.setting]
        elif interactive and not args.no_settings:
            settings = ask_settings()
        else:
            settings = []
        made = new_connector(args.name, args.dest, title=title, description=description, settings=settings,
                             class_name=args.class_name, accounts=not args.no_account, dry_run=args.dry_run)
    except NewConnectorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in made.files:
        print(f"{'would write' if args.dry_run else 'wrote'} {path}  ({made.sources[path]})")
    if not args.dry_run:
        print(f"\nConnector '{args.name}' created in {made.target}; restart exo-server to load it.")
        print("Its lines for exo.properties (uncomment what you pin; a required setting without default must be set):\n")
        print("\n".join(made.connector.properties_lines()))
        print(f"\nIts starter test: pytest {made.target / 'tests'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
