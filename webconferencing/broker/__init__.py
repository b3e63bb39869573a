"""Channel fan-out between the service and the connected clients.

The service publishes user events (``/webconferencing/user/<id>``) and peers exchange call data
(``/webconferencing/call/<call-id>``) through a :class:`Broker`. Which broker runs is a configuration choice
(value-param ``url`` of :class:`ConfiguredBroker`, property ``webconferencing.broker``): ``inprocess`` for one
process, ``redis://host:port/db`` to reach clients connected to other processes. The service only knows this
interface, so adding a backend never touches it.
"""
from __future__ import annotations

import importlib
import logging
from abc import ABC, abstractmethod
from typing import Callable

from exo_container import ConfigurationError, Disposable, InitParams
from exo_container.errors import InvalidParam

log = logging.getLogger(__name__)

USER_CHANNEL_PREFIX = "/webconferencing/user/"
CALL_CHANNEL_PREFIX = "/webconferencing/call/"

#: callback(channel, data, sender); sender is ``{"userId", "clientId"}`` for client messages, None for server events
MessageCallback = Callable[[str, dict, "dict | None"], None]


def user_channel(user_id: str) -> str:
    return f"{USER_CHANNEL_PREFIX}{user_id}"


def call_channel(call_id: str) -> str:
    return f"{CALL_CHANNEL_PREFIX}{call_id}"


def user_of_channel(channel: str) -> str | None:
    """The user id of a user channel, None for any other channel."""
    if channel.startswith(USER_CHANNEL_PREFIX):
        return channel[len(USER_CHANNEL_PREFIX):] or None
    return None


def call_of_channel(channel: str) -> str | None:
    """The call id of a call channel (call ids contain ``/``), None for any other channel."""
    if channel.startswith(CALL_CHANNEL_PREFIX):
        return channel[len(CALL_CHANNEL_PREFIX):] or None
    return None


class Subscription(ABC):
    """A live subscription; ``cancel()`` is idempotent."""

    @abstractmethod
    def cancel(self) -> None: ...


class Broker(ABC):
    """Publish/subscribe on named channels.

    Callbacks run on a thread of the broker's choosing (the publisher's own thread for the in-process broker), so
    they must not block for long: hand the message to a queue (a websocket's send queue) and return.
    """

    @abstractmethod
    def publish(self, channel: str, data: dict, sender: dict | None = None) -> None: ...

    @abstractmethod
    def subscribe(self, channel: str, callback: MessageCallback) -> Subscription: ...

    @abstractmethod
    def close(self) -> None: ...


#: broker URL scheme -> "module:Class"; the class is built with the URL as its only argument
BROKER_SCHEMES: dict[str, str] = {
    "inprocess": "webconferencing.broker.inprocess:InProcessBroker",
    "redis": "webconferencing.broker.redis:RedisBroker",
    "rediss": "webconferencing.broker.redis:RedisBroker",
}


def redis_url_problem(url: str) -> str | None:
    """What is wrong with the form of a ``redis://`` / ``rediss://`` URL (None: nothing), found without connecting:
    redis-py's own parser, plus the database number it silently ignores when it is not one."""
    from urllib.parse import urlsplit

    from redis.connection import parse_url

    try:
        parse_url(url)
        parts = urlsplit(url)
        parts.port  # noqa: B018 -- raises ValueError for a port out of range
    except ValueError as exc:
        return str(exc)
    database = parts.path.strip("/")
    if database and not database.isdigit():
        return f"the database '{database}' is not a number (redis://host:6379/0)"
    return None


def check_broker_url(url: str) -> str:
    """The broker URL, stripped (empty: ``inprocess``), if :func:`create_broker` would accept its form; otherwise
    a ValueError saying why. Nothing is reached: whether Redis answers is the boot's business."""
    url = (url or "inprocess").strip()
    scheme = url.split(":", 1)[0].lower()
    if scheme not in BROKER_SCHEMES:
        raise ValueError(f"unknown broker '{url}': expected one of {', '.join(sorted(BROKER_SCHEMES))}")
    if scheme in ("redis", "rediss"):
        problem = redis_url_problem(url)
        if problem:
            raise ValueError(f"broker '{url}' is not a valid Redis URL: {problem}")
    return url


def create_broker(url: str) -> Broker:
    """Build the broker a URL names (``inprocess``, ``redis://...``); a bad URL is a configuration error."""
    url = (url or "inprocess").strip()
    scheme = url.split(":", 1)[0].lower()
    target = BROKER_SCHEMES.get(scheme)
    if target is None:
        raise ConfigurationError(
            f"unknown broker '{url}' (webconferencing.broker): expected one of {', '.join(sorted(BROKER_SCHEMES))}")
    module_name, class_name = target.split(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:
        raise ConfigurationError(f"broker '{url}' is not available: {e}") from e
    return getattr(module, class_name)(url)


class ConfiguredBroker(Broker, Disposable):
    """The broker component of configuration.xml: delegates to the backend named by value-param ``url``."""

    def __init__(self, params: InitParams | None = None):
        self.url = self.validate_init_params(params)
        self.delegate = create_broker(self.url)

    @classmethod
    def validate_init_params(cls, params: InitParams | None) -> str:
        """The URL of value-param ``url`` if its form is right (the kernel's check hook: nothing is reached)."""
        url_param = params.get_value_param("url") if params else None
        try:
            return check_broker_url(url_param.get_value() if url_param else "")
        except ValueError as exc:
            raise InvalidParam(f"ConfiguredBroker: url (webconferencing.broker): {exc}", "url") from None

    def publish(self, channel: str, data: dict, sender: dict | None = None) -> None:
        self.delegate.publish(channel, data, sender)

    def subscribe(self, channel: str, callback: MessageCallback) -> Subscription:
        return self.delegate.subscribe(channel, callback)

    def close(self) -> None:
        self.delegate.close()

    def dispose(self) -> None:
        self.close()
