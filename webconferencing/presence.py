"""This process's lease, the clients it holds, and the clean-up of clients nobody holds any more.

Why: a process killed with ``kill -9`` (or a restart) left every participant its tabs had joined "joined" forever, so
the next ``POST call/p/carol-paul`` got 409 and a re-join rang nobody. Now:

- each process renews a lease in the shared database every ``heartbeat`` seconds (``lease`` seconds long) and records
  which clients it holds (:class:`~webconferencing.storage.presence.PresenceDAO`);
- every process, at start-up and then at each heartbeat, looks for processes whose lease expired: their clients are
  held by nobody from the moment the lease expired;
- a client joined to a call that no live process holds (its process died, or it was never held: a REST join naming a
  tab that is nowhere) leaves its calls once it has been unheld for the grace period, through the service, so every
  party is told, exactly as a tab that vanished from a live process does. If that fails (the database is away), the
  client stays unheld and the next heartbeat tries again;
- stopped group calls older than the retention period are deleted (:mod:`webconferencing.storage.retention`).

A tab that reconnects (to any process) within that time is held again, and nothing is left.
"""
from __future__ import annotations

import datetime as dt
import logging
import socket
import threading
from dataclasses import dataclass
from typing import Callable, Mapping

from exo_container.errors import InvalidProperty

from .errors import CallNotFound
from .storage import Database, utcnow
from .storage.presence import Membership, Orphan, PresenceDAO
from .storage.retention import expire_stopped_group_calls

log = logging.getLogger("webconferencing.presence")

LEASE_SECONDS = "webconferencing.cluster.lease.seconds"
RETENTION_DAYS = "webconferencing.calls.retention.days"
RETENTION_BATCH = 100


@dataclass(frozen=True)
class PresenceSettings:
    lease_seconds: float = 15.0  # how long a silent process is still believed alive
    grace_seconds: float = 10.0  # how long an unheld client may come back before it leaves its calls
    retention_days: float = 30.0  # stopped group calls older than this are deleted

    @property
    def heartbeat_seconds(self) -> float:
        return self.lease_seconds / 3

    @classmethod
    def from_properties(cls, props: Mapping[str, str], grace_seconds: float) -> "PresenceSettings":
        return cls(lease_seconds=_positive(props, LEASE_SECONDS, cls.lease_seconds),
                   grace_seconds=grace_seconds,
                   retention_days=_positive(props, RETENTION_DAYS, cls.retention_days))


