"""Errors of the Web Conferencing core.

Each error carries its wire ``code`` and HTTP ``status`` as class attributes so the web layer maps them in one
place (an error handler), never by parsing messages.
"""
from __future__ import annotations

from exo_container import ConfigurationError
from exo_container.errors import InvalidParam


class WebConferencingError(Exception):
    """Base of every error the service raises on purpose."""

    code = "SERVER_ERROR"
    status = 500

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)

    def to_json(self) -> dict:
        return {"code": self.code, "message": self.message}


class CallNotFound(WebConferencingError):
    code = "NOT_FOUND_ERROR"
    status = 404


class IdentityNotFound(WebConferencingError):
    """A user, space or chat room that the directory does not know."""

    code = "NOT_FOUND_ERROR"
    status = 404


class ProviderNotFound(WebConferencingError):
    code = "NOT_FOUND_ERROR"
    status = 404


class CallConflict(WebConferencingError):
    """A call with this id already exists."""

    code = "CALL_CONFLICT_ERROR"
    status = 409


class InvalidCallArgument(WebConferencingError):
    """Bad input; ``field`` names the offending argument when there is one."""

    code = "BAD_REQUEST_ERROR"
    status = 400

    def __init__(self, message: str, field: str | None = None):
        self.field = field
        super().__init__(message)


class AccessDenied(WebConferencingError):
    """The user may not do this (not a participant or member of the call owner)."""

    # ACCESS_ERROR is the wire code of docs/protocol.md (and of the original add-on)
    code = "ACCESS_ERROR"
    status = 403


class ProviderConfigurationError(InvalidParam):
    """A provider's configuration is wrong; ``key`` names the offending setting (an entry of its
    provider-configuration) so that boot and ``exo-server --check`` can report it, with the property that set it."""

    def __init__(self, message: str, key: str | None = None, file: str | None = None, line: int | None = None):
        self.key = key
        super().__init__(message, key or "", file, line)


class CallStateError(WebConferencingError):
    """The action is not allowed in the call's (or participant's) current state; the message names that state."""

    code = "CALL_STATE_ERROR"
    status = 409

    def __init__(self, message: str, state: str | None = None, action: str | None = None):
        self.state = state
        self.action = action
        super().__init__(message)


class CallFull(WebConferencingError):
    """The call already holds as many joined participants as its provider allows."""

    code = "CALL_FULL_ERROR"
    status = 409
