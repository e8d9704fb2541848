"""Telegram's Bot API on a loopback port, as QA and the tests need it: it records every sendMessage.

Point the hotline's IVR_TELEGRAM_API_URL at it. It answers as Telegram does: 404 for another bot's
token, and, when told to, an error of Telegram's (a 429 with retry_after, a 403 for a blocked bot, a
500) or a slow answer.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Sent:
    """One sendMessage as Telegram received it."""

    chat_id: str
    text: str
    reply_markup: dict | None
    status: int  # what the stand-in answered


class BotApi:
    """A bot's sendMessage on 127.0.0.1; `failures` are the statuses to answer next, in turn."""

    def __init__(self, token: str, port: int = 0) -> None:
        self.token = token
        self.sent: list[Sent] = []
        self.failures: list[int] = []  # e.g. [500, 429, 403]: answered to the next sends, then 200
        self.delay_s = 0.0  # before each answer
        self.retry_after = 1  # said with a 429
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        self.server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True, name="bot-api").start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def delivered(self, chat_id: str | None = None) -> list[Sent]:
        """The messages taken (HTTP 200), to one chat or to all."""
        with self.lock:
            return [s for s in self.sent if s.status == 200 and chat_id in (None, s.chat_id)]

    def wait_for(self, chat_id: str, count: int, timeout_s: float) -> list[Sent]:
        """The chat's delivered messages, once there are `count` of them or the time is up."""
        deadline = time.monotonic() + timeout_s
        with self.arrived:
            while len(self._to(chat_id)) < count and (left := deadline - time.monotonic()) > 0:
                self.arrived.wait(left)
            return self._to(chat_id)

    def _to(self, chat_id: str) -> list[Sent]:
        return [s for s in self.sent if s.status == 200 and s.chat_id == chat_id]

    def received(self, token: str, method: str, body: dict) -> tuple[int, dict]:
        if token != self.token:
            return 404, {"ok": False, "error_code": 404, "description": "Not Found"}
        if method != "sendMessage" or "chat_id" not in body or not body.get("text"):
            return 400, {"ok": False, "error_code": 400, "description": "Bad Request: message text is empty"}
        time.sleep(self.delay_s)
        with self.arrived:
            status = self.failures.pop(0) if self.failures else 200
            self.sent.append(Sent(str(body["chat_id"]), str(body["text"]), body.get("reply_markup"), status))
            self.arrived.notify_all()
        if status == 200:
            return 200, {
                "ok": True,
                "result": {"message_id": len(self.sent), "chat": {"id": body["chat_id"]}},
            }
        answer: dict = {"ok": False, "error_code": status, "description": DESCRIPTIONS.get(status, "Error")}
        if status == 429:
            answer["parameters"] = {"retry_after": self.retry_after}
        return status, answer

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> BotApi:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was blocked by the user",
    429: "Too Many Requests: retry after 1",
    500: "Internal Server Error",
}


def _handler(api: BotApi) -> type[BaseHTTPRequestHandler]:
    class Bot(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server spelling
            _, bot, method = (self.path.split("?")[0].split("/") + ["", ""])[:3]  # /bot<token>/<method>
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
            except ValueError:
                body = {}
            status, answer = api.received(
                bot.removeprefix("bot"), method, body if isinstance(body, dict) else {}
            )
            payload = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
            except OSError:  # the client gave up waiting (a timeout test): nobody to answer
                pass

        def log_message(self, *_args: object) -> None:
            """Stay quiet."""

    return Bot
