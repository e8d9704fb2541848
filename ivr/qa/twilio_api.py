"""Twilio's REST API for live-call updates, on a loopback port: it records them and moves the calls."""

from __future__ import annotations

import base64
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import parse_qs

from ivr.qa.driver import HttpTransport

if TYPE_CHECKING:
    from ivr.qa.streams import StreamedCall


@dataclass
class Update:
    """One REST update of a live call, as Twilio's API received it."""

    sid: str
    url: str
    at: float  # time.monotonic()
    status: int
    fetched_at: float | None = None  # when the new TwiML was requested
    audio_s: float | None = None  # the call's audio time then (StreamLine.audio_s): a load-proof clock


class TwilioApi:
    """Twilio's REST API for call updates, on a loopback port: it moves the emulated calls."""

    def __init__(self, account_sid: str, token: str, port: int = 0) -> None:
        self.account_sid, self.token = account_sid, token
        self.calls: dict[str, StreamedCall] = {}
        self.updates: list[Update] = []
        self.failures = 0  # answer this many updates with HTTP 500
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _api_handler(self))
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True, name="twilio-api").start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def received(self, sid: str, url: str) -> int:
        update = Update(sid, url, time.monotonic(), 200)
        call = self.calls.get(sid)
        if call is not None and call.line is not None:
            update.audio_s = call.line.audio_s
        with self.lock:
            if self.failures > 0:
                self.failures -= 1
                update.status = 500
            self.updates.append(update)
        if update.status == 200 and call is not None:
            # Twilio answers the update at once and fetches the new TwiML right after.
            threading.Thread(target=call.moved_to, args=(update,), daemon=True).start()
        return update.status if call is not None or update.status != 200 else 404


def _api_handler(api: TwilioApi) -> type[BaseHTTPRequestHandler]:
    class Calls(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server spelling
            parts = self.path.split("/")  # /2010-04-01/Accounts/{AC}/Calls/{CA}.json
            expected = "Basic " + base64.b64encode(f"{api.account_sid}:{api.token}".encode()).decode()
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            url = parse_qs(body).get("Url", [""])[0]
            if len(parts) != 6 or parts[2:4] != ["Accounts", api.account_sid] or parts[4] != "Calls":
                status = 404
            elif self.headers.get("Authorization") != expected:
                status = 401
            else:
                status = api.received(parts[5].removesuffix(".json"), url) if url else 400
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(
                json.dumps({"sid": parts[-1].removesuffix(".json"), "status": "in-progress"}).encode()
            )

        def log_message(self, *_args: object) -> None:
            """Stay quiet."""

    return Calls


class Rerouted:
    """Deliver webhooks signed for the public URL to a server on another address, as a proxy would."""

    def __init__(self, public: str, local: str) -> None:
        self.public, self.local = public.rstrip("/"), local.rstrip("/")
        self.http = HttpTransport()

    def post(self, url: str, params: dict, headers: dict) -> tuple[int, str]:
        return self.http.post(self.local + url.removeprefix(self.public), params, headers)
