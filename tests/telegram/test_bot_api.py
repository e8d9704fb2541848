"""sendMessage through the Bot API: refusals for good told from failures for now, no token in a log."""

from __future__ import annotations

import logging

import pytest

from ivr.calls.channels import Undeliverable
from ivr.qa.bot_api import BotApi as StandIn
from ivr.telegram.bot_api import BotApi, SendFailed, mask
from tests.serving import free_port

TOKEN = "123456:TEST-token_x"


@pytest.fixture
def telegram():
    with StandIn(TOKEN) as api:
        yield api


def test_a_message_is_posted_with_chat_id_text_and_the_share_your_number_button(telegram):
    sent_id = BotApi(telegram.url, TOKEN, "Поделиться номером").send("4242424242", "Принято: 1 показание.")
    [sent] = telegram.delivered()
    assert sent_id == "1"  # Telegram's message_id, kept as the notice's provider id
    assert (sent.chat_id, sent.text) == ("4242424242", "Принято: 1 показание.")
    assert sent.reply_markup["keyboard"] == [[{"text": "Поделиться номером", "request_contact": True}]]


@pytest.mark.parametrize("status", [400, 403])
def test_a_blocked_bot_or_a_chat_not_found_is_undeliverable(telegram, status):
    telegram.failures = [status]
    with pytest.raises(Undeliverable):
        BotApi(telegram.url, TOKEN, "x").send("4242424242", "text")


def test_too_many_requests_is_a_failure_for_now_that_says_how_long_to_wait(telegram):
    telegram.failures, telegram.retry_after = [429], 7
    with pytest.raises(SendFailed) as failed:
        BotApi(telegram.url, TOKEN, "x").send("4242424242", "text")
    assert failed.value.retry_after == 7.0


@pytest.mark.parametrize("status", [500, 502])
def test_telegrams_own_errors_are_failures_for_now(telegram, status):
    telegram.failures = [status]
    with pytest.raises(SendFailed) as failed:
        BotApi(telegram.url, TOKEN, "x").send("4242424242", "text")
    assert failed.value.retry_after is None and not isinstance(failed.value, Undeliverable)


def test_a_token_telegram_does_not_know_is_ours_to_fix_so_tried_again_later(telegram):
    with pytest.raises(SendFailed, match="HTTP 404"):
        BotApi(telegram.url, "999:other", "x").send("4242424242", "text")


def test_a_slow_api_times_out_as_a_failure_for_now(telegram, monkeypatch):
    monkeypatch.setattr("ivr.telegram.bot_api.TIMEOUT_S", (1.0, 0.2))
    telegram.delay_s = 1.0
    with pytest.raises(SendFailed, match="Timeout"):
        BotApi(telegram.url, TOKEN, "x").send("4242424242", "text")


def test_no_error_or_log_line_holds_the_token_or_the_whole_chat_id(caplog):
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SendFailed) as failed:  # nothing listens there
        BotApi(f"http://127.0.0.1:{free_port()}", TOKEN, "x").send("4242424242", "text")
    assert TOKEN not in str(failed.value) and "4242424242" not in str(failed.value)
    assert TOKEN not in caplog.text and "4242424242" not in caplog.text


def test_a_chat_id_is_masked_to_its_last_two_digits():
    assert mask("4242424242") == "tg:••••••••42"
    assert mask("-1001234") == "tg:••••••34"
    assert mask("7") == "tg:•••"
