"""The OpenAPI path and schemas of the call history (issue 11), merged into :mod:`.openapi`'s document."""
from __future__ import annotations

from typing import Any

from .openapi import NULLABLE_STRING, _json, _object, _operation, _query, _ref

HISTORY_SCHEMAS: dict[str, Any] = {
    "HistoryEntry": _object({
        "callId": {"type": "string"}, "providerType": {"type": "string"},
        "providerActive": {"type": "boolean", "description": "whether the provider can place a call now (Call back)"},
        "title": {"type": "string"},
        "owner": _object({"id": {"type": "string"}, "type": {"enum": ["user", "space", "chat_room"]},
                          "title": {"type": "string"}}),
        "direction": {"enum": ["incoming", "outgoing"]},
        "outcome": {"enum": ["answered", "missed", "declined", "cancelled"]},
        "startedAt": {"type": "string", "format": "date-time"},
        "endedAt": {"type": "string", "format": "date-time"},
        "durationSeconds": {"type": "integer", "minimum": 0, "description": "from the answer to the end; 0 when "
                                                                            "not answered"},
        "parties": {"type": "array", "items": _object({"id": {"type": "string"}, "type": {"enum": ["user", "guest"]},
                                                       "title": {"type": "string"}})},
    }),
    "HistoryPage": _object({
        "calls": {"type": "array", "items": _ref("HistoryEntry")},
        "nextBefore": {**NULLABLE_STRING, "description": "the 'before' of the next, older page; null on the last"},
    }),
}


def history_paths() -> dict[str, Any]:
    return {"/history": {"get": _operation(
        "Your recent calls, newest first, a page at a time", _json(_ref("HistoryPage"), "A page of your calls"),
        "400", params=[_query("limit", "entries per page, 1 to 100 (default 20)"),
                       _query("before", "the nextBefore of the previous page")])},
            "/history/missed": {"get": _operation(
                "How many calls you missed since you last opened your calls (the top bar's badge)",
                _json(_object({"count": {"type": "integer", "minimum": 0}}), "The missed calls' count"))}}
