"""Play Twilio's part on a streamed call: the signed Media Stream, and the REST API that moves calls.

The stream sends the caller's audio as Twilio does: mu-law, 20 ms a message, quiet line between
answers. The REST API records each update, answers like Twilio, and then fetches the new TwiML,
which replaces whatever the call was doing.
"""

from __future__ import annotations

import base64
import itertools
import json
import random
import socket
import threading
import time
from collections import deque
from urllib.parse import urlsplit

from twilio.request_validator import RequestValidator
from websockets.exceptions import ConnectionClosed
from websockets.protocol import State
from websockets.sync.client import connect

from ivr.qa.driver import CallError, Heard, TwilioCall
from ivr.qa.twilio_api import TwilioApi, Update
from ivr.speech.audio import decode_wav
from ivr.speech.telephone import FRAME_BYTES, level_db, pcm_to_ulaw, to_8k

FRAME_S = 0.02
TAIL_S = 2.0  # quiet line sent at the replay's speed after an answer, so endpoints need no waiting
SETTLE_S = 2.0  # after the tail, this long without a move: the app heard no answer, Twilio's timer runs out
LINE_LEVEL = 40  # a quiet telephone line, about -63 dBFS, as the tests' speech is laid over
_quiet = random.Random(7)


def quiet_line(seconds: float) -> bytes:
    """Low line noise as 16-bit PCM: real calls never carry digital silence."""
    samples = [_quiet.randint(-LINE_LEVEL, LINE_LEVEL) for _ in range(int(8000 * seconds))]
    return b"".join(s.to_bytes(2, "little", signed=True) for s in samples)


QUIET_FRAME = pcm_to_ulaw(quiet_line(FRAME_S))


def frames(audio: bytes) -> tuple[list[bytes], int]:
    """A WAV as mu-law 20 ms frames, and the index of the frame where its speech ends."""
    sound = decode_wav(audio)
    pcm = to_8k(sound.pcm, sound.rate)
    chunks = [pcm[at : at + FRAME_BYTES] for at in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES)]
    levels = [level_db(c) for c in chunks]
    loud = max(levels, default=0) - 20
    last = max((i for i, level in enumerate(levels) if level > loud), default=len(chunks) - 1)
    return [pcm_to_ulaw(c) for c in chunks], last


class StreamLine:
    """The call's media stream: a signed WebSocket to the app, fed in real time or faster."""

    def __init__(self, ws_url: str, signed_url: str, token: str, sid: str, account_sid: str,
                 speed: float = 1.0, signature: str | None = None,
                 parameters: dict[str, str] | None = None) -> None:  # fmt: skip
        if signature is None:
            signature = RequestValidator(token).compute_signature(signed_url, {})
        self.ws = connect(
            ws_url, additional_headers={"X-Twilio-Signature": signature}, compression=None, legacy=True
        )  # a line held open for the call, closed by stop or drop
        self.sid, self.account_sid, self.speed = sid, account_sid, speed
        self.parameters = parameters or {}  # the <Stream>'s <Parameter>s, as Twilio sends them back
        self.stream_sid = "MZ" + sid[2:]
        self.queue: deque[tuple[bytes, bool]] = deque()  # (frame, sent at the replay's speed)
        self.spoke_at: dict[int, float] = {}  # marker -> when the speech's last frame went out
        self.audio_s = 0.0  # the call's audio time: seconds of audio sent so far
        self.spoke_audio_s: dict[int, float] = {}  # marker -> the audio time of the speech's last frame
        self.sent_at: dict[int, float] = {}  # marker -> when the tail after it went out
        self.sequence = itertools.count(1)
        self.lock = threading.Lock()
        self.running = True
        self.slowdown = 1.0  # over 1: audio arrives slower than real time, as from a lagging process
        self.thread: threading.Thread | None = None

    def start(self, account_sid: str | None = None) -> None:
        """Say connected and start, then keep the audio flowing until stop."""
        self.send({"event": "connected", "protocol": "Call", "version": "1.0.0"})
        self.send({"event": "start", "sequenceNumber": str(next(self.sequence)), "streamSid": self.stream_sid,
                   "start": {"accountSid": account_sid or self.account_sid, "streamSid": self.stream_sid,
                             "callSid": self.sid, "tracks": ["inbound"], "customParameters": self.parameters,
                             "mediaFormat": {"encoding": "audio/x-mulaw", "sampleRate": 8000,
                                             "channels": 1}}})  # fmt: skip
        self.thread = threading.Thread(target=self._pump, daemon=True, name=f"stream-{self.sid[-6:]}")
        self.thread.start()

    def speak(self, audio: bytes, marker: int) -> None:
        """Queue an answer's audio, then a tail of quiet line, at the replay's speed."""
        chunks, last = frames(audio)
        tail = [QUIET_FRAME] * int(TAIL_S / FRAME_S)
        with self.lock:
            for i, chunk in enumerate([*chunks, *tail]):
                self.queue.append((chunk, marker if i == last else 0))
            self.queue[-1] = (self.queue[-1][0], -marker)

    def send(self, message: dict) -> None:
        self.ws.send(json.dumps(message))

    def stop(self) -> None:
        """End the stream as Twilio does when the call ends."""
        self._halt()
        try:
            self.send({"event": "stop", "sequenceNumber": str(next(self.sequence)), "streamSid": self.stream_sid,
                       "stop": {"accountSid": self.account_sid, "callSid": self.sid}})  # fmt: skip
            self.ws.close()
        except (ConnectionClosed, OSError):
            pass  # the app closed first

    def drop(self) -> None:
        """Lose the connection without a stop, as a network failure does."""
        self._halt()
        self.ws.socket.shutdown(socket.SHUT_RDWR)  # a FIN, whatever the reader thread is doing
        self.ws.socket.close()

    @property
    def open(self) -> bool:
        return self.running and self.ws.protocol.state is State.OPEN

    def _halt(self) -> None:
        self.running = False
        if self.thread is not None:
            self.thread.join(timeout=2)

    def _pump(self) -> None:
        chunk = itertools.count(1)
        due = time.monotonic()
        while self.running:
            with self.lock:
                frame, marker = self.queue.popleft() if self.queue else (QUIET_FRAME, 0)
                fast = bool(self.queue) or marker
            try:
                self.send({"event": "media", "sequenceNumber": str(next(self.sequence)),
                           "streamSid": self.stream_sid,
                           "media": {"track": "inbound", "chunk": str(next(chunk)), "timestamp": "0",
                                     "payload": base64.b64encode(frame).decode()}})  # fmt: skip
            except (ConnectionClosed, OSError):
                self.running = False
                return
            self.audio_s += FRAME_S
            if marker > 0:
                self.spoke_at[marker] = time.monotonic()
                self.spoke_audio_s[marker] = self.audio_s
            elif marker < 0:
                self.sent_at[-marker] = time.monotonic()
            due += FRAME_S * self.slowdown / (self.speed if fast else 1.0)
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            elif pause < -1.0:  # the machine stalled: do not burst a second of audio at once
                due = time.monotonic()


