"""The media streams on one asyncio loop: `ivr streams serve`, a process beside gunicorn's webhooks.

flask-sock gives every stream two threads that wake 50 times a second (simple-websocket's reader and
the handler); here one loop reads every socket, and each call's work runs in order on a shared pool,
off the loop. Measured on 20 silent streams: 0.37-0.48% of a core a stream against 1.0%
(benchmarks/sockets.py, docs/PERFORMANCE.md). The protocol is media.MediaStream's, as under flask-sock.
"""

from __future__ import annotations

import asyncio
import contextvars
import hmac
import logging
import signal
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from http import HTTPStatus

from flask import Flask
from twilio.request_validator import RequestValidator
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from ivr import metrics
from ivr.runtime import runtime
from ivr.telephony.media import MAX_MESSAGE_BYTES, MediaStream, ProtocolError, Streams
from ivr.telephony.signature import stream_url

log = logging.getLogger(__name__)

PATH = "/twilio/stream"
# Threads for the calls' work. Decoding runs outside the GIL and answers wait on the database: a few
# more than the cores, so that one slow answer does not hold up the other calls' audio.
WORKERS = 8
CLOSE_S = 2.0  # a peer that does not finish the closing handshake in this long is cut off


class Lane:
    """One call's work, in order, on the shared pool: the loop hands it over and never waits for it."""

    def __init__(self, pool: ThreadPoolExecutor, broke: Callable[[BaseException], None]) -> None:
        self.pool, self.broke = pool, broke
        self.pending: deque[tuple[Callable[[], None], bool]] = deque()  # (work, last)
        self.lock = threading.Lock()
        self.busy = self.broken = False
        self.context = contextvars.copy_context()  # the call's own: its log lines name its CallSid

    def push(self, work: Callable[[], None], last: bool = False) -> None:
        """Queue work; after a failure only the `last` work (the stream's end) still runs."""
        with self.lock:
            if self.broken and not last:
                return
            self.pending.append((work, last))
            if self.busy:
                return
            self.busy = True
        self.pool.submit(self.context.run, self._drain)

    def _drain(self) -> None:
        while True:
            with self.lock:
                if not self.pending:
                    self.busy = False
                    return
                work, _ = self.pending.popleft()
            try:
                work()
            except Exception as error:  # noqa: BLE001 - the stream is given up; the call goes on with <Record>
                with self.lock:
                    self.broken = True
                    self.pending = deque(item for item in self.pending if item[1])
                self.broke(error)


class StreamServer:
    """Admits signed upgrades, then feeds each call's messages to its MediaStream through a Lane."""

    def __init__(self, app: Flask, pool: ThreadPoolExecutor) -> None:
        self.app, self.rt, self.pool = app, runtime(app), pool
        self.open = 0  # streams being served: the loop's own count, so no lock

    @property
    def registry(self) -> Streams:
        return self.app.extensions["ivr.streams"]

    def admit(self, connection: ServerConnection, request: Request) -> Response | None:
        """Answer before upgrading: /metrics and /healthz; 403 for a bad signature; 503 over the cap."""
        path, _, query = request.path.partition("?")
        settings = self.rt.config
        if path == "/healthz":
            return connection.respond(HTTPStatus.OK, "ok\n")
        if path == "/metrics":
            return self._metrics(connection, request)
        if path != PATH or settings.listen != "stream" or not settings.auth_token:
            return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")
        url = stream_url(settings.public_url) + (f"?{query}" if query else "")
        signature = request.headers.get("X-Twilio-Signature", "")
        if not RequestValidator(settings.auth_token).validate(url, {}, signature):
            log.warning("refused a media stream with a bad signature")
            return connection.respond(HTTPStatus.FORBIDDEN, "forbidden\n")
        if self.open >= self.registry.limit:
            log.error("refused a media stream: this process serves %d already", self.registry.limit)
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "too many streams\n")
        return None

    def _metrics(self, connection: ServerConnection, request: Request) -> Response:
        token = self.rt.config.metrics_token
        given = request.headers.get("Authorization", "").partition(" ")[2].strip()
        if token and not hmac.compare_digest(given.encode(), token.encode()):
            return connection.respond(HTTPStatus.UNAUTHORIZED, "a bearer token is needed\n")
        response = connection.respond(HTTPStatus.OK, metrics.exposition().decode())
        response.headers["Content-Type"] = "text/plain; version=0.0.4"
        return response

    async def stream(self, ws: ServerConnection) -> None:
        self.open += 1
        loop = asyncio.get_running_loop()
        call = MediaStream(self.registry, self.rt, partial(self.app.test_request_context, PATH))

        def broke(error: BaseException) -> None:
            if isinstance(error, ProtocolError):
                call.refused(error)
            else:
                log.error("call %s: the stream failed", call.sid, exc_info=error)
            if not loop.is_closed():
                asyncio.run_coroutine_threadsafe(ws.close(), loop)

        lane = Lane(self.pool, broke)
        try:
            while not (call.stopped or lane.broken):
                try:
                    raw = await asyncio.wait_for(ws.recv(), call.wait_s)
                except TimeoutError:
                    call.refused(ProtocolError("no message in time"))
                    break
                lane.push(partial(call.take, raw))
        except ConnectionClosed:
            pass
        finally:
            self.open -= 1
            lane.push(call.end, last=True)
            await ws.close()


async def serve_streams(app: Flask, host: str, port: int, ready: Callable[[int], None] | None = None,
                        stop: asyncio.Event | None = None) -> None:  # fmt: skip
    """Serve until `stop` is set, or SIGTERM/SIGINT when none is given; then finish every call's work."""
    stop = stop or _on_signals()
    with ThreadPoolExecutor(WORKERS, thread_name_prefix="stream") as pool:
        server = StreamServer(app, pool)
        async with serve(server.stream, host, port, process_request=server.admit, max_size=MAX_MESSAGE_BYTES,
                         compression=None, ping_interval=None, close_timeout=CLOSE_S) as listening:  # fmt: skip
            if ready:
                ready(listening.sockets[0].getsockname()[1])
            await stop.wait()
    # Leaving the pool waited for the lanes: every stream that did not stop was marked lost.


def _on_signals() -> asyncio.Event:
    stop, loop = asyncio.Event(), asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    return stop
