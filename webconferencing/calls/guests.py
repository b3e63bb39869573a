"""Guests: people without a portal account who join a call through its invite link (issue 12).

A guest is a call participant like any other in the lifecycle, under an id no portal account can have: the
``guest~`` prefix and 128 random bits. The prefix is how the lifecycle tells guests from members (a call with only
guests left ends) without a database lookup, and how the web layer keeps guests out of everything but their call.
"""
from __future__ import annotations

import secrets

GUEST_PREFIX = "guest~"
GUEST_TOKEN_BYTES = 16


def is_guest(user_id: str) -> bool:
    return user_id.startswith(GUEST_PREFIX)


def new_guest_id() -> str:
    return GUEST_PREFIX + secrets.token_urlsafe(GUEST_TOKEN_BYTES)
