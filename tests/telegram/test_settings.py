"""The bot's settings: both the token and the secret or neither, each as Telegram writes it."""

from __future__ import annotations

from pathlib import Path

import pytest

from ivr import config, locales
from ivr.locales import replies
from ivr.settings import ConfigError

TOKEN, SECRET = "123456:AAbb-cc_DD", "s3cret_-X"


def load(**env: str):  # noqa: ANN201
    return config.load(env, Path("instance")).telegram


def test_without_token_and_secret_there_is_no_telegram_channel():
    settings = load()
    assert not settings.enabled and settings.api_url == "https://api.telegram.org"


def test_token_secret_and_api_url_are_read_and_the_token_never_shown():
    settings = load(IVR_TELEGRAM_BOT_TOKEN=TOKEN, IVR_TELEGRAM_SECRET=SECRET,
                    IVR_TELEGRAM_API_URL="http://127.0.0.1:8081/")  # fmt: skip
    assert (settings.enabled, settings.bot_token, settings.secret) == (True, TOKEN, SECRET)
    assert settings.api_url == "http://127.0.0.1:8081"
    assert TOKEN not in repr(settings) and SECRET not in repr(settings)


@pytest.mark.parametrize(("env", "named"), [
    ({"IVR_TELEGRAM_BOT_TOKEN": TOKEN}, "IVR_TELEGRAM_BOT_TOKEN and IVR_TELEGRAM_SECRET"),
    ({"IVR_TELEGRAM_SECRET": SECRET}, "IVR_TELEGRAM_BOT_TOKEN and IVR_TELEGRAM_SECRET"),
    ({"IVR_TELEGRAM_BOT_TOKEN": "not a token", "IVR_TELEGRAM_SECRET": SECRET}, "IVR_TELEGRAM_BOT_TOKEN:"),
    ({"IVR_TELEGRAM_BOT_TOKEN": TOKEN, "IVR_TELEGRAM_SECRET": "has space"}, "IVR_TELEGRAM_SECRET:"),
    ({"IVR_TELEGRAM_BOT_TOKEN": TOKEN, "IVR_TELEGRAM_SECRET": "x" * 257}, "IVR_TELEGRAM_SECRET:"),
    ({"IVR_TELEGRAM_API_URL": "ftp://telegram"}, "IVR_TELEGRAM_API_URL:"),
])  # fmt: skip
def test_a_bad_or_half_set_telegram_setting_stops_the_start_naming_it(env, named):
    with pytest.raises(ConfigError) as error:
        load(**env)
    assert str(error.value).startswith(named)
    assert TOKEN not in str(error.value) or "IVR_TELEGRAM_BOT_TOKEN:" not in named


@pytest.mark.parametrize("code", locales.available())
def test_every_pack_has_the_telegram_button_and_the_contact_answers(code):
    texts = replies.load(code).texts
    assert {"telegram_share", "contact_saved", "contact_refused"} <= set(texts)
    assert "{phone}" in texts["contact_saved"]