def _positive(props: Mapping[str, str], name: str, default: float) -> float:
    raw = (props.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InvalidProperty(name, f"'{raw}' is not a number") from None
    if value <= 0:
        raise InvalidProperty(name, f"{value} must be positive")
    return value


class ProcessPresence:
    """One per server process (the hub's). ``start()`` sweeps once at once, then at every heartbeat."""

    def __init__(self, service, database: Database, settings: PresenceSettings, process_id: str) -> None:
        self.service = service
        self.database = database
        self.settings = settings
        self.process_id = process_id
        self.host = socket.gethostname()[:255]
        self.dao = PresenceDAO()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._failing = False
        #: whether this process serves a client now (the hub's answer); a client recorded as ours that is not is let
        #: go by the sweep (a failed write left it behind)
        self.holds_here: Callable[[str], bool] = lambda _client_id: False

    # --- the hub's clients ------------------------------------------------------------

    def hold(self, client_id: str, user_id: str) -> list[str]:
        """This process holds the client now; the calls the database says it is joined to."""
        try:
            with self.database.write():
                self.dao.hold(client_id, user_id, self.process_id)
                return sorted({m.call_id for m in self.dao.memberships_of(client_id)})
        finally:
            self.database.release()

    def holder(self, client_id: str) -> str | None:
        try:
            with self.database.read():
                return self.dao.holder(client_id)
        finally:
            self.database.release()

    def memberships(self, client_id: str) -> list[Membership]:
        try:
            with self.database.read():
                return self.dao.memberships_of(client_id)
        finally:
            self.database.release()

    def forget(self, client_id: str) -> None:
        try:
            with self.database.write():
                self.dao.forget(client_id, self.process_id)
        finally:
            self.database.release()

    def let_go(self, client_id: str) -> None:
        """Leave the client to the sweep (ours failed to finish): it is unheld from now on."""
        try:
            with self.database.write():
                self.dao.let_go(client_id, self.process_id, utcnow())
        finally:
            self.database.release()

    # --- lifecycle --------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="process-presence", daemon=True)
        self._thread.start()

    def close(self) -> None:
        """This process stops: its clients are unheld from now on, and whoever serves them next (or the sweep of
        another process, or of this one restarted) takes over."""
        self._stop.set()
        if self.database.db is None:
            return
        try:
            with self.database.write():
                released = self.dao.end_process(self.process_id, utcnow())
            log.info("process %s stopping: let go of %d clients", self.process_id, released)
        except Exception as exc:  # noqa: BLE001 - the lease then simply expires, with the same outcome later
            log.warning("process %s stopping: cannot release its clients (%s); its lease will expire",
                        self.process_id, exc)
        finally:
            self.database.release()

    def _run(self) -> None:
        while not self._stop.is_set():
            if self.database.db is None:
                return  # the container stopped under us
            try:
                self.sweep()
                if self._failing:
                    log.warning("process %s: presence sweeps work again", self.process_id)
                    self._failing = False
            except Exception as exc:  # noqa: BLE001 - retried at the next heartbeat, logged once per outage
                if not self._failing:
                    log.warning("process %s: presence sweep failed (%s); retrying every %.1fs", self.process_id,
                                exc, self.settings.heartbeat_seconds)
                    self._failing = True
            finally:
                self.database.release()
            self._stop.wait(self.settings.heartbeat_seconds)

    # --- the sweep --------------------------------------------------------------------

    def sweep(self) -> int:
        """Renew the lease, let go of dead processes' clients, make unheld clients leave; how many left."""
        now = utcnow()
        with self.database.write():
            self.dao.renew(self.process_id, self.host, now, now + dt.timedelta(seconds=self.settings.lease_seconds))
            for process_id, expires in self.dao.expired_processes(now):
                released = self.dao.end_process(process_id, expires)
                log.warning("process %s stopped renewing its lease (expired %s): its %d clients are unheld",
                            process_id, expires.isoformat(timespec="seconds"), released)
            for client_id in self.dao.held_by(self.process_id):
                if not self.holds_here(client_id):
                    self.dao.let_go(client_id, self.process_id, now)
            unheld = []
            for membership in self.dao.unheld_memberships():
                if self.holds_here(membership.client_id):  # a failed or raced write lost our record: restore it
                    self.dao.hold(membership.client_id, membership.user_id, self.process_id)
                else:
                    unheld.append(membership)
            self.dao.note_unheld(unheld, now)
            orphans = self.dao.orphans(now - dt.timedelta(seconds=self.settings.grace_seconds))
        left = sum(self._leave_for(orphan) for orphan in orphans)
        self._expire_old_calls(now)
        return left

    def _leave_for(self, orphan: Orphan) -> int:
        with self.database.write():
            if not self.dao.claim(orphan):
                return 0  # another process took it, or its tab came back
            memberships = self.dao.memberships_of(orphan.client_id)
        left = 0
        try:
            for membership in memberships:
                try:
                    self.service.expire_client(membership.call_id, membership.user_id, membership.client_id)
                except CallNotFound:
                    pass  # the call went away meanwhile: nothing to leave
                left += 1
        except Exception:
            with self.database.write():  # unheld again, so the next sweep retries
                self.dao.note_unheld(memberships, orphan.released)
            raise
        if memberships:
            log.info("client %s of %s held by no process for %.0fs: left %s", orphan.client_id, orphan.user_id,
                     self.settings.grace_seconds, [m.call_id for m in memberships])
        return left

    def _expire_old_calls(self, now: dt.datetime) -> None:
        with self.database.write():
            expired = expire_stopped_group_calls(now - dt.timedelta(days=self.settings.retention_days),
                                                 RETENTION_BATCH)
        if expired:
            log.info("deleted %d stopped group calls older than %s days: %s", len(expired),
                     self.settings.retention_days, expired)
