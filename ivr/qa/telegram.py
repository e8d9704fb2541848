"""Telegram cases: a user's chat with the bot, each message an update posted with the webhook's
secret, as Telegram delivers it; each reply the sendMessage the hotline's outbox makes to the Bot API
stand-in (ivr/qa/bot_api.py)."""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable

from ivr.qa.bot_api import BotApi
from ivr.qa.cases import Step
from ivr.qa.driver import CallError

PATH = "/telegram/webhook"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
Post = Callable[[str, bytes, dict], int]  # post(url, body, headers) -> the HTTP status


def flask_post(app) -> Post:  # noqa: ANN001
    """Updates to an app in this process, through its test client."""
    client = app.test_client()
    return lambda url, body, headers: client.post(url, data=body, headers=headers).status_code


def http_post(url: str, body: bytes, headers: dict) -> int:
    """An update to a running server over HTTP."""
    import requests

    return requests.post(url, data=body, headers=headers, timeout=15, allow_redirects=False).status_code


class TelegramChat:
    """One user's private chat with the bot: a chat id and update_ids of its own for each replay."""

    def __init__(self, post: Post, base_url: str, secret: str, bot: BotApi, locale: str,
                 deliver: Callable[[], None], reply_wait_s: float) -> None:  # fmt: skip
        self.post, self.url, self.secret, self.bot = post, base_url.rstrip("/") + PATH, secret, bot
        self.locale, self.deliver, self.reply_wait_s = locale, deliver, reply_wait_s
        # A server that keeps its database sees a new user, with update_ids it has not taken, each run.
        self.user = random.randrange(10**9, 8 * 10**9)
        self.first_update = random.randrange(10**8, 10**9) * 1000
        self.labels: dict[str, int] = {}

    def update_id(self, step: Step) -> int:
        """The step's update_id: a case's `sid:` label names one, so a second turn can repeat it."""
        label = step.sid or f"turn{step.number}"
        return self.first_update + self.labels.setdefault(label, len(self.labels))

    def send(self, step: Step) -> tuple[str, str, float]:
        """Post one update; its update_id, the replies the bot sent for it ("" for none), the seconds."""
        update_id = self.update_id(step)
        user = {"id": self.user, "is_bot": False, "first_name": "QA", "language_code": self.locale}
        message: dict = {"message_id": update_id % 1000 + 1, "date": 0, "chat": {"id": self.user, "type": "private"},
                         "from": user}  # fmt: skip
        if step.action == "contact":
            message["contact"] = {"phone_number": step.arg, "first_name": "QA",
                                  "user_id": self.user if step.own else self.user + 1}  # fmt: skip
        elif step.media:
            message["photo"], message["caption"] = [{"file_id": "qa", "width": 1, "height": 1}], step.arg
        else:
            message["text"] = step.arg
        before = len(self.bot.delivered(str(self.user)))
        started = time.perf_counter()
        status = self.post(self.url, json.dumps({"update_id": update_id, "message": message}).encode(),
                           {HEADER: self.secret, "Content-Type": "application/json"})  # fmt: skip
        if status != 200:
            raise CallError(f"{self.url} answered HTTP {status}")
        self.deliver()
        replies = self.bot.wait_for(str(self.user), before + 1, self.reply_wait_s)[before:]
        took = time.perf_counter() - started
        return str(update_id), " ".join(r.text for r in replies), took
