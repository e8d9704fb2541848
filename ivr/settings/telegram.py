"""The Telegram bot's settings: a settings type below `ivr.config`, parsed and checked (docs/CONFIGURATION.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ivr.settings import ConfigError

# What Telegram allows in setWebhook's secret_token: 1-256 of A-Z, a-z, 0-9, _ and -.
SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")
TOKEN = re.compile(r"\d+:[A-Za-z0-9_-]+")  # BotFather's 123456789:AA...


@dataclass(frozen=True)
class TelegramSettings:
    bot_token: str | None = field(default=None, repr=False)  # IVR_TELEGRAM_BOT_TOKEN: never logged
    secret: str | None = field(default=None, repr=False)  # IVR_TELEGRAM_SECRET
    api_url: str = "https://api.telegram.org"  # IVR_TELEGRAM_API_URL

    @property
    def enabled(self) -> bool:
        return bool(self.bot_token and self.secret)


def telegram(bot_token: str | None, secret: str | None, api_url: str | None) -> TelegramSettings:
    """Both the token and the secret, or neither (no Telegram channel); each as Telegram writes it."""
    if bool(bot_token) != bool(secret):
        raise ConfigError(
            "IVR_TELEGRAM_BOT_TOKEN and IVR_TELEGRAM_SECRET: set both for the Telegram channel, or neither"
        )
    if bot_token and not TOKEN.fullmatch(bot_token):
        raise ConfigError("IVR_TELEGRAM_BOT_TOKEN: not a bot token as BotFather gives it (123456789:AA...)")
    if secret and not SECRET.fullmatch(secret):
        raise ConfigError("IVR_TELEGRAM_SECRET: 1-256 characters of A-Z, a-z, 0-9, _ and - (Telegram's rule)")
    return TelegramSettings(bot_token, secret, api_url or TelegramSettings.api_url)
