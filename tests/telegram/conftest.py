"""The Telegram channel's fixtures: an app with a bot whose Bot API is a stand-in on loopback."""

from __future__ import annotations

import itertools
import json

import pytest

from ivr.qa.bot_api import BotApi
from ivr.runtime import runtime

TOKEN = "123456:TEST-token_x"
SECRET = "the-webhook-secret_1"
CHAT = 4242424242
KNOWN = "+79161234567"  # on account 100001 (one zone)


@pytest.fixture
def bot():
    with BotApi(TOKEN) as api:
        yield api


@pytest.fixture
def settings(settings, bot) -> dict:
    return {**settings, "IVR_TELEGRAM_BOT_TOKEN": TOKEN, "IVR_TELEGRAM_SECRET": SECRET,
            "IVR_TELEGRAM_API_URL": bot.url}  # fmt: skip


def update(update_id: int, chat: int = CHAT, **message) -> dict:  # noqa: ANN003
    return {"update_id": update_id, "message": {
        "message_id": update_id, "date": 0, "chat": {"id": chat, "type": "private"},
        "from": {"id": chat, "is_bot": False, "first_name": "Анна", "language_code": "ru"}, **message}}  # fmt: skip


@pytest.fixture
def telegram(client):
    """telegram(text=...) posts one update with the secret; returns the response."""
    ids = itertools.count(1)

    def post(update_id: int | None = None, secret: str | None = SECRET, chat: int = CHAT, **message):  # noqa: ANN003, ANN202
        body = json.dumps(update(update_id or next(ids), chat, **message))
        headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
        return client.post("/telegram/webhook", data=body, headers=headers, content_type="application/json")

    return post


@pytest.fixture
def deliver(app):
    """Run the outbox's deliverer once, as `ivr outbox send` does; how many notices went out."""

    def run() -> int:
        return runtime(app).outbox.deliver_due()

    return run
