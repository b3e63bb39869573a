"""The language of the server's pages (issue 11): Flask-Babel with English and French catalogues.

The language of a request is the signed-in user's profile setting when they chose one, else the best match of the
browser's ``Accept-Language`` among :data:`SUPPORTED_LANGUAGES`, else English. :func:`current_language` tells it to
anything serving a request (templates get it as ``current_language`` for ``<html lang>``; the JS message catalogue
picks its bundle with it).

What is translated: what people read on pages (templates, flash messages, form errors, the error pages' texts).
What stays English on purpose: REST bodies' and websocket frames' ``message`` fields and log lines. Those are for
developers and operators, who search for them and compare them across installations; the browser module shows its
own translated texts, not the server's messages.

Catalogues live in ``webconferencing/translations/<lang>/LC_MESSAGES/messages.po`` with their compiled ``.mo``
committed beside them (a test fails when a ``.mo`` no longer matches its ``.po``), so an installed package needs no
build step. ``babel.cfg`` at the repository root says what ``pybabel extract`` reads.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g, has_request_context, request
from flask_babel import Babel, get_locale

from webconferencing.storage import is_unavailable

from .context import web_context

SUPPORTED_LANGUAGES: tuple[str, ...] = ("en", "fr")
DEFAULT_LANGUAGE = "en"
#: what a profile offers, in its own language: a language is named as its speakers name it
LANGUAGE_NAMES: dict[str, str] = {"en": "English", "fr": "Français"}
TRANSLATIONS = Path(__file__).resolve().parent.parent / "translations"
#: an Accept-Language header longer than this is not a browser's: it is ignored rather than parsed
MAX_ACCEPT_LANGUAGE = 1024


def profile_language() -> str | None:
    """The signed-in user's chosen language, or None (nobody signed in, a guest, or "automatic")."""
    user_id = g.get("user_id")
    if not user_id:
        return None
    try:
        user = web_context().identities.get_user(user_id)
    except Exception as exc:  # the 503 page while the database is down must still render (in the browser's language)
        if is_unavailable(exc):
            return None
        raise
    language = getattr(user, "language", None) if user is not None else None
    return language if language in SUPPORTED_LANGUAGES else None


def browser_language() -> str | None:
    """The best supported match of ``Accept-Language`` (``fr-CA`` gives ``fr``), or None."""
    header = request.headers.get("Accept-Language", "")
    if not header or len(header) > MAX_ACCEPT_LANGUAGE:
        return None
    return request.accept_languages.best_match(SUPPORTED_LANGUAGES)


def select_language() -> str:
    """Flask-Babel's locale selector."""
    return profile_language() or browser_language() or DEFAULT_LANGUAGE


def current_language() -> str:
    """``"en"`` or ``"fr"``: the language of the current request's pages (English outside a request)."""
    if not has_request_context():
        return DEFAULT_LANGUAGE
    locale = get_locale()
    language = locale.language if locale is not None else DEFAULT_LANGUAGE
    return language if language in SUPPORTED_LANGUAGES else DEFAULT_LANGUAGE


def install(app: Flask) -> None:
    """Flask-Babel on ``app`` with the project's catalogues, and ``current_language`` for every template."""
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT_LANGUAGE)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(TRANSLATIONS)
    Babel(app, locale_selector=select_language)
    app.jinja_env.policies["ext.i18n.trimmed"] = True  # a {% trans %} block's msgid without its line breaks
    app.context_processor(lambda: {"current_language": current_language(),
                                   "supported_languages": SUPPORTED_LANGUAGES})
