"""The websocket endpoint ``/webconferencing/ws``: docs/protocol.md, one :class:`WebSocketSession` per browser tab.

The route only authenticates the upgrade and runs the session loop; subscriptions, client ids and grace timers are
the :class:`~.hub.ChannelHub`'s, call operations the :class:`~.commands.CallCommands` shared with REST.

The loop reads with a timeout of ``pingInterval``: on silence the server sends ``{"type": "ping"}``, and a client that
has said nothing (no frame, no pong) for three intervals is considered gone (a half-open TCP connection never
delivers a close), which starts its grace period.
"""
from __future__ import annotations

import functools
import json
import logging
import socket
import threading
import time
from typing import Any, Callable

import gevent.socket
from flask import Blueprint, g
from flask_sock import Sock
from simple_websocket import ConnectionClosed
from wsproto.events import TextMessage

from webconferencing.calllog import ClientLogRecord
from webconferencing.errors import InvalidCallArgument

from .auth import check_same_origin, require_user, session_token, still_signed_in
from .commands import parse_call_id
from .context import WebContext, web_context
from .errors import ClientError, FrameTooLarge, ShuttingDown, to_error
from .guest_sessions import require_guest
from .hub import HubClient, Resume, parse_channel
from .invite_commands import INVITE_REMOTE_COMMANDS
from .outbox import Outbox, spawn
from .request_id import bind_to_request
from .safejson import JsonRejected, JsonTooLarge, parse_json
from .throttle import TooManyRequests

log = logging.getLogger("webconferencing.web.ws")

WS_PATH = "/webconferencing/ws"
DEAD_AFTER_PINGS = 3
MAX_LOG_RECORDS = 100
GOING_AWAY = 1001
TRY_AGAIN_LATER = 1013  # a client too slow to take its frames: it may reconnect (with its clientId) later
SESSION_ENDED = 1008  # policy violation: the login session or token of this socket was logged out or expired
CLOSE_WAIT = 1.0  # seconds a closing socket gets to finish its current frame, then to answer the close

bp = Blueprint("ws", __name__)
sock = Sock()


@bp.before_request
def authenticate_upgrade() -> None:
    """Refuse before upgrading: an anonymous or cross-site upgrade gets a plain HTTP 401/403 with a JSON body, and
    any upgrade once the server is stopping a 503."""
    if g.get("guest_id"):
        require_guest()  # issue 12: a guest session upgrades for its own call only (guest_sessions, guest_socket)
    else:
        require_user()
    check_same_origin()
    if web_context().hub.closed:
        raise ShuttingDown("The server is shutting down; reconnect in a moment")


def within_socket_quota(serve: Callable[..., None]) -> Callable[..., None]:
    """Count the socket against its user's quota of open websockets (:mod:`.quotas`) while it is served. One over the
    quota is told why in an error frame, then closed (try again later): a browser cannot read the status of a
    refused upgrade, so refusing before it would leave the page guessing."""

    @functools.wraps(serve)
    def counted(ws, *args, **kwargs) -> None:
        try:
            lease = web_context().quotas.open_websocket(g.user_id or g.guest_id)  # a guest counts as themselves
        except TooManyRequests as exc:
            _status, body = to_error(exc, rest=False)
            ws.send(json.dumps({"type": "error", **body, "retryAfter": exc.retry_after}))
            ws.close(reason=TRY_AGAIN_LATER, message="Too many open websockets")
            return
        try:
            serve(ws, *args, **kwargs)
        finally:
            lease.release()

    return counted


@sock.route(WS_PATH, bp=bp)
@within_socket_quota
def websocket(ws) -> None:
    if g.get("guest_id"):
        from .guest_socket import serve_guest  # issue 12 (imports this module: loaded on first use)

        serve_guest(web_context(), ws, still_signed_in())
        return
    ctx = web_context()
    served = WebSocketSession(ctx, g.user_id, ws, still_signed_in())
    with ctx.session_sockets.held(session_token(), served.check_session):  # a logout closes it at once
        served.run()


