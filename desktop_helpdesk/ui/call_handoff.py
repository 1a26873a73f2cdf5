"""The window's single-instance call inbox: a local socket the ``call`` command hands calls to.

Why QLocalServer/QLocalSocket rather than a hand-made Unix socket: the same two classes give a
Unix-domain socket on Linux and macOS and a named pipe on Windows, under one name, with stale
socket files removed by ``removeServer`` and access limited to the signed-in OS user
(``UserAccessOption``). The sending side uses QLocalSocket synchronously (``waitForConnected``,
``waitForReadyRead``), which needs no QCoreApplication, so ``desktop-helpdesk call`` starts no
Qt application and the other headless commands never import QtNetwork at all.

Protocol: one JSON object per line each way. ``{"op": "call", "call": {...}}`` hands over a
call; ``{"op": "status"}`` asks what the window holds (tests, diagnostics); the reply is
``{"ok": true, ...}`` or ``{"ok": false, "error": "..."}``.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from desktop_helpdesk.domain.phone_calls import CallFormatError, IncomingCall

log = logging.getLogger(__name__)

SERVER_PREFIX = "desktop-helpdesk-calls-"
HANDOFF_TIMEOUT_MS = 3000
_MAX_MESSAGE = 64 * 1024


def server_name(database_display: str, os_user: str | None = None) -> str:
    """The inbox name of the window for this OS user and database.

    One window per user and database receives calls: two agents sharing a terminal server, or
    one agent with the demo and the real database open, each get their own calls.

    Args:
        database_display: the database as ``DatabaseTarget.display`` names it (no password).
        os_user: the OS account (default: the current one).
    """
    user = os_user if os_user is not None else _os_user()
    digest = hashlib.sha256(f"{user}\0{database_display}".encode()).hexdigest()[:20]
    return SERVER_PREFIX + digest


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers): the uid still tells users apart
        return str(os.getuid()) if hasattr(os, "getuid") else "user"


class HandoffError(Exception):
    """The window answered but refused or garbled the message (the text says why)."""


def send_message(name: str, message: dict, timeout_ms: int = HANDOFF_TIMEOUT_MS) -> dict | None:
    """Send one message to the window listening on ``name`` and wait for its reply.

    Args:
        name: ``server_name(...)``.
        message: the JSON object to send.
        timeout_ms: how long to wait for the connection and for the reply, each.

    Returns:
        The reply; None when no window is listening.

    Raises:
        HandoffError: the window did not answer in time or answered with an error.
    """
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        if socket.error() in (
            QLocalSocket.LocalSocketError.ServerNotFoundError,
            QLocalSocket.LocalSocketError.ConnectionRefusedError,
        ):
            return None
        raise HandoffError(f"cannot reach the desk window: {socket.errorString()}")
    try:
        socket.write(json.dumps(message).encode() + b"\n")
        if not socket.waitForBytesWritten(timeout_ms):
            raise HandoffError(f"the desk window did not take the message: {socket.errorString()}")
        buffer = b""
        deadline = time.monotonic() + timeout_ms / 1000
        while b"\n" not in buffer:
            left = int((deadline - time.monotonic()) * 1000)
            if left <= 0 or not socket.waitForReadyRead(left):
                buffer += bytes(socket.readAll().data())
                if b"\n" in buffer:
                    break
                raise HandoffError("the desk window did not answer in time")
            buffer += bytes(socket.readAll().data())
    finally:
        socket.abort()
    try:
        reply = json.loads(buffer.split(b"\n", 1)[0])
    except ValueError:
        raise HandoffError("the desk window answered something unreadable") from None
    if not isinstance(reply, dict):
        raise HandoffError("the desk window answered something unreadable")
    if not reply.get("ok"):
        raise HandoffError(str(reply.get("error") or "the desk window refused the call"))
    return reply


class CallReceiver(QObject):
    """Listens on the window's inbox and turns messages into signals on the UI thread.

    Signals:
        call_received(object): an ``IncomingCall`` handed over by ``desktop-helpdesk call``.

    Args:
        name: ``server_name(...)``.
        status: returns the JSON-ready state the ``status`` op reports.
    """

    call_received = Signal(object)

    def __init__(self, name: str, status: Callable[[], dict], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._status = status
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_server_new_connection)
        self._buffers: dict[QLocalSocket, bytes] = {}

    @property
    def name(self) -> str:
        return self._name

    @property
    def listening(self) -> bool:
        return self._server.isListening()

    def listen(self) -> bool:
        """Start receiving calls; False when another window already receives them (or the
        name cannot be used), which the log records."""
        try:
            if send_message(self._name, {"op": "ping"}, timeout_ms=500) is not None:
                log.warning("another window already receives calls on %s; this one does not", self._name)
                return False
        except HandoffError:
            # Something answers but not properly: a hung window. Leave it its name.
            log.warning("the call inbox %s is held by a window that does not answer", self._name)
            return False
        # A window that crashed leaves its socket file behind; nobody answered on it.
        QLocalServer.removeServer(self._name)
        if not self._server.listen(self._name):
            log.error("cannot receive calls on %s: %s", self._name, self._server.errorString())
            return False
        log.info("receiving calls on %s", self._server.fullServerName())
        return True

    def close(self) -> None:
        """Stop receiving calls (the socket file is removed)."""
        self._server.close()
        for socket in list(self._buffers):
            socket.abort()
        self._buffers.clear()

    def _on_server_new_connection(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            self._buffers[socket] = b""
            socket.readyRead.connect(lambda s=socket: self._on_socket_ready_read(s))
            socket.disconnected.connect(lambda s=socket: self._forget(s))

    def _forget(self, socket: QLocalSocket) -> None:
        self._buffers.pop(socket, None)
        socket.deleteLater()

    def _on_socket_ready_read(self, socket: QLocalSocket) -> None:
        if socket not in self._buffers:
            return
        data = self._buffers[socket] + bytes(socket.readAll().data())
        if b"\n" not in data:
            if len(data) > _MAX_MESSAGE:
                self._reply(socket, {"ok": False, "error": "message too long"})
            else:
                self._buffers[socket] = data
            return
        line = data.split(b"\n", 1)[0]
        self._buffers[socket] = b""
        self._reply(socket, self._handle(line))

    def _reply(self, socket: QLocalSocket, reply: dict) -> None:
        socket.write(json.dumps(reply, default=str).encode() + b"\n")
        socket.flush()
        socket.disconnectFromServer()

    def _handle(self, line: bytes) -> dict:
        try:
            message = json.loads(line)
        except ValueError:
            return {"ok": False, "error": "not a JSON message"}
        op = message.get("op") if isinstance(message, dict) else None
        if op == "ping":
            return {"ok": True, "pid": os.getpid()}
        if op == "status":
            return {"ok": True, "pid": os.getpid(), **self._status()}
        if op == "call":
            try:
                call = IncomingCall.from_message(message.get("call"))
            except CallFormatError as error:
                return {"ok": False, "error": str(error)}
            log.info("call handed over: %s", call.display)
            self.call_received.emit(call)
            return {"ok": True, "message": f"The desk shows the call from {call.display}"}
        return {"ok": False, "error": f"unknown op {op!r}"}
