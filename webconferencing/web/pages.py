"""Portal stand-in pages: the places where the original add-on put call buttons (people, profiles, spaces, chat
rooms), the admin page, and the frame of call pages.

Every page is server-rendered and ends with the same browser set-up the original's portlets made: the
``webConferencing`` module, ``webConferencing.init(user, context)`` with the server's ContextInfo (read by
``boot.js`` from a JSON data block: pages run no inline script, see :mod:`.headers`), then every connector module
and stylesheet the extensions declare (:mod:`.resources`). Connector modules register their providers themselves
(``addProvider`` + ``update``); the core fills each ``.webconferencing-call`` container.

Connectors' call pages use :func:`render_call_page` with a template extending ``portal/call.html``, so the module
initialises there too.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from flask import (Blueprint, Flask, abort, current_app, flash, g, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _, lazy_gettext as _l, refresh as refresh_language

from webconferencing.errors import AccessDenied
from webconferencing.identity import USER_STATUSES
from webconferencing.info import UserInfo
from webconferencing.limits import has_control

from .auth import check_csrf, csrf_token
from .context import web_context
from .i18n import LANGUAGE_NAMES, SUPPORTED_LANGUAGES
from .resources import PageResources, URL_PREFIX
from .space_view import space_settings_view

HOME = "/portal/people"
RESOURCES = "webconferencing.page_resources"
IM_FIELD_PREFIX = "im_"
IM_ID_MAX = 200
STATUS_LABELS = {"available": _l("Available"), "away": _l("Away"), "donotdisturb": _l("Do not disturb"),
                 "offline": _l("Offline")}
LANGUAGE_FIELD = "language"
# The core webConferencing module, one plain script per concept (no bundler), in load order: each part uses only
# the parts before it; api.js builds the public `window.webConferencing`.
CORE_SCRIPTS = tuple(f"js/webconferencing/{name}.js" for name in (
    "util", "i18n", "error-texts", "session", "dialogs", "log", "transport", "rest", "providers", "buttons",
    "connector-helpers", "api", "call-in-progress",
))

bp = Blueprint("portal", __name__)


def install(app: Flask, extension_folders: Iterable[Path]) -> None:
    """Read the extensions' resource declarations once, at app creation (a bad declaration fails the start)."""
    app.extensions[RESOURCES] = PageResources.from_folders(extension_folders)


def page_resources() -> PageResources:
    resources = current_app.extensions.get(RESOURCES)
    if resources is None:
        resources = PageResources([])
        current_app.extensions[RESOURCES] = resources
    return resources


# --- the browser set-up every page shares ------------------------------------------------


def providers_config() -> list[dict[str, Any]]:
    """Every registered provider as the browser module sees it: its settings for ``configure()``, whether an admin
    switched it on, and whether its client log goes to the server."""
    return [
        {**provider.get_settings(), "active": provider.is_active(), "logEnabled": provider.is_log_enabled()}
        for provider in web_context().service.get_providers()
    ]


def client_context(user: UserInfo, *, space_id: str | None = None, room_id: str | None = None) -> dict[str, Any]:
    """The ContextInfo JSON for ``webConferencing.init()``, with every provider's state and the CSRF token."""
    context = web_context().service.get_context(user.id, space_id=space_id, room_id=room_id).to_json()
    context["providersConfig"] = providers_config()
    context["csrfToken"] = csrf_token()
    return context


def page_setup(user: UserInfo, *, space_id: str | None = None, room_id: str | None = None,
               with_inactive: bool = False) -> dict[str, Any]:
    """Template variables for the module, its init arguments and the connectors' scripts and styles."""
    resources = page_resources()
    active = {p.get_type(): p.is_active() for p in web_context().service.get_providers()}
    return {
        "wc_core_scripts": CORE_SCRIPTS,
        "wc_user": user.to_json(),
        "wc_context": client_context(user, space_id=space_id, room_id=room_id),
        "wc_scripts": [m.url for m in resources.scripts(active, with_inactive=with_inactive)],
        "wc_styles": [s.url for s in resources.skins()],
    }


def current_user() -> UserInfo | None:
    user_id = g.get("user_id")
    if not user_id:
        return None
    return web_context().identities.get_user(user_id)


def render_portal(template: str, user: UserInfo, *, space_id: str | None = None, room_id: str | None = None,
                  with_inactive: bool = False, **values: Any) -> str:
    return render_template(
        template,
        user=user,
        is_admin=user.is_admin,
        statuses=USER_STATUSES,
        status_labels=STATUS_LABELS,
        **page_setup(user, space_id=space_id, room_id=room_id, with_inactive=with_inactive),
        **values,
    )


def render_call_page(template: str, **values: Any) -> str:
    """For connectors' call pages: render ``template`` (extending ``portal/call.html``) with the module set up for
    the signed-in user (401 when nobody is signed in: a call window is only ever opened from a portal page)."""
    user = current_user()
    if user is None:
        abort(401)
    return render_template(template, user=user, **page_setup(user), **values)


@bp.before_request
def require_page_user():
    """Pages send the anonymous to the login form (REST answers 401 instead)."""
    if request.endpoint == "portal.extension_file":
        return None
    if current_user() is None:
        return redirect(url_for("auth.login_page", next=request.full_path.rstrip("?")), code=303)
    return None


# --- pages -------------------------------------------------------------------------------


@bp.get("/")
@bp.get("/portal")
@bp.get("/portal/")
def home():
    return redirect(HOME)


