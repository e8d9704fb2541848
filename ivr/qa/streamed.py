"""Replay cases on a streamed line: the app on a loopback port, answers spoken over its media stream."""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from werkzeug.serving import make_server

from ivr.config import from_environ
from ivr.qa.cases import Case
from ivr.qa.driver import HttpTransport
from ivr.qa.recordings import LocalRecordings
from ivr.qa.replay import run_cases
from ivr.qa.streams import StreamedCall
from ivr.qa.targets import (
    ACCOUNT_SID,
    PUBLIC_URL,
    InProcess,
    InProcessLine,
    Remote,
    RemoteLine,
    voice_path,
)
from ivr.qa.twilio_api import Rerouted, TwilioApi

TYPED = "say_text has no audio for the media stream: replay this case with --listen record"
RECORD_ONLY = "the case is about the <Record> path (listen: record)"
TEXTS = "a text case has no call to listen to: replay it with --listen record"


def skip_reason(case: Case) -> str | None:
    if case.texts:
        return TEXTS
    if "stream" not in case.listen:
        return RECORD_ONLY
    return TYPED if case.uses("say_text") else None


@contextmanager
def serving(app) -> Iterator[str]:  # noqa: ANN001
    """Serve an app on a free loopback port, as gunicorn would: webhooks and the stream's socket."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # the report says what happened
    thread = threading.Thread(target=server.serve_forever, daemon=True, name="replay-server")
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


class StreamedInProcess(InProcess):
    """Each case on a fresh app with IVR_LISTEN=stream, served on loopback; Twilio's API emulated."""

    mode = "in-process, streamed"

    def __init__(self, recordings: LocalRecordings, speed: float = 1.0) -> None:
        super().__init__(recordings)
        self.api = TwilioApi(ACCOUNT_SID, self.token)
        self.speed = speed

    def skip_reason(self, case: Case) -> str | None:
        return skip_reason(case)

    def _config(self, case: Case, folder: str, db) -> dict:  # noqa: ANN001
        return {
            **super()._config(case, folder, db),
            "IVR_LISTEN": "stream",
            "IVR_TWILIO_API_URL": self.api.url,
        }

    @contextmanager
    def line(self, case: Case) -> Iterator[InProcessLine]:
        with super().line(case) as plain, serving(plain.app) as local:
            call = StreamedCall(Rerouted(PUBLIC_URL, f"http://{local}"), PUBLIC_URL, caller=case.caller,
                                token=self.token, account_sid=ACCOUNT_SID, recordings=self.recordings,
                                voice_path=voice_path(case.locale), ws_base=f"ws://{local}", api=self.api,
                                speed=self.speed)  # fmt: skip
            try:
                yield InProcessLine(plain.app, call)
            finally:
                call.close_stream()

    def close(self) -> None:
        super().close()
        self.api.close()


class StreamedRemote(Remote):
    """Cases against a server with IVR_LISTEN=stream whose IVR_TWILIO_API_URL points at our API."""

    def __init__(self, url: str, recordings: LocalRecordings, api: TwilioApi, speed: float = 1.0) -> None:
        super().__init__(url, recordings, token=None)
        self.api, self.speed = api, speed

    def skip_reason(self, case: Case) -> str | None:
        return skip_reason(case)

    def transport(self) -> HttpTransport:
        """How the call's webhooks are posted: plain HTTP here; a load run times them."""
        return HttpTransport()

    @contextmanager
    def line(self, case: Case) -> Iterator[RemoteLine]:
        call = StreamedCall(self.transport(), self.mode, caller=case.caller, token=self.token,
                            account_sid=self.account_sid, recordings=self.recordings,
                            voice_path=voice_path(case.locale), ws_base=self.mode.replace("http", "ws", 1),
                            api=self.api, speed=self.speed)  # fmt: skip
        try:
            yield RemoteLine(call)
        finally:
            call.close_stream()


def simulated_line(stack: ExitStack, overrides: dict):  # noqa: ANN201
    """Set the app up for a streamed line; return how to place its call once the app exists."""
    token = secrets.token_hex(16)
    api = TwilioApi(ACCOUNT_SID, token)
    stack.callback(api.close)
    overrides.update({"IVR_LISTEN": "stream", "TWILIO_AUTH_TOKEN": token, "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                      "IVR_PUBLIC_URL": PUBLIC_URL, "IVR_TWILIO_API_URL": api.url})  # fmt: skip

    def place(app, caller: str, locale: str, recordings):  # noqa: ANN001, ANN202
        local = stack.enter_context(serving(app))
        return StreamedCall(Rerouted(PUBLIC_URL, f"http://{local}"), PUBLIC_URL, caller=caller, token=token,
                            account_sid=ACCOUNT_SID, recordings=recordings, voice_path=voice_path(locale),
                            ws_base=f"ws://{local}", api=api)  # fmt: skip

    return place


def replay_remote(
    cases, url: str, recordings: LocalRecordings, jobs: int, progress, streamed: dict, echo
) -> list:  # noqa: ANN001
    """Replay against a streamed server at a URL, emulating the REST API it moves calls with."""
    settings = from_environ()
    api = TwilioApi(settings.account_sid or ACCOUNT_SID, settings.auth_token or "", streamed["api_port"])
    echo(f"Twilio's REST API is emulated at {api.url}: the server's IVR_TWILIO_API_URL must be it", err=True)
    try:
        return run_cases(cases, StreamedRemote(url, recordings, api, streamed["speed"]), jobs, progress)
    finally:
        api.close()
