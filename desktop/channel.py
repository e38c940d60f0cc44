"""The local channel that `sentinel open` uses to hand a visit to the running panel.

A `QLocalServer` (a Unix socket, a named pipe on Windows) whose name is derived from the user and
the data folder, opened with `UserAccessOption`, so only the same OS user reaches it. One message
per connection, each way: a 4-byte big-endian length, then UTF-8 JSON.

    client -> panel   the hand-over object (see desktop.handover)
    panel -> client   {"ok": true} or {"ok": false, "error": "what was wrong"}

The panel validates before it changes anything; a refused hand-over is answered with the reason
and also shown in the panel.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import re
import struct
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from desktop.errors import HandoverRefused, PanelNotRunning
from desktop.handover import MAX_BYTES, Handover, parse_handover
from engine.home import sentinel_home

log = logging.getLogger(__name__)

_HEADER = struct.Struct(">I")
REPLY_LIMIT = 4096


def channel_name(home: Path | None = None) -> str:
    """The channel's name for this user and data folder (two data folders, two panels)."""
    home = sentinel_home() if home is None else home
    user = re.sub(r"[^A-Za-z0-9_-]", "_", getpass.getuser())[:32]
    folder = hashlib.sha256(str(home.resolve()).encode("utf-8")).hexdigest()[:12]
    return f"ed-sentinel-{user}-{folder}"


def _frame(payload: bytes) -> bytes:
    return _HEADER.pack(len(payload)) + payload


class _Connection(QObject):
    """One client's message, gathered as it arrives."""

    def __init__(self, socket: QLocalSocket, channel: PanelChannel) -> None:
        super().__init__(channel)
        self._socket = socket
        self._channel = channel
        self._buffer = b""
        socket.setParent(self)
        socket.readyRead.connect(self._read)
        socket.disconnected.connect(self.deleteLater)

    def _read(self) -> None:
        self._buffer += bytes(self._socket.readAll().data())
        if len(self._buffer) < _HEADER.size:
            return
        (length,) = _HEADER.unpack_from(self._buffer)
        if length > MAX_BYTES:
            self._answer({"ok": False, "error": f"the hand-over is larger than {MAX_BYTES} "
                                                "bytes"})
            return
        if len(self._buffer) < _HEADER.size + length:
            return
        payload = self._buffer[_HEADER.size:_HEADER.size + length]
        self._answer(self._channel.deliver(payload))

    def _answer(self, reply: dict[str, object]) -> None:
        self._socket.write(_frame(json.dumps(reply, ensure_ascii=False).encode("utf-8")))
        self._socket.flush()
        self._socket.disconnectFromServer()


class PanelChannel(QObject):
    """The panel's end: listens, validates, and emits each accepted hand-over."""

    handover_received = Signal(object)  # Handover
    handover_refused = Signal(str)  # the reason, for the panel to show

    def __init__(self, name: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name or channel_name()
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)

    def listen(self) -> bool:
        """Start listening; False when another panel of this user already does.

        Asked first, because with `UserAccessOption` Qt creates the socket aside and renames
        it into place, which would quietly take the name from a running panel. (Two panels
        started in the same instant may both listen; the later one then owns the name.)
        """
        if _someone_listens(self.name):
            return False
        # Whatever is left under the name is a socket of a panel that crashed.
        QLocalServer.removeServer(self.name)
        if not self._server.listen(self.name):
            log.warning("cannot open the local channel: %s", self._server.errorString())
            return False
        return True

    def close(self) -> None:
        self._server.close()

    def deliver(self, payload: bytes) -> dict[str, object]:
        """Validate one hand-over and pass it on; the reply for the sender."""
        try:
            handover = parse_handover(payload)
        except HandoverRefused as exc:
            log.info("hand-over refused on the local channel")
            self.handover_refused.emit(str(exc))
            return {"ok": False, "error": str(exc)}
        self.handover_received.emit(handover)
        return {"ok": True}

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            if socket is not None:
                _Connection(socket, self)


def _someone_listens(name: str) -> bool:
    probe = QLocalSocket()
    probe.connectToServer(name)
    answered = probe.waitForConnected(500)
    probe.abort()
    return answered


def send_handover(payload: bytes, *, name: str | None = None, timeout_ms: int = 5000) -> None:
    """Hand `payload` to the running panel and wait for its answer (blocking; no event loop).

    PanelNotRunning when no panel of this user listens; HandoverRefused with the panel's reason.
    """
    name = name or channel_name()
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        raise PanelNotRunning("no ED Sentinel panel is running for this user; start it with "
                              "`sentinel panel --handover FILE.json`")
    socket.write(_frame(payload))
    socket.flush()

    reply = b""
    while True:
        if len(reply) >= _HEADER.size:
            (length,) = _HEADER.unpack_from(reply)
            if length > REPLY_LIMIT:
                raise PanelNotRunning("the panel answered with something unexpected")
            if len(reply) >= _HEADER.size + length:
                break
        if not socket.waitForReadyRead(timeout_ms):
            socket.abort()
            raise PanelNotRunning(f"the panel did not answer within {timeout_ms / 1000:.0f}s")
        reply += bytes(socket.readAll().data())
    socket.abort()

    answer = json.loads(reply[_HEADER.size:_HEADER.size + length].decode("utf-8"))
    if not answer.get("ok"):
        raise HandoverRefused(str(answer.get("error") or "the panel refused the hand-over"))


__all__ = ["Handover", "PanelChannel", "channel_name", "send_handover"]