class SocketConnection:
    """The hub's view of a flask-sock socket. ``send`` never blocks: a frame the socket takes at once is written
    right away, anything else waits in the socket's :class:`Outbox` for its own writer, so a peer that stops reading
    holds up nobody else, and is closed (1013, try again later) once its queue overflows.

    Frames are framed with simple-websocket's wsproto connection and written on its socket directly rather than
    through ``ws.send``: that one blocks the caller, and uses ``socket.send``, which on a peer with a full receive
    window writes part of a frame and loses the rest."""

    def __init__(self, ws, queue_size: int) -> None:
        self.ws = ws
        self.label = "a websocket client"  # who this is, for the log (the session names it after the handshake)
        self.outbox = Outbox(self._encode, self._try_write, self._write, queue_size,
                             on_overflow=self._overflowed, on_error=self._failed)
        self._gevent_socket = isinstance(ws.sock, gevent.socket.socket)
        self._lock = threading.Lock()
        self._closing = False

    def send(self, text: str) -> None:
        self.outbox.put(text)

    def close(self, reason: int | None = None, message: str | None = None) -> None:
        """Close without waiting: the frame being written may finish (up to :data:`CLOSE_WAIT` seconds), then the
        close frame is sent; a peer that does not take it in time loses the TCP connection instead."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
        self.outbox.close()
        spawn(self._finish_close, reason, message)

    def _encode(self, text: str) -> bytes:
        ws = self.ws
        if not ws.connected:
            raise ConnectionClosed(ws.close_reason, ws.close_message)
        return ws.ws.send(TextMessage(data=text))

    def _try_write(self, data: bytes) -> int:
        try:
            if self._gevent_socket:
                return self.ws.sock.send(data, 0, timeout=0.0)
            return self.ws.sock.send(data, socket.MSG_DONTWAIT)
        except BlockingIOError:
            return 0

    def _write(self, data: bytes | memoryview) -> None:
        self.ws.sock.sendall(data)

    def _overflowed(self) -> None:
        log.warning("%s stopped reading: %d frames waiting, closing its websocket (%d, try again later)",
                    self.label, self.outbox.limit, TRY_AGAIN_LATER)
        self.close(TRY_AGAIN_LATER, "Send queue overflow")

    def _failed(self, exc: BaseException) -> None:
        log.debug("Cannot write to %s: %s", self.label, exc)
        self.close()

    def _finish_close(self, reason: int | None, message: str | None) -> None:
        ws = self.ws
        try:
            if self.outbox.wait_idle(CLOSE_WAIT) and ws.connected:
                ws.sock.settimeout(CLOSE_WAIT)  # a peer that stopped reading must not hold the close frame forever
                ws.close(reason=reason, message=message)
        except (ConnectionClosed, OSError):
            pass
        finally:
            # simple-websocket's receive() only wakes up on incoming data; without this, the session loop would
            # sleep until the client answers the close (or the ping interval passes) and hold a shutting-down worker
            ws.event.set()
        ws.thread.join(CLOSE_WAIT)  # the reader ends when the peer answers the close (or its socket fails)
        if ws.thread.is_alive():
            try:
                ws.sock.shutdown(socket.SHUT_RDWR)  # a peer that never answers: wakes the reader and any writer
            except OSError:
                pass
        ws.connected = False
        ws.event.set()


class WebSocketSession:
    def __init__(self, ctx: WebContext, user_id: str, ws, signed_in: Callable[[], bool]) -> None:
        self.ctx = ctx
        self.user_id = user_id
        # the upgrade's login session (auth.still_signed_in): asked once per ping interval, so a logout or an expiry
        # closes the socket too, and an open tab counts as activity for the session's idle limit
        self.signed_in = signed_in
        self.session_ended = False
        self.ws = ws
        self.connection = SocketConnection(ws, ctx.settings.send_queue_size)
        self.client: HubClient | None = None
        self.max_frame = ctx.settings.max_frame_bytes
        self.ping_interval = ctx.settings.ping_seconds
        self._handlers = {
            "handshake": self.on_handshake,
            "subscribe": self.on_subscribe,
            "unsubscribe": self.on_unsubscribe,
            "publish": self.on_publish,
            "call": self.on_call,
            "log": self.on_log,
            "ping": self.on_ping,
            "pong": self.on_pong,
        }

    # --- loop -------------------------------------------------------------------------

    def run(self) -> None:
        last_heard = time.monotonic()
        next_session_check = last_heard + self.ping_interval
        try:
            while True:
                raw = self.ws.receive(timeout=self.ping_interval)
                if self.session_ended:
                    continue  # closing (1008): nothing more is handled, the next receive ends the loop
                if time.monotonic() >= next_session_check:
                    next_session_check = time.monotonic() + self.ping_interval
                    if not self._still_signed_in():
                        continue
                if raw is None:
                    if time.monotonic() - last_heard > DEAD_AFTER_PINGS * self.ping_interval:
                        log.info("Client %s of %s silent for %d pings: closing", self.client_id, self.user_id,
                                 DEAD_AFTER_PINGS)
                        self.connection.close()
                        break
                    self.send({"type": "ping"})
                    continue
                last_heard = time.monotonic()
                try:
                    self.handle(raw)
                finally:
                    self.ctx.release_database()
                if self.connection.outbox.pending():
                    # a frame already read never makes the loop wait, so a client sending a burst of requests would
                    # fill its own queue of answers before its writer ever ran: let the writer go first
                    time.sleep(0)
        except ConnectionClosed:
            pass
        finally:
            if self.client is not None:
                self.ctx.hub.disconnect(self.client, self.connection)

    def check_session(self) -> None:
        """Its session was just ended somewhere (session_sockets): ask the store now rather than at the next ping."""
        if not self.session_ended:
            self._still_signed_in()

    def _still_signed_in(self) -> bool:
        try:
            if self.signed_in():
                return True
        finally:
            self.ctx.release_database()
        log.info("Client %s of %s: session ended, closing", self.client_id, self.user_id)
        self.session_ended = True
        self.connection.close(SESSION_ENDED, "Session ended")
        return False

    @property
    def client_id(self) -> str | None:
        return self.client.client_id if self.client else None

    def send(self, frame: dict) -> None:
        self.connection.send(json.dumps(frame, separators=(",", ":")))

    def handle(self, raw: str | bytes) -> None:
        """One frame in, at most one frame out; nothing a client sends closes the connection."""
        request_id = None
        try:
            frame = self.parse(raw)
            request_id = _request_id(frame.get("id"))
            frame_type = frame.get("type")
            handler = self._handlers.get(frame_type) if isinstance(frame_type, str) else None
            if handler is None:
                raise ClientError(f"Unknown frame type: {frame_type!r}")
            if self.client is None and frame_type not in ("handshake", "ping", "pong"):
                raise ClientError("Handshake first")
            handler(frame, request_id)
        except ConnectionClosed:
            raise
        except Exception as exc:  # every failure becomes an error frame, mapped in one place
            _status, body = to_error(exc, rest=False)
            error = {"type": "error", **body}
            if isinstance(exc, TooManyRequests):  # a quota: when to try again, as REST's Retry-After
                error["retryAfter"] = exc.retry_after
            if request_id is not None:
                error["id"] = request_id
            self.send(error)

    def parse(self, raw: str | bytes) -> dict:
        try:
            frame = parse_json(raw, max_bytes=self.max_frame)  # the one safe parser: too deep is a client error
        except JsonTooLarge as exc:
            raise FrameTooLarge(f"Frame: {exc}") from None
        except JsonRejected as exc:
            raise ClientError(f"Frame: {exc}") from None
        if not isinstance(frame, dict):
            raise ClientError("Frame must be a JSON object")
        return frame

    # --- frame handlers ---------------------------------------------------------------

    def on_handshake(self, frame: dict, _request_id: Any) -> None:
        if self.client is not None:
            raise ClientError("Handshake already done")
        self.client = self.ctx.hub.connect(self.user_id, self.connection, frame.get("clientId"),
                                           last_seq=frame.get("lastSeq"), greeting=self._greeting)
        self.connection.label = f"Client {self.client.client_id} of {self.user_id}"
        bind_to_request(client_id=self.client.client_id)  # every later log line of this socket names the tab

    def _greeting(self, client: HubClient, resume: Resume) -> dict:
        """The handshake answer; the hub sends it, then the user-channel events the tab missed (docs/protocol.md,
        "Resume")."""
        return {"type": "handshake", "clientId": client.client_id, "userId": self.user_id,
                "pingInterval": self.ping_interval, "resume": resume.outcome, "missed": resume.missed,
                "lastSeq": resume.last_seq}

    def on_subscribe(self, frame: dict, request_id: Any) -> None:
        self.ctx.hub.subscribe(self.client, parse_channel(frame.get("channel")))
        self._ack(request_id)

    def on_unsubscribe(self, frame: dict, request_id: Any) -> None:
        self.ctx.hub.unsubscribe(self.client, parse_channel(frame.get("channel")))
        self._ack(request_id)

    def on_publish(self, frame: dict, request_id: Any) -> None:
        data = frame.get("data")
        if not isinstance(data, dict):
            raise InvalidCallArgument("Field 'data' must be a JSON object", field="data")
        self.ctx.hub.publish(self.client, parse_channel(frame.get("channel")), data)
        self._ack(request_id)

    def on_call(self, frame: dict, request_id: Any) -> None:
        command = frame.get("command")
        handler = REMOTE_COMMANDS.get(command) if isinstance(command, str) else None
        if handler is None:
            raise InvalidCallArgument(
                f"Unknown command {command!r}: expected {', '.join(sorted(REMOTE_COMMANDS))}", field="command")
        self.send({"type": "result", "id": request_id, "data": handler(self, frame)})

    def _update(self, frame: dict) -> Any:
        data = self.ctx.commands.update(self.user_id, frame.get("callId"), frame, client_id=self.client.client_id)
        self.ctx.hub.note_membership(self.client.client_id, self.user_id, parse_call_id(frame.get("callId")),
                                     frame.get("state"))
        return data

    def on_log(self, frame: dict, _request_id: Any) -> None:
        records = frame.get("records")
        if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
            raise InvalidCallArgument("Field 'records' must be a list of objects", field="records")
        if len(records) > MAX_LOG_RECORDS:
            raise InvalidCallArgument(f"At most {MAX_LOG_RECORDS} log records per frame", field="records")
        parsed = [_log_record(record, self.user_id, self.client.client_id) for record in records]
        for record in parsed:  # all or nothing: a bad record refuses the frame before any is logged
            self.ctx.call_log.log(record)

    def on_ping(self, _frame: dict, request_id: Any) -> None:
        pong: dict[str, Any] = {"type": "pong"}
        if request_id is not None:
            pong["id"] = request_id
        self.send(pong)

    def on_pong(self, _frame: dict, _request_id: Any) -> None:
        """Heard from the client: the loop already noted it."""

    def _ack(self, request_id: Any) -> None:
        ack: dict[str, Any] = {"type": "ack"}
        if request_id is not None:
            ack["id"] = request_id
        self.send(ack)


def _request_id(value: Any) -> str | int | None:
    """Echo correlation ids that are plain and short; anything else is dropped rather than reflected."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and len(value) <= 128):
        return value
    return None


