"""Play Twilio's part: post webhooks, follow TwiML, and report what the caller hears."""

from __future__ import annotations

import itertools
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urljoin

from twilio.request_validator import RequestValidator


class Transport(Protocol):
    """Delivers one webhook; returns the HTTP status and body."""

    def post(self, url: str, params: dict, headers: dict) -> tuple[int, str]: ...


class RecordingHost(Protocol):
    """Makes caller audio downloadable, as Twilio does with recordings."""

    def publish(self, audio: bytes) -> str: ...


class CallError(AssertionError):
    """The app answered something Twilio would not accept."""


@dataclass
class Heard:
    """One TwiML document as the caller experiences it."""

    says: list[str] = field(default_factory=list)
    waits_for: str = "nothing"  # gather, record, hangup, dial, nothing
    action: str | None = None
    fallback: str | None = None  # the Redirect after a Gather/Record: taken on silence
    dialled: str | None = None
    stream: str | None = None  # the media stream a <Start><Stream> asks Twilio to open
    stream_parameters: dict[str, str] = field(default_factory=dict)  # its <Parameter>s, sent in its start
    latency: float = 0.0

    @property
    def text(self) -> str:
        return " ".join(self.says)


class TwilioCall:
    """One simulated phone call through the webhooks, following TwiML like Twilio."""

    _sids = itertools.count(1)

    def __init__(self, transport: Transport, base_url: str, caller: str = "+79161234567",
                 called: str = "+74950000000", token: str | None = None,
                 account_sid: str = "AC" + "0" * 32, recordings: RecordingHost | None = None,
                 voice_path: str = "/twilio/voice") -> None:  # fmt: skip
        self.transport = transport
        self.base_url = base_url.rstrip("/")
        self.caller, self.called = caller, called
        self.validator = RequestValidator(token) if token else None
        self.account_sid = account_sid
        self.recordings = recordings
        self.voice_path = voice_path
        self.sid = (
            f"CA{uuid.uuid4().hex[:26]}{next(self._sids):06d}"  # unique on a server that keeps its calls
        )
        self.heard: Heard | None = None
        self.history: list[Heard] = []
        self.url = ""

    def params(self, **extra: str) -> dict:
        base = {"CallSid": self.sid, "AccountSid": self.account_sid, "From": self.caller,
                "To": self.called, "CallStatus": "in-progress", "Direction": "inbound"}  # fmt: skip
        return {**base, **extra}

    def post(self, url: str, params: dict) -> tuple[int, str]:
        headers = {}
        if self.validator:
            headers["X-Twilio-Signature"] = self.validator.compute_signature(url, params)
        return self.transport.post(url, params, headers)

    def dial(self) -> Heard:
        return self._request(self.base_url + self.voice_path, self.params(CallStatus="ringing"))

    def press(self, keys: str) -> Heard:
        """Press keys at a Gather, or a key that ends a Record."""
        h = self._waiting()
        if h.waits_for == "record":
            return self._request(h.action, self.params(Digits=keys[:1], RecordingDuration="1",
                                                       RecordingUrl=self._silence_url()))  # fmt: skip
        return self._request(h.action, self.params(Digits=keys.rstrip("#")))

    def say(self, audio: bytes, seconds: int = 2) -> Heard:
        """Answer a Record with audio, served like a Twilio recording."""
        h = self._waiting()
        if h.waits_for != "record":
            raise CallError(f"the app is not recording but waiting for {h.waits_for}")
        url = self.recordings.publish(audio)
        return self._request(h.action, self.params(RecordingUrl=url, RecordingSid="RE" + "1" * 32,
                                                   RecordingDuration=str(seconds), Digits=""))  # fmt: skip

    def silence(self) -> Heard:
        h = self._waiting()
        if not h.fallback:
            raise CallError("the question has no fallback for silence: the line would go dead")
        return self._request(h.fallback, self.params())

    def hangup(self, duration: int = 30) -> tuple[int, str]:
        return self.post(self.base_url + "/twilio/status",
                         self.params(CallStatus="completed", CallDuration=str(duration)))  # fmt: skip

    def replay_last(self) -> tuple[int, str]:
        """Deliver the last webhook again, as Twilio does on a retry."""
        return self.post(self._last[0], self._last[1])

    def _silence_url(self) -> str:
        return self.recordings.publish(b"") if self.recordings else ""

    def _waiting(self) -> Heard:
        if self.heard is None or self.heard.waits_for not in ("gather", "record"):
            state = self.heard.waits_for if self.heard else "not dialled"
            raise CallError(f"the call is not waiting for an answer ({state})")
        return self.heard

    def _request(self, url: str, params: dict) -> Heard:
        says: list[str] = []
        stream, parameters = None, {}
        latency = 0.0  # the caller waits through the whole chain of redirects
        for _ in range(10):  # Redirects without a question in between
            self._last = (url, params)
            started = time.perf_counter()
            status, body = self.post(url, params)
            latency += time.perf_counter() - started
            if status != 200:
                raise CallError(f"{url} answered HTTP {status}")
            heard = parse(body)
            heard.latency = latency
            if heard.stream and not stream:
                stream, parameters = heard.stream, heard.stream_parameters
            says += heard.says
            self.url = url
            if heard.waits_for == "nothing" and heard.fallback:
                url, params = urljoin(url, heard.fallback), self.params()
                continue
            heard.says, heard.stream, heard.stream_parameters = says, stream, parameters
            heard.action = urljoin(url, heard.action) if heard.action else None
            heard.fallback = urljoin(url, heard.fallback) if heard.fallback else None
            self.heard = heard
            self.history.append(heard)
            return heard
        raise CallError("more than 10 redirects in a row")


