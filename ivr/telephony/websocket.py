"""A WebSocket served on the upgrade request's own thread: the `websockets` library's sans-I/O protocol
on the socket the WSGI server hands over (gunicorn's, or werkzeug's under `ivr serve`).

Why not flask-sock: it gives every socket a reader thread besides the request's, and a wake-up of each
per message. Here one thread reads, parses and answers, which also lets the caller of `receive` read a
quiet line in batches (benchmarks/sockets.py, docs/PERFORMANCE.md).
"""

from __future__ import annotations

import socket
import time
from collections import deque

from flask import Response
from websockets.datastructures import Headers
from websockets.frames import CloseCode, Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State
from websockets.server import ServerProtocol

READ_BYTES = 65536
SEND_S = 5.0  # a peer that does not read what we send for this long is gone
MAX_FRAGMENTS = 16  # Twilio sends each message in one frame; empty fragments must not pile up


class _Done(Response):
    """The response to a finished WebSocket: its socket has been shut down."""

    def __call__(self, environ: dict, start_response):  # noqa: ANN204
        if "gunicorn.socket" in environ:
            raise StopIteration  # gunicorn closes the connection without a response
        return super().__call__(environ, start_response)  # werkzeug's write fails quietly


class ConnectionClosed(Exception):
    """The peer closed the socket, broke the protocol, or went away."""


class WebSocket:
    """One accepted WebSocket: whole messages in, a close out."""

    def __init__(self, environ: dict, headers: Headers | list, max_size: int) -> None:
        self.sock: socket.socket | None = environ.get("gunicorn.socket") or environ.get("werkzeug.socket")
        if self.sock is None:
            raise RuntimeError("this WSGI server does not hand over its socket")
        # The server has parsed the HTTP request: one protocol answers it, a second one, open from
        # the start, speaks the frames that follow (no extensions were offered back).
        handshake = ServerProtocol()
        path = environ.get("RAW_URI") or environ.get("PATH_INFO", "/")
        method, protocol = environ.get("REQUEST_METHOD", "GET"), environ.get("SERVER_PROTOCOL", "HTTP/1.1")
        response = handshake.accept(Request(path, Headers(headers), method, protocol))
        if response.status_code != 101:  # not sent: the view answers with an HTTP error instead
            raise ConnectionClosed(f"not a WebSocket handshake: {handshake.handshake_exc}")
        handshake.send_response(response)
        self.sock.sendall(b"".join(handshake.data_to_send()))
        self.protocol = ServerProtocol(state=State.OPEN, max_size=max_size)
        self.messages: deque[str | bytes] = deque()
        self.fragments: list[Frame] = []
        self.broken = False  # a send failed: the stream of frames out is cut, nothing more goes out
        self.refused = False  # a message broke the rules: the socket is closing

    @property
    def buffered(self) -> bool:
        """Messages already read from the socket wait to be received."""
        return bool(self.messages)

    def receive(self, timeout: float) -> str | bytes | None:
        """The next whole message; None if none came within timeout seconds."""
        deadline = time.monotonic() + timeout
        while not self.messages:
            if self.broken or self.protocol.state is not State.OPEN:
                raise ConnectionClosed("the socket broke" if self.broken else
                                       f"the socket is {self.protocol.state.name.lower()}")  # fmt: skip
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            try:
                self.sock.settimeout(remaining)
                data = self.sock.recv(READ_BYTES)
            except TimeoutError:
                return None
            except OSError as error:
                raise ConnectionClosed(str(error)) from None
            if data:
                self.protocol.receive_data(data)
            else:
                self.protocol.receive_eof()
            for frame in self.protocol.events_received():
                if not self.refused:  # nothing after a message we refused counts
                    self._take(frame)
            self._flush()  # pongs, and the reply to a close
        return self.messages.popleft()

    def close(self, code: int = CloseCode.NORMAL_CLOSURE, reason: str = "") -> None:
        """Say goodbye if the socket is still open, and stop talking."""
        if self.protocol.state is State.OPEN and not self.broken:
            self.protocol.send_close(code, reason)
            self._flush()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # the peer is gone already

    def response(self) -> Response:
        """What the view returns once the socket is done: the server must write nothing more."""
        return _Done()

    def _take(self, frame: Frame) -> None:
        """Whole messages only: Twilio sends each in one frame, others may fragment."""
        if frame.opcode in (Opcode.TEXT, Opcode.BINARY, Opcode.CONT):
            self.fragments.append(frame)
            if len(self.fragments) > MAX_FRAGMENTS:
                self._refuse(CloseCode.POLICY_VIOLATION, "a message in too many fragments")
            elif frame.fin:
                text, data = self.fragments[0].opcode is Opcode.TEXT, b"".join(f.data for f in self.fragments)
                self.fragments.clear()
                try:
                    self.messages.append(data.decode() if text else data)
                except UnicodeDecodeError:  # the messages before it are still received
                    self._refuse(CloseCode.INVALID_DATA, "text that is not UTF-8")

    def _refuse(self, code: CloseCode, reason: str) -> None:
        self.refused = True
        self.protocol.fail(code, reason)

    def _flush(self) -> None:
        pending = self.protocol.data_to_send()
        if not pending or self.broken:
            return
        try:
            self.sock.settimeout(SEND_S)
            for data in pending:
                if data:
                    self.sock.sendall(data)
                else:  # the protocol's end of stream: the server closes the TCP connection
                    self.sock.shutdown(socket.SHUT_WR)
        except OSError:  # part of a frame may have gone out: no frame after it could be read
            self.broken = True