def _log_record(record: dict, user_id: str, client_id: str) -> ClientLogRecord:
    """A client's record as the CallLogService takes it; who sent it comes from the connection, never the frame."""

    def text(name: str, required: bool = True) -> str:
        value = record.get(name)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or (required and not value):
            raise InvalidCallArgument(f"Log record field '{name}' must be a non-empty string", field=name)
        return value

    timestamp = record.get("timestamp")
    if isinstance(timestamp, (int, float)) and not isinstance(timestamp, bool):
        timestamp = str(timestamp)
    return ClientLogRecord(level=text("level"), provider=text("provider"), prefix=text("prefix", False) or None,
                           client_id=client_id, user_id=user_id, message=text("message", False),
                           timestamp=timestamp if isinstance(timestamp, str) else "")


# The remote commands of ``{"type": "call", "command": ...}`` frames (the original's names). One table, so the
# authorization-matrix test can check that every command is covered.
REMOTE_COMMANDS: dict[str, Callable[[WebSocketSession, dict], Any]] = {
    "get_calls_state": lambda session, frame: session.ctx.commands.get_calls_state(session.user_id),
    # ours: the calls ringing for the user now, which a tab told to refresh (docs/protocol.md, Resume) shows
    "get_ringing_calls": lambda session, frame: session.ctx.commands.get_ringing_calls(session.user_id),
    "get": lambda session, frame: session.ctx.commands.get(session.user_id, frame.get("callId")),
    # ours: the call or null (none, or not the user's to see): a page learns "no call" without an error frame
    "find": lambda session, frame: session.ctx.commands.find(session.user_id, frame.get("callId")),
    "create": lambda session, frame: session.ctx.commands.create(session.user_id, frame.get("callId"), frame),
    "delete": lambda session, frame: session.ctx.commands.delete(session.user_id, frame.get("callId")),
    "update": WebSocketSession._update,
    **INVITE_REMOTE_COMMANDS,  # issue 12: invites (web/invite_commands.py)
}
