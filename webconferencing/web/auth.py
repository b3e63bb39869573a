"""Who is calling: session cookies for browsers, bearer tokens for other clients, CSRF for the cookie case.

Why both: a browser cannot put an ``Authorization`` header on a websocket upgrade, so it needs a cookie; a cookie is
sent by the browser on cross-site requests too, so cookie-authenticated state changes must prove they come from our
own pages (the ``X-CSRF-Token`` header, which a cross-site form cannot set). Bearer tokens are never sent implicitly,
so they need no CSRF token.

The identity of the request is resolved once per request into ``g.user_id`` / ``g.auth_method``; blueprints then ask
:func:`require_user` / :func:`require_admin`.
"""
from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, session, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from webconferencing.errors import AccessDenied, InvalidCallArgument
from webconferencing.limits import MAX_ID_LENGTH, MAX_PASSWORD_LENGTH, check_text

from .context import web_context
from .errors import CsrfRejected, NotAuthenticated
from .safejson import request_json_object
from .throttle import TooManyRequests

REST_BASE = "/portal/rest/webconferencing"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FORM_FIELD = "csrfToken"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

COOKIE = "cookie"
BEARER = "bearer"

bp = Blueprint("auth", __name__)


@dataclass(frozen=True)
class TokenIssuer:
    """Signed, expiring bearer tokens (itsdangerous): stateless, so any worker process can verify them."""

    secret: str
    max_age: int

    def _serializer(self) -> URLSafeTimedSerializer:
        return URLSafeTimedSerializer(self.secret, salt="webconferencing.bearer")

    def issue(self, user_id: str) -> str:
        return self._serializer().dumps({"u": user_id})

    def verify(self, token: str) -> str:
        try:
            payload = self._serializer().loads(token, max_age=self.max_age)
        except SignatureExpired:
            raise NotAuthenticated("Bearer token expired") from None
        except BadSignature:
            raise NotAuthenticated("Bearer token invalid") from None
        user_id = payload.get("u") if isinstance(payload, dict) else None
        if not isinstance(user_id, str) or not user_id:
            raise NotAuthenticated("Bearer token invalid")
        return user_id


def identify_request() -> None:
    """``before_request`` for the whole app: who is this (or nobody)? Never refuses by itself."""
    g.user_id = None
    g.auth_method = None
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        g.user_id = web_context().tokens.verify(header[7:].strip())
        g.auth_method = BEARER
        return
    user_id = session.get("user_id")
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


def _start_session(user_id: str) -> str:
    session.clear()
    session.permanent = True
    session["user_id"] = user_id
    session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


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
    """Only same-site paths: an open redirect after login would be a phishing helper."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return current_app.config["WEBCONFERENCING_HOME"]


# --- pages -----------------------------------------------------------------------------


@bp.get("/portal/login")
def login_page():
    return render_template("login.html", next=_safe_next(request.args.get("next")), error=None)


@bp.post("/portal/login")
def login_form():
    next_path = _safe_next(request.form.get("next"))
    try:
        username, password = _credentials()
        user = _authenticate(username, password)
    except (NotAuthenticated, InvalidCallArgument, TooManyRequests) as exc:
        page = render_template("login.html", next=next_path, error=str(exc),
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
    session.clear()
    return redirect(url_for("auth.login_page"), code=303)


# --- JSON ------------------------------------------------------------------------------


@bp.post(f"{REST_BASE}/auth/login")
def login_json():
    username, password = _credentials()
    user = _authenticate(username, password)
    token = _start_session(user.id)
    return jsonify({"user": user.to_json(), "csrfToken": token})


@bp.post(f"{REST_BASE}/auth/logout")
def logout_json():
    require_user()
    check_csrf()
    session.clear()
    return "", 204


@bp.post(f"{REST_BASE}/auth/token")
def issue_token():
    username, password = _credentials()
    user = _authenticate(username, password)
    ctx = web_context()
    return jsonify({"token": ctx.tokens.issue(user.id), "tokenType": "Bearer", "expiresIn": ctx.tokens.max_age})
