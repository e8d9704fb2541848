"""Slow clients: TLS sockets that send a request's headers, or its body, one byte a second.

Used by tests/deployment/test_slow_clients.py and benchmarks/slow_clients.py. Loopback only.
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
import time
from pathlib import Path

HEADER_START = b"POST /twilio/sms HTTP/1.1\r\nHost: localhost\r\nX-Slow: "  # a header line that never ends
BODY_START = (b"POST /twilio/sms HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: 4096\r\n\r\nBody=")  # fmt: skip


class SlowClients:
    """`headers` sockets sending unfinished headers and `bodies` sockets sending a 4 KB body, each a
    byte a second until `quiet` is set. While refilling, a socket the server closed is replaced."""

    def __init__(self, port: int, ca: Path | None, headers: int, bodies: int) -> None:
        """Over TLS trusting `ca`; without a CA, plain HTTP (a node reached directly)."""
        self.port, self.context = port, ssl.create_default_context(cafile=str(ca)) if ca else None
        self.wanted = [HEADER_START] * headers + [BODY_START] * bodies
        self.open: dict[socket.socket, bytes] = {}
        self.opened = self.closed = self.refused = 0
        self.filled, self.quiet, self.stop = threading.Event(), threading.Event(), threading.Event()

    def connect(self, start: bytes) -> None:
        try:
            sock = socket.create_connection(("127.0.0.1", self.port), timeout=10)
            if self.context:
                sock = self.context.wrap_socket(sock, server_hostname="localhost")
            sock.sendall(start)
            sock.setblocking(False)  # TLS 1.3 makes a socket readable with no data (session tickets)
        except OSError:
            self.refused += 1
            return
        self.open[sock] = start
        self.opened += 1

    def fill(self) -> None:
        """Open sockets until each kind has as many as it wants, trickling to those open meanwhile."""
        last = time.monotonic()
        for start in set(self.wanted):
            for _ in range(self.wanted.count(start) - sum(s == start for s in self.open.values())):
                self.connect(start)
                if time.monotonic() - last >= 1.0:  # opening hundreds of TLS sockets takes seconds
                    self.trickle()
                    last = time.monotonic()

    def trickle(self) -> None:
        """One byte to every open socket (none once quiet); count and forget those the server closed."""
        readable = select.select(list(self.open), [], [], 0)[0] if self.open else []
        for sock in list(self.open):
            try:
                if sock in readable and not _read(sock):  # EOF (or an error page, then EOF)
                    raise ConnectionResetError
                if not self.quiet.is_set():
                    sock.send(b"a")
            except (ssl.SSLWantWriteError, BlockingIOError):
                pass
            except OSError:  # ssl.SSLError too
                del self.open[sock]
                sock.close()
                self.closed += 1

    def run(self, refill_s: float = 0.0) -> None:
        """Refill for refill_s seconds, then only trickle, a byte a second, until stopped."""
        began = time.monotonic()
        self.fill()
        self.filled.set()
        while not self.stop.wait(1.0):
            self.trickle()
            if time.monotonic() - began < refill_s:
                self.fill()

    def close(self) -> None:
        self.stop.set()
        for sock in self.open:
            sock.close()


def _read(sock: socket.socket) -> bool:
    """False at EOF; True when data came, or only TLS records of no data."""
    try:
        return bool(sock.recv(4096))
    except (ssl.SSLWantReadError, BlockingIOError):
        return True
