"""Attacks on signing in: open redirects after login, login CSRF, user enumeration by timing, shared password salts.

The redirect and Origin tests drive a real ``exo-server`` on loopback; the password-hash tests boot the identity
directory alone on a real SQLite file (what they check, which hash a login verifies and what seeding stores, is not
visible over HTTP)."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests
from werkzeug.security import check_password_hash, generate_password_hash

import webconferencing.identity.database as directory_module
from exo_container import boot
from webconferencing.identity import IdentityDirectory
from webconferencing.storage.models import UserRecord
from tests.web.harness import PASSWORD, REST, Server

HOME = "/portal/people"
HASH_METHOD = "pbkdf2:sha256:1000"  # cheap for the test; what matters is that it is the configured one
DIRECTORY_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<configuration xmlns="http://www.exoplatform.org/xml/ns/kernel_1_3.xsd">
  <component>
    <key>webconferencing.storage.Database</key>
    <type>webconferencing.storage.Database</type>
    <init-params><value-param><name>url</name><value>${{test.db.url}}</value></value-param></init-params>
  </component>
  <component>
    <key>webconferencing.identity.IdentityDirectory</key>
    <type>webconferencing.identity.database.DatabaseIdentityDirectory</type>
    <init-params>
      <value-param><name>data-file</name><value>classpath:webconferencing/data/demo-org.json</value></value-param>
      <value-param><name>password-hash-method</name><value>{HASH_METHOD}</value></value-param>
      <value-param><name>cache-seconds</name><value>0</value></value-param>
    </init-params>
  </component>
</configuration>
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("login-server")).start()
    yield srv
    srv.stop()


def form_login(server: Server, *, next_path: str | None = None, headers: dict | None = None,
               username: str = "mary") -> requests.Response:
    data = {"username": username, "password": PASSWORD}
    if next_path is not None:
        data["next"] = next_path
    return requests.post(f"{server.base}/portal/login", data=data, headers=headers or {"Origin": server.base},
                         allow_redirects=False, timeout=5)


# --- open redirect -------------------------------------------------------------------------


def test_a_next_with_a_tab_after_the_slash_leads_home_not_to_another_host(server):
    """``/%09/evil.example``: browsers drop the tab and read ``//evil.example``, a host of the attacker's."""
    page = requests.get(f"{server.base}/portal/login", params={"next": "/\t/evil.example"}, timeout=5)
    signed_in = form_login(server, next_path="/\t/evil.example")

    assert 'value="/\t/evil.example"' not in page.text and f'value="{HOME}"' in page.text
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == HOME


def test_a_next_with_cr_lf_leads_home_instead_of_a_server_error(server):
    signed_in = form_login(server, next_path="/portal\r\nSet-Cookie: planted=1")

    assert signed_in.status_code == 303 and signed_in.headers["Location"] == HOME
    assert "planted" not in signed_in.headers.get("Set-Cookie", "")


def test_a_next_hiding_a_control_character_behind_percent_encoding_leads_home(server):
    """``/%2509/evil.example`` reaches the server as ``/%09/evil.example``: refused as well once decoded, rather than
    trusting every later step (proxy, browser) never to decode it."""
    signed_in = form_login(server, next_path="/%09/evil.example")

    assert signed_in.status_code == 303 and signed_in.headers["Location"] == HOME


# --- login CSRF ----------------------------------------------------------------------------


def test_the_sign_in_form_posted_from_another_site_is_refused_with_a_clear_message(server):
    forged = form_login(server, headers={"Origin": "http://evil.example"})
    own = form_login(server, headers={"Origin": server.base})

    assert forged.status_code == 403 and "Set-Cookie" not in forged.headers
    assert "came from another site" in forged.text
    assert own.status_code == 303 and "exo_webconf_session" in own.headers["Set-Cookie"]


def test_the_sign_in_form_without_origin_needs_a_referer_of_this_site(server):
    bare = form_login(server, headers={"User-Agent": "test"})
    foreign_referer = form_login(server, headers={"Referer": "http://evil.example/page"})
    own_referer = form_login(server, headers={"Referer": f"{server.base}/portal/login"})

    assert bare.status_code == 403 and "Set-Cookie" not in bare.headers
    assert foreign_referer.status_code == 403
    assert own_referer.status_code == 303


