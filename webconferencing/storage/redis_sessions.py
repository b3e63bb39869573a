"""Sessions in Redis: for deployments that already run Redis for the broker, so that every worker and host sees a
logout at once without a database round trip per request.

Each session is a Redis hash ``webconferencing:session:<sha256 of the token>`` whose key expires when the session
would die anyway (its absolute end, or its idle limit counted from the last activity), so Redis forgets dead sessions
by itself; the store still checks the dates, which stay the rule.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import redis

from exo_container import ConfigurationError

from .sessions import SessionBackend, StoredSession

KEY_PREFIX = "webconferencing:session:"
CONNECT_TIMEOUT = 5.0
_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S.%f"
# writes to an existing session only: HSET on a key deleted meanwhile would bring back a session nobody may use
_TOUCH = ("if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'seen', ARGV[1]); "
          "redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0")
_SAVE_DATA = "if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'data', ARGV[1]) end return 0"


def _date(value: dt.datetime) -> str:
    return value.strftime(_DATE_FORMAT)


def _parse_date(value: str) -> dt.datetime:
    return dt.datetime.strptime(value, _DATE_FORMAT)


class RedisSessionBackend(SessionBackend):
    def __init__(self, url: str) -> None:
        self.url = url
        try:
            self._redis = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT, health_check_interval=30,
                                               decode_responses=True)
            self._redis.ping()
        except (redis.RedisError, ValueError) as exc:
            raise ConfigurationError(f"session store {url} (exo.server.session.store, by default "
                                     f"webconferencing.broker): cannot reach Redis: {exc}") from None

    @staticmethod
    def _key(token_hash: str) -> str:
        return KEY_PREFIX + token_hash

    @staticmethod
    def _ttl_ms(last_seen: dt.datetime, idle_seconds: float | None, expires: dt.datetime) -> int:
        end = expires if idle_seconds is None else min(expires, last_seen + dt.timedelta(seconds=idle_seconds))
        return max(1, int((end - last_seen).total_seconds() * 1000))

    def create(self, session: StoredSession, idle_seconds: float | None) -> None:
        key = self._key(session.token_hash)
        with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"kind": session.kind, "user": session.user_id, "created": _date(session.created),
                                    "seen": _date(session.last_seen), "expires": _date(session.expires),
                                    "data": json.dumps(session.data)})
            pipe.pexpire(key, self._ttl_ms(session.last_seen, idle_seconds, session.expires))
            pipe.execute()

    def get(self, token_hash: str) -> StoredSession | None:
        fields = self._redis.hgetall(self._key(token_hash))
        if not fields or "user" not in fields:
            return None
        return StoredSession(token_hash, fields["kind"], fields["user"], _parse_date(fields["created"]),
                             _parse_date(fields["seen"]), _parse_date(fields["expires"]),
                             json.loads(fields.get("data") or "{}"))

    def touch(self, token_hash: str, last_seen: dt.datetime, idle_seconds: float | None,
              expires: dt.datetime) -> None:
        # only an existing session: a logout in another worker must never be undone by a late touch
        self._redis.eval(_TOUCH, 1, self._key(token_hash), _date(last_seen),
                         self._ttl_ms(last_seen, idle_seconds, expires))

    def save_data(self, token_hash: str, data: dict[str, Any]) -> None:
        self._redis.eval(_SAVE_DATA, 1, self._key(token_hash), json.dumps(data))

    def delete(self, token_hash: str) -> None:
        self._redis.delete(self._key(token_hash))

    def close(self) -> None:
        self._redis.close()