class StreamedCall(TwilioCall):
    """A call on a streamed line: webhooks as TwilioCall, answers spoken over the media stream."""

    def __init__(self, *args, ws_base: str, api: TwilioApi, speed: float = 1.0, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.ws_base, self.api, self.speed = ws_base.rstrip("/"), api, speed
        self.line: StreamLine | None = None
        self.moves: list[tuple[Update, Heard]] = []
        self.changed = threading.Condition(threading.RLock())
        self.markers = itertools.count(1)
        self.token = kwargs.get("token")

    def dial(self) -> Heard:
        self.api.calls[self.sid] = self
        heard = super().dial()
        if heard.stream:
            path = urlsplit(heard.stream).path
            self.line = StreamLine(self.ws_base + path, heard.stream, self.token or "", self.sid,
                                   self.account_sid, self.speed, parameters=heard.stream_parameters)  # fmt: skip
            self.line.start()
        return heard

    def say(self, audio: bytes, seconds: int = 2, timeout: float = 30.0) -> Heard:
        """Speak an answer over the stream and wait until the app moves the call on.

        When no move comes, the question's own timer runs out as on Twilio: its silence redirect.
        """
        if self.line is None or not self.line.open or self.heard.waits_for == "record":
            return super().say(audio, seconds)
        marker = self.speak(audio)

        def settled() -> bool:
            sent = self.line.sent_at.get(marker)
            return self.answered_after(marker) or (sent is not None and time.monotonic() > sent + SETTLE_S)

        self.wait_for(settled, timeout, "the stream did not carry the answer")
        return self.heard if self.answered_after(marker) else self.silence()

    def speak(self, audio: bytes) -> int:
        """Send an answer's audio without waiting; return its marker for spoke_at."""
        with self.changed:
            marker = next(self.markers)
            self.marks = {**getattr(self, "marks", {}), marker: len(self.moves)}
        self.line.speak(audio, marker)
        return marker

    def answered_after(self, marker: int) -> bool:
        """A move that is not the listening TwiML came after the marker's answer began."""
        return any("/twilio/listening" not in u.url for u, _ in self.moves[self.marks[marker] :])

    def spoke_at(self, marker: int) -> float | None:
        return self.line.spoke_at.get(marker) if self.line else None

    def wait_for(self, condition, timeout: float, problem: str) -> None:  # noqa: ANN001
        deadline = time.monotonic() + timeout
        with self.changed:
            while not condition():
                if time.monotonic() > deadline:
                    raise CallError(f"{problem} within {timeout:.0f} s")
                self.changed.wait(0.05)

    def moved_to(self, update: Update) -> None:
        """Do what Twilio does after an update: stop the current verb and fetch the new TwiML."""
        with self.changed:
            update.fetched_at = time.monotonic()
            try:
                heard = self._request(update.url, self.params())
            except OSError:  # a kept-alive connection the server had closed: Twilio asks again
                heard = self._request(update.url, self.params())
            self.moves.append((update, heard))
            self.changed.notify_all()

    def _request(self, url: str, params: dict) -> Heard:
        with self.changed:  # the REST API's fetches and the caller's own requests take turns
            return super()._request(url, params)

    def hangup(self, duration: int = 30) -> tuple[int, str]:
        self.close_stream()
        return super().hangup(duration)

    def close_stream(self) -> None:
        """End the media stream as Twilio does when the call ends."""
        if self.line is not None and self.line.open:
            self.line.stop()
        self.api.calls.pop(self.sid, None)