def test_the_sign_in_form_with_a_null_origin_is_refused(server):
    """Sandboxed frames and privacy-stripped redirects send ``Origin: null``: never a page of ours."""
    assert form_login(server, headers={"Origin": "null"}).status_code == 403


def test_a_cross_site_post_to_the_json_login_is_refused(server):
    """A cross-site HTML form can post ``application/x-www-form-urlencoded`` to ``auth/login`` (no preflight)."""
    forged = requests.post(f"{server.base}{REST}/auth/login", data={"username": "mary", "password": PASSWORD},
                           headers={"Origin": "http://evil.example"}, timeout=5)
    script = requests.post(f"{server.base}{REST}/auth/login", json={"username": "mary", "password": PASSWORD},
                           timeout=5)  # no Origin: a non-browser client, accepted

    assert forged.status_code == 403 and forged.json()["code"] == "FORBIDDEN_ERROR"
    assert "Set-Cookie" not in forged.headers
    assert script.status_code == 200


def test_a_form_encoded_json_login_without_origin_or_referer_is_refused(server):
    """What a cross-site form sends from a browser that omits ``Origin`` on POST with its ``Referer`` suppressed;
    non-browser clients send JSON, which a foreign page cannot post here without a CORS preflight."""
    bare_form = requests.post(f"{server.base}{REST}/auth/login", data={"username": "mary", "password": PASSWORD},
                              timeout=5)
    bare_json = requests.post(f"{server.base}{REST}/auth/login", json={"username": "mary", "password": PASSWORD},
                              timeout=5)

    assert bare_form.status_code == 403 and "Set-Cookie" not in bare_form.headers
    assert bare_json.status_code == 200


def test_a_cross_site_post_for_a_bearer_token_is_refused(server):
    forged = requests.post(f"{server.base}{REST}/auth/token", data={"username": "mary", "password": PASSWORD},
                           headers={"Origin": "http://evil.example"}, timeout=5)

    assert forged.status_code == 403 and "token" not in forged.json()


# --- password hashes -------------------------------------------------------------------------


@pytest.fixture
def directory(tmp_path: Path):
    configuration = tmp_path / "configuration.xml"
    configuration.write_text(DIRECTORY_XML, encoding="utf-8")
    container = boot(configuration, system_properties={"test.db.url": f"sqlite:///{tmp_path / 'wc.db'}"},
                     extensions_dirs=[])
    yield container.get_component_instance_of_type(IdentityDirectory)
    container.dispose()


@pytest.fixture
def verified_hashes(monkeypatch) -> list[str]:
    """The hashes the directory verifies passwords against (the real werkzeug check still runs)."""
    seen: list[str] = []

    def recording_check(pwhash: str, password: str) -> bool:
        seen.append(pwhash)
        return check_password_hash(pwhash, password)

    monkeypatch.setattr(directory_module, "check_password_hash", recording_check)
    return seen


def test_an_unknown_user_name_costs_a_password_check_like_a_known_one(directory, verified_hashes):
    """The login time must not tell which names exist: an unknown name is checked against a dummy hash made with the
    configured method (same cost), not answered at once."""
    assert directory.authenticate("nobody-by-that-name", "guess") is None

    assert len(verified_hashes) == 1
    assert verified_hashes[0].startswith(f"{HASH_METHOD}$")
    assert not check_password_hash(verified_hashes[0], "guess")


def test_demo_users_sharing_a_password_each_get_their_own_salt(directory):
    hashes = {user_id: password_hash for user_id, password_hash
              in UserRecord.select(UserRecord.id, UserRecord.password_hash).tuples()}

    assert len(hashes) > 1 and len(set(hashes.values())) == len(hashes)
    assert all(check_password_hash(h, PASSWORD) for h in hashes.values())


def test_a_user_of_a_directory_seeded_with_one_shared_hash_gets_their_own_at_login(directory):
    """Directories seeded by older versions stored one hash for every demo user: logins keep working, and re-salt."""
    shared = generate_password_hash(PASSWORD, method=HASH_METHOD)
    UserRecord.update(password_hash=shared).execute()

    assert directory.authenticate("mary", PASSWORD) is not None

    mary = UserRecord.get_by_id("mary").password_hash
    assert mary != shared and check_password_hash(mary, PASSWORD)
    assert UserRecord.get_by_id("john").password_hash == shared
    assert directory.authenticate("john", PASSWORD) is not None
