"""POST /telegram/webhook: checked by its secret, taken once per update_id, answered at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ivr.runtime import runtime
from ivr.store.models import Message, Notice, Reading, SenderPhone
from tests.conftest import NOW
from tests.sessions import transaction
from tests.telegram.conftest import CHAT, KNOWN, SECRET, update

CLOCK = [NOW]  # the app's clock, moved on by a test


def counts(app) -> tuple[int, int, int]:
    """Messages, readings and notices stored."""
    with app.app_context(), transaction() as s:
        return tuple(s.scalar(select(func.count()).select_from(t)) for t in (Message, Reading, Notice))


def test_a_reading_is_answered_with_an_empty_200_and_its_reply_sent_from_the_outbox(
    app, telegram, bot, deliver
):
    response = telegram(text="100001 1100")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "{}")
    assert bot.sent == []  # the webhook never waits on Telegram
    assert deliver() == 1
    [sent] = bot.delivered()
    assert sent.chat_id == str(CHAT) and sent.text.startswith("Принято: 1 показание. Спасибо!")


@pytest.mark.parametrize("secret", [None, "", "not-the-secret", "the-webhook-secret_"])
def test_without_the_right_secret_the_update_gets_403_and_nothing_changes(app, telegram, secret):
    assert telegram(text="100001 1100", secret=secret).status_code == 403
    assert counts(app) == (0, 0, 0)


@pytest.mark.settings(IVR_TELEGRAM_BOT_TOKEN=None, IVR_TELEGRAM_SECRET=None)
def test_with_no_telegram_channel_set_up_every_update_gets_403(app, telegram):
    assert telegram(text="100001 1100", secret="").status_code == 403
    assert telegram(text="100001 1100", secret="anything").status_code == 403
    assert counts(app) == (0, 0, 0)


def test_a_repeated_update_is_taken_once_and_answered_once(app, telegram, bot, deliver):
    assert telegram(update_id=77, text="100001 1100").status_code == 200
    assert telegram(update_id=77, text="100001 1100").status_code == 200
    assert counts(app) == (1, 1, 1)
    deliver()
    assert deliver() == 0
    assert len(bot.delivered()) == 1


def test_a_sender_who_shared_no_number_is_flagged_unverified(app, telegram, bot, deliver):
    telegram(text="100001 1100")
    deliver()
    assert "номер не указан" in bot.delivered()[0].text
    with app.app_context(), transaction() as s:
        assert s.scalars(select(Reading)).one().flag_list == ["UNVERIFIED_SENDER"]


def test_a_sender_who_shared_their_own_number_is_verified(app, telegram, bot, deliver):
    telegram(contact={"phone_number": KNOWN, "user_id": CHAT})
    telegram(text="100001 1100")
    deliver()
    saved, reply = (s.text for s in bot.delivered())
    assert "сохранён" in saved and reply == "Принято: 1 показание. Спасибо!"
    with app.app_context(), transaction() as s:
        assert s.scalars(select(Reading)).one().flag_list == []


def test_a_sender_whose_own_number_is_not_on_the_account_is_flagged_unverified(app, telegram, bot, deliver):
    telegram(contact={"phone_number": "+79169999999", "user_id": CHAT})  # theirs, but on no account
    telegram(text="100001 1100")
    deliver()
    saved, reply = (s.text for s in bot.delivered())
    assert "сохранён" in saved and "номер не указан" in reply
    with app.app_context(), transaction() as s:
        assert s.scalars(select(Reading)).one().flag_list == ["UNVERIFIED_SENDER"]


def test_someone_elses_contact_is_refused_politely_and_not_remembered(app, telegram, bot, deliver):
    telegram(contact={"phone_number": KNOWN, "user_id": CHAT + 1})
    telegram(text="100001 1100")
    deliver()
    refused, reply = (s.text for s in bot.delivered())
    assert "Чужие контакты мы не сохраняем" in refused and "номер не указан" in reply
    with app.app_context(), transaction() as s:
        assert s.scalars(select(Reading)).one().flag_list == ["UNVERIFIED_SENDER"]


def phones(app) -> list[tuple[str, str]]:
    with app.app_context(), transaction() as s:
        return [(p.sender_key, p.phone) for p in s.scalars(select(SenderPhone))]


def test_a_contact_delivered_twice_is_saved_once_and_told_once(app, telegram, bot, deliver):
    for _ in range(2):  # Telegram redelivers an update it got no 200 for
        assert telegram(update_id=31, contact={"phone_number": KNOWN, "user_id": CHAT}).status_code == 200
    assert deliver() == 1 and deliver() == 0
    [saved] = bot.delivered()
    assert saved.text.startswith("Спасибо! Номер +79161234567 сохранён")
    assert phones(app) == [(f"tg:{CHAT}", KNOWN)]
    with app.app_context(), transaction() as s:
        m = s.scalars(select(Message)).one()  # recorded as the sender's message, with its answer
        assert (m.status, m.body, m.reply, m.replied_at) == ("contact", "", saved.text, NOW)


def test_someone_elses_contact_delivered_twice_is_refused_once_and_nothing_kept(app, telegram, bot, deliver):
    for _ in range(2):
        telegram(update_id=32, contact={"phone_number": KNOWN, "user_id": CHAT + 1})
    assert deliver() == 1 and deliver() == 0
    assert [s.text[:30] for s in bot.delivered()] == ["Чужие контакты мы не сохраняем"]
    assert phones(app) == []
    with app.app_context(), transaction() as s:
        m = s.scalars(select(Message)).one()
        assert (m.status, m.body) == ("contact", "") and KNOWN not in m.reply


def test_a_contact_counts_toward_the_rate_limit_and_beyond_it_is_not_kept(app, telegram, bot, deliver):
    for _ in range(10):  # IVR_TEXT_RATE_LIMIT's default is 10
        telegram(contact={"phone_number": "+79169999999", "user_id": CHAT})
    telegram(contact={"phone_number": KNOWN, "user_id": CHAT})
    deliver()
    assert bot.delivered()[-1].text.startswith("Слишком много сообщений")
    assert phones(app) == [(f"tg:{CHAT}", "+79169999999")]


def test_start_is_answered_with_the_template_and_the_share_your_number_button(app, telegram, bot, deliver):
    telegram(text="/start")
    deliver()
    [sent] = bot.delivered()
    assert sent.text.startswith("Отправьте номер лицевого счёта")
    assert sent.reply_markup["keyboard"][0][0] == {"text": "📱 Поделиться номером", "request_contact": True}


def test_the_rate_limit_holds_as_for_sms(app, telegram, bot, deliver):
    for _ in range(12):  # IVR_TEXT_RATE_LIMIT's default is 10
        telegram(text="помощь")
    deliver()
    texts = [s.text for s in bot.delivered()]
    assert len(texts) == 11 and texts[-1].startswith("Слишком много сообщений")


def test_edits_and_group_messages_are_answered_200_and_ignored(app, client):
    group = update(6, -100123, text="100001 1100")
    group["message"]["chat"]["type"] = "supergroup"
    for body in ({"update_id": 5, "edited_message": update(5, text="100001 1100")["message"]}, group):
        response = client.post(
            "/telegram/webhook", json=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
        )
        assert response.status_code == 200
    assert counts(app) == (0, 0, 0)


def test_a_body_that_is_no_update_or_too_large_is_refused(app, client):
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert client.post("/telegram/webhook", data="not json", headers=headers).status_code == 400
    assert client.post("/telegram/webhook", data="x" * 300_000, headers=headers).status_code == 413
    assert counts(app) == (0, 0, 0)


@pytest.mark.settings(IVR_CLOCK=lambda: CLOCK[0])
def test_with_the_bot_api_down_the_reply_waits_in_the_outbox_and_goes_out_later(app, telegram, bot, deliver):
    CLOCK[0] = NOW
    bot.failures = [500, 502]
    telegram(text="100001 1100")
    assert deliver() == 0
    CLOCK[0] = NOW + timedelta(minutes=1)
    assert deliver() == 0
    CLOCK[0] = NOW + timedelta(minutes=10)
    assert deliver() == 1
    assert [s.status for s in bot.sent] == [500, 502, 200]
    assert bot.delivered()[0].text.startswith("Принято")
    with app.app_context(), transaction() as s:
        assert s.scalars(select(Message)).one().replied_at == NOW + timedelta(minutes=10)


def test_a_bot_the_user_blocked_is_not_tried_again(app, telegram, bot, deliver):
    bot.failures = [403]
    telegram(text="100001 1100")
    assert deliver() == 0
    with app.app_context(), transaction() as s:
        notice = s.scalars(select(Notice)).one()
        assert (
            notice.failed_at is not None
            and "blocked" in notice.last_error
            and "4242424242" not in notice.last_error
        )


@pytest.mark.settings(IVR_CLOCK=lambda: CLOCK[0])
def test_too_many_requests_waits_as_long_as_telegram_says_before_the_next_try(app, telegram, bot, deliver):
    CLOCK[0] = NOW
    bot.failures, bot.retry_after = [429], 120  # longer than the outbox's first backoff (30-38 s)
    telegram(text="100001 1100")
    assert deliver() == 0
    CLOCK[0] = NOW + timedelta(seconds=60)
    assert deliver() == 0 and len(bot.sent) == 1
    CLOCK[0] = NOW + timedelta(seconds=121)
    assert deliver() == 1 and [s.status for s in bot.sent] == [429, 200]


@pytest.mark.settings(IVR_CLOCK=lambda: CLOCK[0])
def test_readings_whose_yes_never_came_expire_and_the_chat_is_told(app, telegram, bot, deliver):
    CLOCK[0] = NOW
    telegram(text="100001 9999")  # high use: waits for «ДА»
    deliver()
    CLOCK[0] = NOW + timedelta(hours=2)
    assert runtime(app).messages.expire() == 1
    assert deliver() == 1
    asked, told = (s.text for s in bot.delivered())
    assert "ответьте ДА" in asked and told.startswith("Показания не были подтверждены вовремя")
