"""Reading the call history (issue 11): a user's recent calls page by page, and the missed calls they have not seen.

The service writes the entries when a call ends for someone (:mod:`webconferencing.calls.history` decides which,
:meth:`WebConferencingService._persist` writes them); this reads them back for the REST resource and the portal's
Calls page and badge, naming owners and parties as the directory knows them now (an entry keeps ids only, so a
renamed space shows its new name).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .calls.guests import is_guest
from .calls.history import HistoryEntry
from .errors import InvalidCallArgument
from .info import OwnerType
from .service import WebConferencingService
from .storage import utcnow
from .storage.history import CallHistoryDAO, Cursor

DEFAULT_PAGE = 20
MAX_PAGE = 100


@dataclass(frozen=True)
class HistoryPage:
    entries: list[dict]
    next_before: str | None  # the ``before`` of the next (older) page; None on the last page

    def to_json(self) -> dict:
        return {"calls": self.entries, "nextBefore": self.next_before}


class CallHistory:
    def __init__(self, service: WebConferencingService):
        self.service = service
        self.dao = CallHistoryDAO()

    def page(self, user_id: str, limit: int = DEFAULT_PAGE, before: str | None = None) -> HistoryPage:
        """Up to ``limit`` (1..100) calls of the user, newest first; ``before``: the previous page's
        ``nextBefore``."""
        self.service.get_user_info(user_id)
        if not 1 <= limit <= MAX_PAGE:
            raise InvalidCallArgument(f"Field 'limit' must be a whole number from 1 to {MAX_PAGE}", field="limit")
        cursor = None
        if before:
            try:
                cursor = Cursor.decode(before)
            except ValueError:
                raise InvalidCallArgument("Field 'before' is not the nextBefore of a history page",
                                          field="before") from None
        with self.service.database.read():
            rows = self.dao.page(user_id, limit + 1, cursor)
        more = len(rows) > limit
        rows = rows[:limit]
        active = {p.get_type() for p in self.service.get_providers() if p.is_active()}
        return HistoryPage([self._json(row.entry, row.entry.provider_type in active) for row in rows],
                           rows[-1].cursor.encode() if more else None)

    def missed_count(self, user_id: str) -> int:
        """Missed incoming calls since the user last opened their calls (the badge)."""
        with self.service.database.read():
            return self.dao.missed_since(user_id, self.dao.seen_at(user_id))

    def mark_seen(self, user_id: str, when: dt.datetime | None = None) -> None:
        with self.service.database.write():
            self.dao.mark_seen(user_id, when or utcnow())

    def _owner_title(self, entry: HistoryEntry) -> str:
        """The owner's name now; its id once it is gone from the directory (a deleted room, say)."""
        identities = self.service.identities
        find = {OwnerType.USER: identities.get_user, OwnerType.SPACE: identities.get_space,
                OwnerType.CHAT_ROOM: identities.get_room}.get(entry.owner_type)
        owner = find(entry.owner_id) if find else None
        return owner.title if owner is not None else entry.owner_id

    def _party(self, party_id: str) -> dict:
        """A guest by the name they gave while their call lasts (the guest goes with it), a user by their name."""
        if is_guest(party_id):
            guest = self.service.invites.guest(party_id)
            return {"id": party_id, "type": "guest", "title": guest.display_name if guest else "Guest"}
        user = self.service.identities.get_user(party_id)
        return {"id": party_id, "type": "user", "title": user.title if user else party_id}

    def _json(self, entry: HistoryEntry, provider_active: bool) -> dict:
        return {
            "callId": entry.call_id, "providerType": entry.provider_type, "providerActive": provider_active,
            "title": entry.title,
            "owner": {"id": entry.owner_id, "type": entry.owner_type, "title": self._owner_title(entry)},
            "direction": str(entry.direction), "outcome": str(entry.outcome),
            "startedAt": _iso(entry.started_at), "endedAt": _iso(entry.ended_at),
            "durationSeconds": entry.duration_seconds, "parties": [self._party(uid) for uid in entry.parties],
        }


def _iso(value: dt.datetime) -> str:
    return value.replace(tzinfo=dt.timezone.utc).isoformat(timespec="milliseconds")