def parse(body: str) -> Heard:
    """Read a TwiML document the way Twilio executes it."""
    if not body.startswith("<?xml") and not body.startswith("<Response"):
        raise CallError(f"not TwiML: {body[:80]!r}")
    root = ET.fromstring(body)
    heard = Heard()
    for verb in root:
        if verb.tag in ("Say", "Play"):
            heard.says.append(verb.text or verb.tag)
        elif verb.tag == "Start" and verb.find("Stream") is not None:
            stream = verb.find("Stream")
            heard.stream = stream.get("url")
            heard.stream_parameters = {p.get("name"): p.get("value") for p in stream.iter("Parameter")}
        elif verb.tag in ("Gather", "Record"):
            heard.says += [v.text or v.tag for v in verb if v.tag in ("Say", "Play")]
            heard.waits_for = verb.tag.lower()
            heard.action = verb.get("action")
        elif verb.tag == "Redirect":
            heard.fallback = verb.text
            break
        elif verb.tag == "Hangup":
            heard.waits_for = "hangup"
            break
        elif verb.tag == "Dial":
            heard.waits_for, heard.dialled = "dial", (verb.text or "").strip()
            break
    return heard


class FlaskTransport:
    """Deliver webhooks to an app in this process, through its test client."""

    def __init__(self, app) -> None:  # noqa: ANN001
        self.client = app.test_client()

    def post(self, url: str, params: dict, headers: dict) -> tuple[int, str]:
        response = self.client.post(url, data=params, headers=headers)
        if response.status_code == 200 and response.mimetype != "text/xml":
            raise CallError(f"{url} answered {response.mimetype}, not text/xml")
        return response.status_code, response.get_data(as_text=True)


class HttpTransport:
    """Deliver webhooks to a running server over HTTP."""

    def __init__(self, timeout: float = 15.0) -> None:
        import requests

        self.session = requests.Session()
        self.timeout = timeout

    def post(self, url: str, params: dict, headers: dict) -> tuple[int, str]:
        response = self.session.post(url, data=params, headers=headers, timeout=self.timeout,
                                     allow_redirects=False)  # fmt: skip
        return response.status_code, response.text