@bp.get("/portal/people")
def people():
    user = current_user()
    users = sorted(web_context().identities.list_users(), key=lambda u: (u.last_name.lower(), u.first_name.lower()))
    return render_portal("portal/people.html", user, people=users, section="people")


def render_profile(user: UserInfo, person: UserInfo, *, im_values: dict[str, str] | None = None,
                   im_errors: dict[str, str] | None = None, language_error: str | None = None) -> str:
    """A profile page; for a refused form, ``im_values`` (what the user typed) and the errors by field name."""
    return render_portal("portal/profile.html", user, person=person, im_types=web_context().identities.get_im_types(),
                         section="people", own=person.id == user.id, language_names=LANGUAGE_NAMES,
                         im_values=im_values or {}, im_errors=im_errors or {}, language_error=language_error)


@bp.get("/portal/profile/<user_id>")
def profile(user_id: str):
    user = current_user()
    person = web_context().identities.get_user(user_id)
    if person is None:
        abort(404)
    return render_profile(user, person)


def _own_profile(user_id: str, what: str) -> UserInfo:
    """The signed-in user, when ``user_id`` is theirs: nobody edits another's profile (CSRF checked first)."""
    user = current_user()
    check_csrf()
    if user_id != user.id:
        raise AccessDenied(f"User {user.id} cannot edit the {what} of {user_id}")
    return user


@bp.post("/portal/profile/<user_id>/language")
def save_language(user_id: str):
    """The language of the user's pages: one of SUPPORTED_LANGUAGES, or empty for the browser's."""
    user = _own_profile(user_id, "language")
    value = request.form.get(LANGUAGE_FIELD, "").strip()
    if value and value not in SUPPORTED_LANGUAGES:
        return render_profile(user, user, language_error=_("Choose one of the languages of the list.")), 400
    web_context().identities.set_user_language(user.id, value or None)
    refresh_language()  # this request's flash message in the language just chosen
    flash(_("Language saved"))
    return redirect(url_for("portal.profile", user_id=user.id), code=303)


@bp.post("/portal/profile/<user_id>/ims")
def save_ims(user_id: str):
    """Only the user edits their own IM accounts; an empty field removes that account. A refused value stores
    nothing: the form comes back with what was typed and the error next to the field (400)."""
    user = _own_profile(user_id, "IM accounts")
    identities = web_context().identities
    im_types = identities.get_im_types()
    changes: dict[str, str] = {}
    typed: dict[str, str] = {}
    errors: dict[str, str] = {}
    for im_type in im_types:
        field = IM_FIELD_PREFIX + im_type
        value = request.form.get(field)
        if value is None:
            continue
        typed[field] = value
        value = value.strip()
        # has_control: a NUL is not whitespace, and PostgreSQL answers one with an error (a 500)
        if len(value) > IM_ID_MAX or any(ch.isspace() for ch in value) or has_control(value):
            errors[field] = _("One word, without spaces or control characters, of at most %(max)d characters.",
                              max=IM_ID_MAX)
        changes[im_type] = value
    if errors:
        return render_profile(user, user, im_values=typed, im_errors=errors), 400
    for im_type, value in changes.items():
        current = user.get_im_account(im_type)
        if value and (current is None or current.id != value):
            identities.set_im_account(user.id, im_type, value)
        elif not value and current is not None:
            identities.remove_im_account(user.id, im_type)
    flash(_("IM accounts saved"))
    return redirect(url_for("portal.profile", user_id=user.id), code=303)


@bp.get("/portal/spaces")
def spaces():
    user = current_user()
    found = sorted(web_context().identities.list_spaces(), key=lambda s: s.title.lower())
    return render_portal("portal/spaces.html", user, spaces=found, section="spaces")


@bp.get("/portal/spaces/<pretty_name>")
def space(pretty_name: str):
    user = current_user()
    found = web_context().identities.get_space(pretty_name)
    if found is None:
        abort(404)
    member = found.is_member(user.id)
    return render_portal("portal/space.html", user, space_id=found.pretty_name if member else None, space=found,
                         member=member, section="spaces",
                         space_settings=space_settings_view(user, found))  # issue 12 (space_view.py)


@bp.get("/portal/rooms")
def rooms():
    user = current_user()
    found = [r for r in web_context().identities.list_rooms() if r.is_member(user.id)]  # only rooms one can open
    found.sort(key=lambda r: r.title.lower())
    return render_portal("portal/rooms.html", user, rooms=found, section="rooms")


@bp.get("/portal/rooms/<room_id>")
def room(room_id: str):
    user = current_user()
    found = web_context().identities.get_room(room_id)
    if found is None:
        abort(404)
    if not found.is_member(user.id):
        raise AccessDenied(f"User {user.id} is not a member of room {room_id}")
    return render_portal("portal/room.html", user, room_id=found.id, room=found, section="rooms")


@bp.get("/portal/admin")
def admin():
    user = current_user()
    if not user.is_admin:
        raise AccessDenied(f"User {user.id} is not an administrator")
    return render_portal("portal/admin.html", user, providers=providers_config(), section="admin",
                         with_inactive=True, problems=web_context().configuration_problems)


# --- extension web content ---------------------------------------------------------------


@bp.get(f"{URL_PREFIX}/<extension>/<path:path>")
def extension_file(extension: str, path: str):
    """Files of an extension's web root (``<extension>/static/``): its declared scripts, styles and assets."""
    file = page_resources().static_file(extension, path)
    if file is None:
        abort(404)
    return send_file(file, max_age=0 if current_app.debug else 300)

