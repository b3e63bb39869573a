"""Who is calling: session cookies for browsers, bearer tokens for other clients, CSRF for the cookie case.

Why both: a browser cannot put an ``Authorization`` header on a websocket upgrade, so it needs a cookie; a cookie is
sent by the browser on cross-site requests too, so cookie-authenticated state changes must prove they come from our
own pages (the ``X-CSRF-Token`` header, which a cross-site form cannot set). Bearer tokens are never sent implicitly,
so they need no CSRF token.

Both are opaque ids of server-side sessions (:mod:`.sessions`): logging out ends them for good, in every worker.

A login is itself a state change a cross-site page could forge (log the victim in as the attacker, who then reads
what the victim types): logins check ``Origin`` (:func:`check_login_origin`).

The identity of the request is resolved once per request into ``g.user_id`` / ``g.auth_method``; blueprints then ask
:func:`require_user` / :func:`require_admin`.
"""
from __future__ import annotations

import hmac
import secrets
import unicodedata
from typing import Callable
from urllib.parse import unquote, urlsplit

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from webconferencing.calls.guests import is_guest
from webconferencing.errors import AccessDenied, InvalidCallArgument
from webconferencing.limits import MAX_ID_LENGTH, MAX_PASSWORD_LENGTH, check_text

from .context import web_context
from .errors import CsrfRejected, NotAuthenticated
from .sessions import BEARER as BEARER_SESSION, COOKIE as COOKIE_SESSION, ServerSession
from .safejson import request_json_object
from .throttle import TooManyRequests

REST_BASE = "/portal/rest/webconferencing"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrfToken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

COOKIE = "cookie"
BEARER = "bearer"

bp = Blueprint("auth", __name__)


def identify_request() -> None:
    """``before_request`` for the whole app: who is this (or nobody)? Never refuses by itself."""
    g.user_id = None
    g.auth_method = None
    g.bearer_token = None
    g.guest_id = None  # issue 12: a guest session is no user session (see guest_sessions.py)
    unavailable = getattr(session, "unavailable", None)
    if unavailable is not None:
        raise unavailable  # the session store (the database) could not be asked: errors.py answers 503
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        token = header[7:].strip()
        stored = web_context().sessions.resolve(token, BEARER_SESSION)
        if stored is None:
            raise NotAuthenticated("Bearer token invalid, expired or revoked")
        g.user_id = stored.user_id
        g.auth_method = BEARER
        g.bearer_token = token
        return
    user_id = session.get("user_id")
    if isinstance(user_id, str) and is_guest(user_id):
        g.guest_id = user_id  # reaches its call's page and websocket only: require_user() refuses it everywhere else
        return
    if isinstance(user_id, str) and user_id:
        g.user_id = user_id
        g.auth_method = COOKIE


def require_user() -> str:
    if not g.get("user_id"):
        raise NotAuthenticated("Authentication required")
    return g.user_id


def require_admin() -> str:
    user_id = require_user()
    if not web_context().service.is_admin(user_id):
        raise AccessDenied(f"User {user_id} is not an administrator")
    return user_id


def check_csrf() -> None:
    """Cookie-authenticated, state-changing request: the session's token must come back in the header (or form)."""
    if request.method in SAFE_METHODS or g.get("auth_method") != COOKIE:
        return
    expected = session.get("csrf")
    given = request.headers.get(CSRF_HEADER) or request.form.get(CSRF_FORM_FIELD) or ""
    if not expected or not hmac.compare_digest(str(expected), given):
        raise CsrfRejected(f"Missing or wrong {CSRF_HEADER} header")


def csrf_token() -> str | None:
    """The current session's CSRF token (pages put it in a meta tag; ``GET context`` returns it)."""
    return session.get("csrf")


def check_same_origin() -> None:
    """A cookie-authenticated websocket upgrade must come from our own origin (browsers send ``Origin`` on upgrades;
    CSRF headers cannot be set there, so this is the websocket's CSRF check)."""
    if g.get("auth_method") != COOKIE:
        return
    origin = request.headers.get("Origin")
    if origin is None:
        return  # not a browser: it could not have been tricked into sending the cookie
    if urlsplit(origin).netloc.lower() != request.host.lower():
        raise AccessDenied(f"Cross-origin websocket from {origin} refused")


