"""The caller's audio over Twilio Media Streams: a signed WebSocket per call, for the call's life.

The socket lives in one process, and any worker takes the call's webhooks: what every worker must
know (live or lost) is kept on the call by the service; what is heard goes through its `answer`.
The upgrade's signature is the same for every call, so the `start` must also carry the call's own
token (signature.stream_token), and the call is claimed for the socket on the database: one stream
a call, whichever worker each start reaches.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import time

from flask import Blueprint, Flask, Response, abort, g, request
from twilio.request_validator import RequestValidator

from ivr import logs, metrics
from ivr.runtime import Runtime
from ivr.telephony.ears import Ears
from ivr.telephony.signature import stream_token_matches, stream_url
from ivr.telephony.websocket import CloseCode, ConnectionClosed, WebSocket

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 8 * 1024  # a 20 ms media message is about 400 bytes; start is the largest
MAX_PAYLOAD_BYTES = 1600  # 0.2 s of mu-law: Twilio sends 20 ms at a time
MAX_STREAMS = 64  # per process; each holds a thread, and the webhooks need theirs
START_WAIT_S = 5.0  # from the upgrade: Twilio sends connected and start at once
IDLE_S = 5.0  # Twilio sends audio every 20 ms, silence included: a socket without it is a dead one
BEHIND_S = 2.0  # audio this far behind the wall clock: the call is better off on <Record>
# A quiet line is read in batches this far apart, speech as it comes. Waking a thread for each 20 ms
# message cost more than all the rest of a silent stream (benchmarks/sockets.py); the listener works
# on audio time, so only the onset of speech waits, by up to this much.
QUIET_READ_S = 0.1
FORMAT = {"encoding": "audio/x-mulaw", "sampleRate": 8000, "channels": 1}


class ProtocolError(Exception):
    """The peer does not speak Twilio's Media Streams protocol: the socket is closed."""


class MediaStream:
    """One call's stream: connected, start, media..., stop."""

    def __init__(self, ws: WebSocket, rt: Runtime) -> None:
        self.ws, self.rt = ws, rt
        self.sid: str | None = None
        self.ears: Ears | None = None
        self.started_at = 0.0
        self.samples = 0
        self.stopped = False
        # Only a start, then audio, keeps the socket: other messages (connected, mark) do not.
        self.deadline = time.monotonic() + START_WAIT_S

    def run(self) -> None:
        try:
            self._receive()
        except ProtocolError as error:
            log.warning("media stream %s closed: %s", self.sid or "(no call)", error)
            self.ws.close(CloseCode.POLICY_VIOLATION)
        except ConnectionClosed:
            pass
        finally:
            self._end()

    def _receive(self) -> None:
        while not self.stopped:
            if self.ears is not None and self.ears.idle and not self.ws.buffered:
                time.sleep(QUIET_READ_S)
            remaining = self.deadline - time.monotonic()
            raw = self.ws.receive(timeout=remaining) if remaining > 0 else None
            if raw is None:
                raise ProtocolError("no audio in time" if self.sid else "no start in time")
            message = _parse(raw)
            event = message.get("event")
            if event == "start":
                self._start(message.get("start"))
            elif event == "media":
                self._media(message.get("media"))
            elif event == "stop":
                self.stopped = True
            # connected, mark and dtmf carry nothing the ears need

    def _start(self, start: object) -> None:
        if self.sid is not None or not isinstance(start, dict):
            raise ProtocolError("start twice, or without its body")
        sid = str(start.get("callSid") or "")
        if not (0 < len(sid) <= 64 and sid.isascii() and sid.isalnum()):
            raise ProtocolError("start without a well-formed callSid")
        fmt = start.get("mediaFormat")
        if not isinstance(fmt, dict) or {k: fmt.get(k) for k in FORMAT} != FORMAT:
            raise ProtocolError(f"unsupported media format {fmt!r}")
        rt = self.rt
        if start.get("accountSid") != rt.config.account_sid:
            raise ProtocolError(f"call {sid} is not of our account")
        parameters = start.get("customParameters")
        token = parameters.get("token") if isinstance(parameters, dict) else None
        if not stream_token_matches(rt.config.auth_token, sid, token):
            raise ProtocolError(f"start for call {sid} without its token")
        locale = rt.calls.streams.started(sid)
        if locale is None:  # ended, lost, not streamed, or heard by a stream already: that one keeps it
            raise ProtocolError(f"call {sid} has no stream to start")
        # The call is live from here: whatever fails after this, the stream's end marks it lost.
        self.sid, self.started_at = sid, time.monotonic()
        self.deadline = self.started_at + IDLE_S
        metrics.streams_active.inc()
        logs.CONVERSATION.set(sid)  # cleared with the request, when the socket ends
        self.ears = Ears(rt, sid, locale)
        log.info("call %s: media stream live", sid)

    def _media(self, media: object) -> None:
        if self.sid is None or not isinstance(media, dict):
            raise ProtocolError("media before start, or without its body")
        if media.get("track", "inbound") != "inbound":
            return
        payload = str(media.get("payload") or "")
        if len(payload) > MAX_PAYLOAD_BYTES * 4 // 3 + 4:
            raise ProtocolError("media payload over the cap")
        try:
            audio = base64.b64decode(payload, validate=True)
        except (binascii.Error, ValueError):
            raise ProtocolError("media payload is not base64") from None
        self.samples += len(audio)
        self.ears.hear(audio)
        now = time.monotonic()
        self.deadline = now + IDLE_S
        behind = now - self.started_at - self.samples / 8000
        if behind > BEHIND_S:
            raise ProtocolError(f"fell {behind:.1f} s behind the caller")

    def _end(self) -> None:
        if self.sid is None:
            return
        metrics.streams_active.dec()
        if not self.stopped:  # dropped, silent or behind: go on with <Record>
            self.rt.calls.streams.lost(self.sid)
            log.warning("call %s: media stream lost; the call goes on with <Record>", self.sid)


def _parse(raw: str | bytes) -> dict:
    try:
        message = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError("a message that is not JSON") from None
    if not isinstance(message, dict):
        raise ProtocolError("a message that is not a JSON object")
    return message


def init_app(app: Flask, rt: Runtime) -> None:
    """Mount the stream's socket, with its cap: the streams this process serves at once (`rt.streams`)."""
    settings, slots = rt.config, rt.streams
    bp = Blueprint("media", __name__, url_prefix="/twilio")

    @bp.before_request
    def admit() -> None:
        """Refuse, before upgrading: a bad signature (403), or a process that serves enough (503)."""
        if settings.listen != "stream" or not settings.auth_token:
            abort(404)
        query = request.query_string.decode()
        url = stream_url(settings.public_url) + (f"?{query}" if query else "")
        signature = request.headers.get("X-Twilio-Signature", "")
        if not RequestValidator(settings.auth_token).validate(url, {}, signature):
            log.warning("refused a media stream with a bad signature")
            abort(403)
        if not slots.acquire(blocking=False):
            log.error("refused a media stream: this process serves %d already", MAX_STREAMS)
            abort(503)
        g.stream_slot = True

    @bp.teardown_request
    def free(_exc: BaseException | None) -> None:
        if g.pop("stream_slot", False):
            slots.release()

    @bp.route("/stream", websocket=True)
    def stream() -> Response:
        try:
            ws = WebSocket(request.environ, list(request.headers.items()), MAX_MESSAGE_BYTES)
        except ConnectionClosed as error:
            log.warning("refused a media stream: %s", error)
            abort(400)
        try:
            MediaStream(ws, rt).run()
        finally:
            ws.close()
        return ws.response()

    app.register_blueprint(bp)
