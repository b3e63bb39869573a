"""Expiring TURN credentials (the "TURN REST API" of draft-uberti-behave-turn-rest, which coturn implements as
``use-auth-secret`` / ``static-auth-secret``).

Why not static TURN passwords: a password given to every browser is a password for everyone who ever opened the
page, and a TURN server relays any traffic for whoever holds one. Here the server and coturn share a secret; each
user gets a username ``<expiry>:<user id>`` (expiry in Unix seconds) and a password ``base64(HMAC-SHA1(secret,
username))``. coturn recomputes the HMAC and refuses the credential once the expiry has passed, so a leaked one
dies on its own, and the TURN server's logs name the user.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any, Callable

DEFAULT_TTL_SECONDS = 24 * 3600  # the draft's suggested lifetime: longer than any call
TURN_SCHEMES = ("turn:", "turns:")


class TurnConfigurationError(ValueError):
    """The TURN URLs or lifetime are not usable; the message says why."""


def credential(secret: str, username: str) -> str:
    """The password coturn expects for ``username``: base64 of the HMAC-SHA1 of the username keyed by the secret."""
    digest = hmac.new(secret.encode(), username.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def parse_urls(text: Any) -> list[str]:
    """``turn:``/``turns:`` URLs from a comma list (the property's syntax)."""
    raw = str(text or "").strip()
    urls = [url.strip() for url in raw.split(",") if url.strip()]
    for url in urls:
        if not url.startswith(TURN_SCHEMES) or len(url) <= url.index(":") + 1 or any(c.isspace() for c in url):
            raise TurnConfigurationError(f"'{url}' is not a turn: or turns: URL")
    return urls


def parse_ttl(text: Any) -> int:
    raw = str(text).strip() if text is not None else ""
    if not raw:
        return DEFAULT_TTL_SECONDS
    try:
        value = int(raw)
    except ValueError:
        raise TurnConfigurationError(f"'{raw}' is not a number of seconds") from None
    if value < 60:
        raise TurnConfigurationError(f"{value} seconds is too short for a call (at least 60)")
    return value


@dataclass(frozen=True)
class TurnCredentials:
    """Issues RTCIceServer entries for the TURN URLs, valid ``ttl_seconds`` from the moment they are asked for."""

    secret: str
    urls: tuple[str, ...]
    ttl_seconds: int = DEFAULT_TTL_SECONDS
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        if not self.secret:
            raise TurnConfigurationError("the shared secret is empty")
        if not self.urls:
            raise TurnConfigurationError("a shared secret is set but no turn: URL to use it with")

    def ice_server(self, user_id: str) -> dict[str, Any]:
        """One RTCIceServer: ``{"urls", "username": "<expiry>:<user>", "credential"}``."""
        expiry = int(self.clock()) + self.ttl_seconds
        username = f"{expiry}:{user_id}"
        return {"urls": list(self.urls), "username": username, "credential": credential(self.secret, username)}
