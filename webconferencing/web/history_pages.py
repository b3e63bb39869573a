"""The call history on the web (issue 11): ``GET history?limit=&before=`` (REST), the portal's Calls page
(``/portal/calls``) and the missed-calls badge every portal page shows in its top bar.

The badge's count is rendered with the page (``missed_calls_count()`` in templates) and moved on live by
``js/portal/missed-calls.js`` from ``call_missed`` on the user channel. Opening the Calls page is "seen": the
server stores the time, so the badge is the same on every tab and device.
"""
from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from webconferencing.callhistory import DEFAULT_PAGE, MAX_PAGE, CallHistory
from webconferencing.calls.guests import is_guest
from webconferencing.errors import InvalidCallArgument
from webconferencing.limits import check_text

from . import pages
from .auth import REST_BASE, check_csrf, require_user
from .context import web_context

CALLS_PAGE_SIZE = 50

rest_bp = Blueprint("history_rest", __name__, url_prefix=REST_BASE)
page_bp = Blueprint("history_pages", __name__)
BLUEPRINTS = (rest_bp, page_bp)


def _history() -> CallHistory:
    return CallHistory(web_context().service)


@rest_bp.before_request
def authenticate() -> None:
    require_user()
    check_csrf()


def _limit(default: int) -> int:
    text = request.args.get("limit", "")
    if not text:
        return default
    if not text.isdigit() or not 1 <= int(text) <= MAX_PAGE:
        raise InvalidCallArgument(f"Field 'limit' must be a whole number from 1 to {MAX_PAGE}", field="limit")
    return int(text)


def _before() -> str | None:
    return check_text(request.args.get("before", ""), "before", 64) or None


@rest_bp.get("/history")
def get_history():
    return jsonify(_history().page(g.user_id, _limit(DEFAULT_PAGE), _before()).to_json())


@rest_bp.get("/history/missed")
def get_missed_count():
    """The badge's count, for a tab that reloads what it shows after missing events (a restarted server)."""
    return jsonify({"count": _history().missed_count(g.user_id)})


page_bp.before_request(pages.require_page_user)


@page_bp.app_context_processor
def top_bar() -> dict:
    """For the top bar: ``missed_calls_count()`` (asked only by templates that show the badge), and whether the
    visitor is a portal user (error pages show them the sections; a guest or the anonymous get none)."""
    user_id = g.get("user_id")

    def missed_calls_count() -> int:
        return _history().missed_count(user_id) if user_id else 0
    return {"missed_calls_count": missed_calls_count, "portal_user": bool(user_id) and not is_guest(user_id)}


@page_bp.get("/portal/calls")
def calls():
    user = pages.current_user()
    history = _history()
    page = history.page(user.id, _limit(CALLS_PAGE_SIZE), _before())
    history.mark_seen(user.id)
    identities = web_context().identities
    rooms = {}
    for entry in page.entries:
        if entry["owner"]["type"] == "chat_room" and entry["owner"]["id"] not in rooms:
            rooms[entry["owner"]["id"]] = identities.get_room(entry["owner"]["id"])
    return pages.render_portal("portal/calls.html", user, calls=page.entries, next_before=page.next_before,
                               rooms=rooms, section="calls", page_script="js/portal/calls.js")
