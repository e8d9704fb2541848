"""Serve caller audio from 127.0.0.1, the way Twilio serves a call's recordings."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalRecordings:
    """A RecordingHost: published utterances get URLs on a loopback HTTP server."""

    def __init__(self, port: int = 0) -> None:
        self._audio: dict[str, bytes] = {}
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self._audio))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def prefix(self) -> str:
        """The URL prefix every recording starts with, for IVR_RECORDING_URL_PREFIXES."""
        return f"http://127.0.0.1:{self._server.server_address[1]}/recordings/"

    def publish(self, audio: bytes) -> str:
        # Named by content: a load run repeating the same utterances keeps one copy of each.
        sid = "RE" + hashlib.sha256(audio).hexdigest()[:32]
        self._audio[sid] = audio
        return self.prefix + sid

    def start(self) -> LocalRecordings:
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        name="recordings")  # fmt: skip
        self._thread.start()
        return self

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> LocalRecordings:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _handler(audio: dict[str, bytes]) -> type[BaseHTTPRequestHandler]:
    class Recording(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server spelling
            # Twilio serves a recording at its URL and at the URL + ".wav"; both are asked for.
            sid = self.path.split("?")[0].rsplit("/", 1)[-1].removesuffix(".wav")
            body = audio.get(sid)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "audio/x-wav")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            """Stay quiet: replay prints its own report."""

    return Recording
