"""MessageService on SQLite and PostgreSQL: the voice line's rules, «ДА» in time or too late, expiry,
keywords and limits."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import parse_qs

import pytest
import responses
from sqlalchemy import select

from ivr.cli import main
from ivr.runtime import runtime
from ivr.store.models import Message, Meter, Notice, Reading
from tests.conftest import ACCOUNT_SID, NOW
from tests.sessions import transaction
from tests.texts.conftest import KNOWN, STRANGER

pytestmark = pytest.mark.both_databases
MESSAGES_API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


def readings(app) -> list[tuple]:
    with app.app_context(), transaction() as s:
        return [(r.value, r.status, r.flags) for r in s.scalars(select(Reading).order_by(Reading.id))]


def stored_readings(app) -> list[Reading]:
    with app.app_context(), transaction() as s:
        return list(s.scalars(select(Reading)))


def messages(app) -> list[Message]:
    with app.app_context(), transaction() as s:
        return list(s.scalars(select(Message).order_by(Message.id)))


def statuses(app) -> list[str]:
    with app.app_context(), transaction() as s:
        return list(s.scalars(select(Message.status).order_by(Message.id)))


def test_a_reading_is_stored_with_its_message(app, send):
    out = send("100001 1100")
    assert out.status == "stored" and out.locale == "ru" and "Принято: 1 показание" in out.text
    [r] = stored_readings(app)
    assert (r.value, r.previous, r.status, r.channel, r.call_id) == (1100, 1000, "accepted", "sms", None)
    [m] = messages(app)
    assert r.message_id == m.id and m.sender_key == KNOWN and m.reply == out.text


def test_an_unknown_account_is_named_even_from_a_number_with_an_account_of_its_own(app, send):
    out = send("999999 1100")  # KNOWN's own account takes one reading: 999999 was meant as an account
    assert out.status == "refused" and "999999 не найден" in out.text and readings(app) == []
    assert send("1100").status == "stored"  # the account left out: the sender's own


def test_a_lower_value_is_refused_then_the_same_again_goes_to_review(app, send):
    first = send("100001 900")
    assert first.status == "refused" and "1000" in first.text and readings(app) == []
    second = send("100001 900")
    assert second.status == "stored" and "на проверку" in second.text
    assert readings(app) == [(900, "pending_review", "NEGATIVE")]


def test_a_different_lower_value_is_refused_again(app, send):
    send("100001 900")
    assert send("100001 950").status == "refused" and readings(app) == []


def test_high_use_is_stored_only_after_yes(app, send):
    asked = send("100001 99000")
    assert asked.status == "awaiting_confirmation" and "ДА" in asked.text and readings(app) == []
    yes = send("ДА", minutes=5)
    assert yes.status == "confirmed" and "Принято: 1 показание" in yes.text
    assert readings(app) == [(99000, "accepted", "HIGH")]
    assert statuses(app) == ["stored", "confirmed"]
    with app.app_context(), transaction() as s:
        r = s.scalars(select(Reading)).one()
        assert r.message.body == "100001 99000"  # the reading points at the message that gave it


def test_a_yes_to_a_verdict_that_changed_meanwhile_is_answered_with_the_new_one(app, send):
    """2701 waits for «ДА» as high use (1701 kWh in 31 days). Before the «ДА», the billing system's
    nightly import moves the meter to 2690: the sender said yes to a verdict that no longer holds,
    so the readings are judged anew and the reply tells what was stored."""
    assert send("100001 2701").status == "awaiting_confirmation"
    with app.app_context(), transaction() as s:
        meter = s.scalars(select(Meter).where(Meter.serial == "M-1")).one()
        meter.last_t1, meter.last_read_on = 2690, date(2026, 11, 16)
    yes = send("ДА", minutes=5)
    assert yes.status == "stored" and "Принято: 1 показание" in yes.text and "ДА" not in yes.text
    assert readings(app) == [(2701, "accepted", "")]
    assert statuses(app) == ["expired", "stored"]  # the first verdict was never stored


@pytest.mark.parametrize("yes", ["1", "YES", "да"])
def test_every_yes_confirms(app, send, yes):
    send("100001 99000")
    assert send(yes, minutes=1).status == "confirmed"


def test_a_late_yes_is_told_the_readings_expired(app, send):
    send("100001 99000")
    late = send("ДА", minutes=61)
    assert late.status == "expired" and "истекло" in late.text
    assert readings(app) == [] and statuses(app) == ["expired", "expired"]


def test_yes_with_nothing_waiting_says_so(send):
    assert send("да").text == "Нет показаний, ожидающих подтверждения."


def test_yes_from_another_sender_confirms_nothing(app, send):
    send("100001 99000")
    assert send("ДА", sender=STRANGER).status == "refused" and readings(app) == []


def test_a_new_submission_replaces_one_waiting_for_yes(app, send):
    send("100001 99000")
    send("100001 1100", minutes=1)
    assert send("ДА", minutes=2).status == "refused"
    assert readings(app) == [(1100, "accepted", "")]


def test_a_later_submission_supersedes_in_the_same_period(app, send):
    send("100001 1100")
    send("100001 1200", minutes=10)
    assert readings(app) == [(1100, "superseded", ""), (1200, "accepted", "")]


def test_a_sender_not_on_the_account_is_flagged_and_told(app, send):
    out = send("100001 1100", sender=STRANGER)
    assert out.status == "stored" and "не указан" in out.text
    assert readings(app) == [(1100, "accepted", "UNVERIFIED_SENDER")]


@pytest.mark.settings(IVR_RULE_UNVERIFIED_SENDER_REVIEW="1")
def test_the_rule_can_hold_unverified_senders_for_review(app, send):
    send("100001 1100", sender=STRANGER)
    assert readings(app) == [(1100, "pending_review", "UNVERIFIED_SENDER")]


@pytest.mark.settings(IVR_CLOCK=lambda: NOW)
def test_outside_the_window_it_counts_for_the_next_period(app, send):
    out = send("100001 1100", minutes=8 * 24 * 60)  # 25 November: after Moscow's 15-20
    assert "следующем расчётном периоде" in out.text
    with app.app_context(), transaction() as s:
        r = s.scalars(select(Reading)).one()
        assert (r.period, r.flags) == ("2026-12", "OUT_OF_WINDOW")


def test_the_account_count_mismatch_names_the_zones(send):
    out = send("200002 6000", sender="+74995509550")
    assert out.text.startswith(
        "Для счёта 200002 нужно 5 показаний: M-2 Т1 (день), M-2 Т2 (ночь), M-3 Т1 (пик)"
    )


@pytest.mark.settings(IVR_TEXT_RATE_LIMIT=3, IVR_TEXT_RATE_WINDOW_MINUTES=10)
def test_the_rate_limit_answers_politely_once_then_not_at_all(send):
    assert [send("помощь", minutes=i).status for i in range(3)] == ["help"] * 3
    limited = send("100001 1100", minutes=3)
    assert limited.status == "rate_limited" and "попробуйте позже" in limited.text
    assert send("HELP", minutes=4).text == ""  # no loop with an auto-responder
    assert send("HELP", minutes=3, sender=STRANGER).status == "help"  # per sender
    assert send("HELP", minutes=11).status == "help"  # the window has passed


def test_stop_and_start_are_recorded(app, send):
    assert send("СТОП").status == "stop" and send("START").status == "start"
    assert statuses(app) == ["stop", "start"]


def test_only_digits_are_answered_in_the_senders_last_language(send):
    send("HELP")
    assert send("100001 1100", minutes=1).locale == "en"


def _expire(app) -> int:
    """`ivr messages expire`: the expiry, then the notices it put into the outbox sent."""
    with app.app_context():
        expired = runtime(app).messages.expire()
        runtime(app).outbox.deliver_due()
        return expired


@pytest.mark.settings(IVR_CLOCK=lambda: NOW + timedelta(minutes=61), IVR_TWILIO_FROM="+74950000000")
def test_expire_marks_waiting_readings_and_texts_the_sender_through_twilio(app, send):
    send("100001 99000")  # waits until NOW + 60 min
    send("100001 99000", channel="whatsapp", sender="+79031112233")
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, MESSAGES_API, json={"sid": "SM1"}, status=201)
        assert _expire(app) == 2
        sent = [parse_qs(call.request.body) for call in mock.calls]
    assert [(p["To"][0], p["From"][0]) for p in sent] == [
        (KNOWN, "+74950000000"), ("whatsapp:+79031112233", "whatsapp:+74950000000")]  # fmt: skip
    assert "не были подтверждены" in sent[0]["Body"][0]
    assert statuses(app) == ["expired", "expired"] and readings(app) == []
    with responses.RequestsMock():  # nothing is due any more: no request at all
        assert _expire(app) == 0


@pytest.mark.settings(IVR_CLOCK=lambda: NOW + timedelta(minutes=61), IVR_TWILIO_FROM="+74950000000")
def test_a_sender_who_said_stop_is_not_told(app, send):
    send("100001 99000")
    send("STOP", minutes=1)
    with responses.RequestsMock():  # any request would fail the test
        assert _expire(app) == 1


@pytest.mark.settings(IVR_CLOCK=lambda: NOW + timedelta(minutes=30))
def test_expire_leaves_readings_still_in_time(app, send):
    send("100001 99000")
    assert _expire(app) == 0 and statuses(app) == ["awaiting_confirmation"]


def test_ivr_messages_expire_runs_from_cron(app, send, runner, monkeypatch, db_url):
    send("100001 99000")  # NOW is long past for the command's real clock
    monkeypatch.setenv("IVR_DATABASE_URL", db_url)
    result = runner.invoke(main, ["messages", "expire"])
    assert result.exit_code == 0 and result.output.splitlines() == ["1 expired", "0 notices sent"]
    assert statuses(app) == ["expired"]
    with app.app_context(), transaction() as s:  # no Twilio credentials here: it waits for the next try
        notice = s.scalars(select(Notice)).one()
    assert (notice.attempts, notice.sent_at, notice.failed_at) == (1, None, None)
    assert "IVR_TWILIO_FROM" in notice.last_error and notice.due_at > notice.created_at


@pytest.mark.settings(IVR_CLOCK=lambda: NOW + timedelta(minutes=61), IVR_TWILIO_FROM="+74950000000")
def test_start_after_stop_lets_notices_through_again(app, send):
    send("STOP", minutes=-2)
    send("START", minutes=-1)
    send("100001 99000")
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, MESSAGES_API, json={"sid": "SM1"}, status=201)
        assert _expire(app) == 1 and len(mock.calls) == 1


def test_an_email_reading_is_stored_unverified_with_its_channel(app, send):
    out = send(
        "Показания 100001 1100", sender="Ivan.Petrov@Example.RU", channel="email", sid="<a1@example.ru>"
    )
    assert out.status == "stored" and "не указан" in out.text
    assert readings(app) == [(1100, "accepted", "UNVERIFIED_SENDER")]
    with app.app_context(), transaction() as s:
        m = s.scalars(select(Message)).one()
        assert (m.channel, m.sender_key, m.account_id is not None) == (
            "email",
            "ivan.petrov@example.ru",
            True,
        )


def test_the_export_names_the_message_in_call_sid(app, send, runner, monkeypatch, db_url):
    send("100001 1100", sid="SM" + "f" * 32)
    monkeypatch.setenv("IVR_DATABASE_URL", db_url)
    result = runner.invoke(main, ["readings", "export"])
    [header, row] = result.output.strip().splitlines()
    assert header.split(",")[7:9] == ["channel", "call_sid"]
    assert row.split(",")[7:9] == ["sms", "SM" + "f" * 32]
