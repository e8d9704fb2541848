"""The Telegram Bot API's sendMessage: the Telegram channel's notifier, for replies and notices alike.

A refusal for good (the bot blocked, the chat gone, a request Telegram will never take) raises
Undeliverable; anything else (429, 5xx, a timeout, the network, our own token refused) raises
SendFailed, so the notice is tried again later. No error text ever holds the token (it is in the
URL) or a whole chat id.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import requests

from ivr.calls.channels import Undeliverable
from ivr.locales import replies

if TYPE_CHECKING:
    from ivr.config import Config

log = logging.getLogger(__name__)
TIMEOUT_S = (3.0, 10.0)  # connect, read: the outbox's deliverer sends, no webhook waits on it
MAX_CHARS = 4096  # the longest text sendMessage takes


class SendFailed(Exception):
    """Telegram did not take the message this time; retry_after (s) when it said how long to wait."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


def notifier(config: Config) -> BotApi:
    """The bot's sendMessage with these settings; the button is labelled in the hotline's language (in
    English when its pack has no label, as every reply a pack lacks)."""
    label = replies.load(config.locale).texts["telegram_share"]
    return BotApi(config.telegram.api_url, config.telegram.bot_token, label)


def mask(chat_id: str) -> str:
    """A chat id (or its sender key, tg:…) for logs and the console: its last two digits, tg:•••••••89."""
    chat_id = chat_id.strip().removeprefix("tg:")
    return "tg:" + "•" * max(len(chat_id) - 2, 1) + chat_id[-2:] if len(chat_id) > 2 else "tg:•••"


class BotApi:
    """One bot's sendMessage, at IVR_TELEGRAM_API_URL; every message offers the share-your-number button."""

    def __init__(self, api_url: str, token: str | None, share_label: str) -> None:
        self.url = f"{api_url.rstrip('/')}/bot{token}/sendMessage" if token else None
        # A reply keyboard with one button: Telegram sends the user's own number when pressed, which is
        # how a sender becomes verified (their contact's user_id is theirs).
        self.keyboard = {
            "keyboard": [[{"text": share_label, "request_contact": True}]],
            "resize_keyboard": True,
        }

    def send(self, recipient: str, text: str) -> str | None:
        """POST one message to a chat, giving Telegram's message_id; raises Undeliverable or SendFailed
        when it did not go out."""
        who = mask(recipient)
        if self.url is None:  # kept in the outbox until the bot's token is set
            raise SendFailed(f"IVR_TELEGRAM_BOT_TOKEN is not set: nothing can be sent to {who}")
        body = {"chat_id": recipient, "text": text, "reply_markup": self.keyboard}
        try:
            response = requests.post(self.url, json=body, timeout=TIMEOUT_S, allow_redirects=False)
        except requests.RequestException as error:  # its text names the URL, and so the token
            raise SendFailed(f"{type(error).__name__} sending to {who}") from None
        answer = _json(response)
        if response.status_code == 200:
            log.info("telegram message sent to %s", who)
            sent = answer.get("result")
            return str(sent["message_id"]) if isinstance(sent, dict) and "message_id" in sent else None
        reason = f"HTTP {response.status_code} sending to {who}: {str(answer.get('description', ''))[:200]}"
        if response.status_code == 429:
            after = (answer.get("parameters") or {}).get("retry_after") if isinstance(answer, dict) else None
            raise SendFailed(reason, float(after) if isinstance(after, (int, float)) else None)
        # 400 (chat not found, a text it will never take) and 403 (blocked, deactivated) are the
        # recipient's; 401 and 404 (our token refused) and 5xx are ours or Telegram's, for now.
        if response.status_code in (400, 403):
            raise Undeliverable(reason)
        raise SendFailed(reason)


def _json(response: requests.Response) -> dict:
    try:
        answer = response.json()
    except ValueError:
        return {}
    return answer if isinstance(answer, dict) else {}