def still_signed_in() -> Callable[[], bool]:
    """For a connection that outlives its request (a websocket): whether the session or bearer token it was opened
    with is still alive (not logged out, not expired). Each call counts as activity."""
    sessions = web_context().sessions
    if g.get("auth_method") == BEARER:
        token, kind = g.bearer_token, BEARER_SESSION
    else:
        token, kind = getattr(session, "token", None), COOKIE_SESSION
    return lambda: sessions.resolve(token, kind) is not None


def session_token() -> str | None:
    """The session id or bearer token this request is authenticated by (a websocket is held under it, see
    session_sockets), or None."""
    if g.get("auth_method") == BEARER:
        return g.bearer_token
    return getattr(session, "token", None)


def _start_session(user_id: str) -> str:
    """A new session with a new id: the one the browser brought (perhaps planted by someone else: session fixation)
    is ended, never promoted."""
    current: ServerSession = session  # type: ignore[assignment]
    current.end()
    current["user_id"] = user_id
    current["csrf"] = secrets.token_urlsafe(32)
    return current["csrf"]


def _end_session() -> None:
    current: ServerSession = session  # type: ignore[assignment]
    current.end()


def check_login_origin(*, browser_form: bool) -> None:
    """Login CSRF: a login must come from our own pages. Browsers send ``Origin`` on every cross-site POST (``null``
    from sandboxed or privacy-stripped contexts, which is refused too), so a foreign or null ``Origin`` is refused.

    Without ``Origin``: the sign-in form (only ever posted by a browser) falls back to ``Referer`` and refuses a
    request that has neither. The JSON endpoints (``auth/login``, ``auth/token``) accept a JSON body with neither
    header: only a non-browser client (a script holding the password itself, with nobody to trick) sends that, since
    a page of another site cannot post JSON here without a CORS preflight, which is never granted. A form-encoded
    body with neither header is what a cross-site form in an old browser (no ``Origin`` on POST, ``Referer``
    suppressed) would send: refused."""
    origin = request.headers.get("Origin")
    if origin is not None:
        if not _same_site(origin):
            raise AccessDenied(f"Sign-in refused: the request came from another site ({origin[:100]}). "
                               f"Open this server's sign-in page and sign in there.")
        return
    referer = request.headers.get("Referer")
    if referer is not None:
        if not _same_site(referer):
            raise AccessDenied("Sign-in refused: the request came from another site. "
                               "Open this server's sign-in page and sign in there.")
        return
    if browser_form or not request.is_json:
        raise AccessDenied("Sign-in refused: the request did not say which page it came from (no Origin or "
                           "Referer header). Open this server's sign-in page and sign in there; other clients "
                           "send a JSON body.")


def _same_site(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and parts.netloc.lower() == request.host.lower()


def _credentials() -> tuple[str, str]:
    source = request_json_object() if request.is_json else request.form  # safejson: deep nesting is a 400
    username, password = source.get("username"), source.get("password")
    if not isinstance(username, str) or not username.strip():
        raise InvalidCallArgument("Field 'username' is required")
    if not isinstance(password, str) or not password:
        raise InvalidCallArgument("Field 'password' is required")
    if len(password) > MAX_PASSWORD_LENGTH:  # hashing cost grows with it
        raise InvalidCallArgument(f"Field 'password' is longer than {MAX_PASSWORD_LENGTH} characters", field="password")
    # capped before the throttle counts anything: a megabyte name must not become a megabyte key
    return check_text(username.strip(), "username", MAX_ID_LENGTH), password


def _authenticate(username: str, password: str):
    """Check the password unless this name or address failed too often lately (:mod:`.throttle`)."""
    ctx = web_context()
    ctx.login_throttle.check(username, request.remote_addr)
    user = ctx.identities.authenticate(username, password)
    if user is None:
        ctx.login_throttle.failed(username, request.remote_addr)
        raise NotAuthenticated("Wrong user name or password")
    ctx.login_throttle.succeeded(username)
    return user


def _safe_next(target: str | None) -> str:
    """Only same-site paths: an open redirect after login would be a phishing helper.

    Browsers drop tabs and newlines inside a URL and read a backslash as ``/``, so ``/<TAB>/evil.example`` becomes
    ``//evil.example``, another host: a target with a control or white-space character (also once
    percent-decoded), a backslash, or anything but a single leading ``/`` falls back to the home page."""
    home = current_app.config["WEBCONFERENCING_HOME"]
    if not target or not target.startswith("/"):
        return home
    for text in (target, unquote(target)):
        if "\\" in text or text.startswith("//") or any(_unsafe_char(ch) for ch in text):
            return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return home
    return target


def _unsafe_char(ch: str) -> bool:
    return ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")


# --- pages -----------------------------------------------------------------------------


def sign_in_error(exc: Exception) -> str:
    """What the sign-in form says about a refusal, in the page's language (JSON answers keep the English message)."""
    if isinstance(exc, TooManyRequests):
        return _("Too many failed logins: try again later")
    if isinstance(exc, NotAuthenticated):
        return _("Wrong user name or password")
    if isinstance(exc, AccessDenied):
        return _("Sign-in refused: the request came from another site. Open this server's sign-in page and sign "
                 "in there.")
    if getattr(exc, "field", None) == "password":
        return _("The password is longer than %(max)d characters", max=MAX_PASSWORD_LENGTH)
    if getattr(exc, "field", None) == "username":
        return _("This user name is not valid")
    return _("Enter your user name and password")


@bp.get("/portal/login")
def login_page():
    return render_template("login.html", next=_safe_next(request.args.get("next")), error=None)


@bp.post("/portal/login")
def login_form():
    next_path = _safe_next(request.form.get("next"))
    try:
        check_login_origin(browser_form=True)
    except AccessDenied as exc:
        return render_template("login.html", next=next_path, error=sign_in_error(exc), username=""), exc.status
    try:
        username, password = _credentials()
        user = _authenticate(username, password)
    except (NotAuthenticated, InvalidCallArgument, TooManyRequests) as exc:
        page = render_template("login.html", next=next_path, error=sign_in_error(exc),
                               username=request.form.get("username", ""))
        if isinstance(exc, TooManyRequests):
            return page, exc.status, {"Retry-After": str(exc.retry_after)}
        return page, 401 if isinstance(exc, NotAuthenticated) else 400
    _start_session(user.id)
    return redirect(next_path, code=303)


@bp.post("/portal/logout")
def logout_form():
    if g.get("user_id"):
        check_csrf()
    _end_session()
    return redirect(url_for("auth.login_page"), code=303)


# --- JSON ------------------------------------------------------------------------------


@bp.post(f"{REST_BASE}/auth/login")
def login_json():
    check_login_origin(browser_form=False)
    username, password = _credentials()
    user = _authenticate(username, password)
    token = _start_session(user.id)
    return jsonify({"user": user.to_json(), "csrfToken": token})


@bp.post(f"{REST_BASE}/auth/logout")
def logout_json():
    """Ends what authenticated this request: the browser's session, or the bearer token (which is then revoked)."""
    require_user()
    check_csrf()
    if g.auth_method == BEARER:
        web_context().sessions.end(g.bearer_token)
        web_context().session_sockets.ended(g.bearer_token)  # its websockets close now, not at their next ping
    else:
        _end_session()
    return "", 204


@bp.post(f"{REST_BASE}/auth/token")
def issue_token():
    check_login_origin(browser_form=False)
    username, password = _credentials()
    user = _authenticate(username, password)
    sessions = web_context().sessions
    return jsonify({"token": sessions.open(user.id, BEARER_SESSION), "tokenType": "Bearer",
                    "expiresIn": int(sessions.token_seconds)})
