"""Scripted test calls through the signed Twilio webhooks, one per branch of the flow."""

import csv
import io
from datetime import datetime

import pytest
from sqlalchemy import select

from ivr.store.models import Call, Reading, Turn
from ivr.store.readings_csv import export_readings
from tests.conftest import say
from tests.sessions import session

pytestmark = pytest.mark.both_databases


def exported(app):
    with app.app_context():
        out = io.BytesIO()  # the export writes a file's bytes
        export_readings(session(), out)
    return list(csv.DictReader(io.StringIO(out.getvalue().decode())))


def readings(app):
    with app.app_context():
        return session().scalars(select(Reading).order_by(Reading.id)).all()


def give_reading(call, words):
    assert "Назовите показания" in call.heard.text
    say(call, words)
    assert "Верно" in call.heard.text or "верно" in call.heard.text
    return say(call, "да")


def test_known_caller_gives_a_reading_by_voice_and_it_lands_in_the_export(app, phone):
    call = phone("+79161234567")
    assert "Что Вас интересует" in call.dial().text
    assert "ул. Ленина, д. 1, кв. 1" in say(call, "показания").text
    say(call, "да")
    heard = give_reading(call, "один один два ноль")
    assert heard.waits_for == "hangup" and "Принято показаний: 1" in heard.text
    [row] = exported(app)
    assert row["account"] == "100001" and row["meter"] == "M-1" and row["zone"] == "T1"
    assert (row["value"], row["previous"], row["consumption"]) == ("1120", "1000", "120")
    assert row["status"] == "accepted" and row["channel"] == "ivr" and row["call_sid"] == call.sid


def test_read_back_is_digit_by_digit(app, phone):
    call = phone()
    call.dial(), say(call, "показания"), say(call, "да")
    assert "Вы назвали: один один два ноль" in say(call, "тысяча сто двадцать").text


@pytest.mark.parametrize("caller", ["+79031112233", "+79990000000", "anonymous", "+266696687", ""])
def test_several_accounts_unknown_or_hidden_numbers_are_asked_for_the_account(app, phone, caller):
    call = phone(caller)
    call.dial()
    assert "номер лицевого счёта" in say(call, "показания").text


def test_caller_id_in_any_human_format_matches_the_imported_phone(app, phone):
    call = phone("+74957287010")  # imported as 8-495-728-70-10
    call.dial()
    assert "ул. Мира, д. 2" in say(call, "показания").text


def test_two_meters_two_and_three_zones_by_keypad(app, phone):
    call = phone("+79990000000")
    call.dial()
    assert "нажмите решётку" in call.press("1").text  # 1 at the greeting: keypad for the call
    assert "ул. Мира" in call.press("200002#").text
    heard = call.press("1")
    assert "Счётчик номер 1" in heard.text and "Т1, день" in heard.text
    expected = [("5100", "Т2, ночь"), ("3100", "Т1, пик"), ("110", "Т2, ночь"), ("210", "Т3, полупик")]
    for value, next_zone in expected:
        assert "если верно" in call.press(value + "#").text
        assert next_zone in call.press("1").text
    call.press("310#")
    assert "Принято показаний: 5" in call.press("1").text
    rows = exported(app)
    assert [(r["meter"], r["zone"], r["value"]) for r in rows] == [
        ("M-2", "T1", "5100"),
        ("M-2", "T2", "3100"),
        ("M-3", "T1", "110"),
        ("M-3", "T2", "210"),
        ("M-3", "T3", "310"),
    ]


def test_wrong_address_found_by_phone_asks_for_the_account_number(app, phone):
    call = phone()
    call.dial(), say(call, "показания")
    assert "номер лицевого счёта" in say(call, "нет").text


def test_lower_reading_is_refused_then_the_same_value_twice_goes_to_review(app, phone):
    call = phone()
    call.dial(), say(call, "показания"), say(call, "да")
    heard = say(call, "девятьсот")
    assert "меньше предыдущих" in heard.text and "Верно" not in heard.text
    assert "на проверку" in say(call, "девятьсот").text
    say(call, "да")
    [r] = readings(app)
    assert (r.value, r.status, r.flags) == (900, "pending_review", "NEGATIVE")
    with app.app_context():
        from ivr.store.models import Meter

        assert session().scalars(select(Meter).where(Meter.serial == "M-1")).one().last_t1 == 1000


def test_rollover_outside_the_window_gets_the_special_confirmation(app, phone):
    call = phone("+79990000000")
    call.dial(), say(call, "показания"), say(call, "три ноль ноль ноль ноль три"), say(call, "да")
    assert "перешёл через ноль" in say(call, "ноль ноль ноль два ноль").text
    heard = say(call, "да")
    assert "следующем расчётном периоде" in heard.text
    [row] = exported(app)
    assert row["consumption"] == "520" and row["flags"] == "ROLLOVER;OUT_OF_WINDOW"


def test_high_use_gets_the_special_confirmation(app, phone):
    call = phone()
    call.dial(), say(call, "показания"), say(call, "да")
    assert "больше обычного" in say(call, "девять девять девять девять").text
    say(call, "да")
    assert readings(app)[0].flags == "HIGH"


def test_second_submission_in_a_period_supersedes_the_first_and_keeps_both(app, phone):
    for value in ("тысяча сто", "тысяча двести"):
        call = phone()
        call.dial(), say(call, "показания"), say(call, "да"), say(call, value), say(call, "да")
    rows = exported(app)
    assert [(r["value"], r["previous"], r["status"]) for r in rows] == [
        ("1100", "1000", "superseded"),
        ("1200", "1000", "accepted"),
    ]


@pytest.mark.settings(IVR_OPERATOR_NUMBER="+74950000001")
def test_operator_by_key_zero_dials_the_operator(app, phone):
    call = phone()
    call.dial()
    heard = call.press("0")
    assert heard.waits_for == "dial" and heard.dialled == "+74950000001"
    call.hangup()
    with app.app_context():
        assert session().execute(select(Call.outcome, Call.end_reason, Call.operator_dialled)).one() == (
            "transferred",
            "operator",
            True,
        )


def test_operator_without_a_number_apologises_and_hangs_up(app, phone):
    call = phone()
    call.dial()
    heard = say(call, "оператор")
    assert heard.waits_for == "hangup" and "операторы сейчас недоступны" in heard.text
    with app.app_context():
        assert session().execute(select(Call.outcome, Call.operator_dialled)).one() == ("transferred", False)


def test_three_failures_transfer_to_the_operator_saying_why(app, phone):
    call = phone("+79990000000")
    call.dial(), say(call, "показания")
    assert "не найден" in say(call, "один").text
    heard = say(call, "два")
    assert "не найден" in heard.text and heard.waits_for == "gather"  # the keypad, for the last try
    heard = call.press("3#")
    assert heard.waits_for == "hangup" and "Не удалось найти лицевой счёт" in heard.text


def test_two_unrecognised_answers_offer_the_keypad(app, phone):
    call = phone()
    call.dial()
    say(call, "абракадабра")
    heard = say(call, "абракадабра")
    assert heard.waits_for == "gather" and "нажмите 1" in heard.text


def test_silence_repeats_the_question_and_the_third_transfers(app, phone):
    call = phone()
    call.dial()
    assert "не слышу" in call.silence().text
    call.silence()
    assert call.silence().waits_for == "hangup"


def test_hang_up_in_the_middle_saves_nothing_half_done(app, phone):
    call = phone("+79990000000")
    call.dial(), say(call, "показания"), say(call, "два ноль ноль ноль ноль два"), say(call, "да")
    say(call, "пять один ноль ноль"), say(call, "да")  # T1 confirmed, T2 not yet
    call.hangup()
    assert readings(app) == []
    with app.app_context():
        c = session().scalars(select(Call)).one()
        assert (c.outcome, c.status) == ("abandoned", "completed") and c.duration_s is not None


def test_duplicate_delivery_records_nothing_twice_and_skips_no_question(app, phone):
    call = phone()
    call.dial(), say(call, "показания"), say(call, "да"), say(call, "тысяча сто")
    first = say(call, "да")
    status, body = call.replay_last()
    assert status == 200 and "Принято показаний: 1" in body
    assert len(readings(app)) == 1
    call2 = phone()
    call2.dial()
    status, body = call2.replay_last()  # /twilio/voice again
    assert "Что Вас интересует" in body
    say(call2, "показания")
    status, body = call2.replay_last()
    assert "ул. Ленина" in body and first.waits_for == "hangup"


def test_every_turn_is_recorded_with_what_was_heard(app, phone):
    call = phone()
    call.dial(), say(call, "показания"), call.press("1")
    with app.app_context():
        turns = session().scalars(select(Turn).order_by(Turn.seq)).all()
    assert [(t.question, t.mode, t.outcome, t.decision) for t in turns[:2]] == [
        ("intent", "voice", "answered", "address"),
        ("address", "voice", "keys", "address"),
    ]
    assert turns[0].heard == "показания" and turns[0].confidence == pytest.approx(0.95)
    assert turns[0].recording_path.endswith("1.wav")


def test_forged_signature_gets_403_and_changes_nothing(app, client):
    response = client.post(
        "https://hotline.example/twilio/voice",
        data={"CallSid": "CAx", "From": "+79161234567"},
        headers={"X-Twilio-Signature": "forged"},
    )
    assert response.status_code == 403
    assert client.post("https://hotline.example/twilio/voice", data={"CallSid": "CAx"}).status_code == 403
    with app.app_context():
        assert session().scalars(select(Call)).all() == []


def test_missing_call_sid_gets_a_polite_spoken_answer(app, phone):
    call = phone()
    status, body = call.post("https://hotline.example/twilio/voice", {"From": "+79161234567"})
    assert status == 200 and "<Say" in body and "<Hangup" in body


def test_answers_to_an_unknown_call_restart_politely(app, phone):
    call = phone()
    status, body = call.post("https://hotline.example/twilio/answer?q=5", call.params(Digits="1"))
    assert status == 200 and "<Redirect" in body


def test_webhook_responses_are_twiml_with_nothing_before_the_xml(app, phone):
    call = phone()
    status, body = call.post("https://hotline.example/twilio/voice", call.params())
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?><Response>')


def test_english_line_speaks_english(app, phone):
    call = phone()
    call.voice_path = "/twilio/voice?locale=en"
    assert "How can I help you" in call.dial().text
    assert "Your address is" in say(call, "readings").text


def keypad_reading(phone, value):
    """A keypad call from 100001's phone (previous 1000 on 2026-10-17) giving one reading."""
    call = phone("+79161234567")
    call.dial()
    call.press("1")  # readings, keypad for the whole call
    call.press("1")  # address confirmed
    return call, call.press(value + "#")


def test_a_correction_in_the_same_period_is_not_judged_high_against_the_reading_it_replaces(app, phone):
    # Call 1 gives 1001 (1 kWh in 31 days). Call 2, the same day, corrects it to 1100: 100 kWh
    # in 31 days with no history from before the period is far under 50 kWh/day, so it gets the
    # plain read-back: the reading it replaces (1/31 kWh a day) is no history to judge it by.
    call, heard = keypad_reading(phone, "1001")
    assert "больше обычного" not in heard.text
    call.press("1")
    call, heard = keypad_reading(phone, "1100")
    assert "больше обычного" not in heard.text
    call.press("1")
    assert [(r.value, r.status, r.flags) for r in readings(app)] == [
        (1001, "superseded", ""),
        (1100, "accepted", ""),
    ]


def test_yes_then_hang_up_at_the_last_confirmation_still_saves_the_meter(app, phone, recordings):
    # The caller says "да" to the read-back and hangs up before the 3 s of silence end the
    # <Record>. Twilio then posts the Record action with the recording and Digits=hangup.
    call = phone()
    call.dial(), say(call, "показания"), say(call, "да")
    assert "Верно" in say(call, "тысяча сто").text
    action = call.heard.action
    params = call.params(
        RecordingUrl=recordings.publish("да".encode()),
        RecordingSid="RE" + "2" * 32,
        RecordingDuration="1",
        Digits="hangup",
        CallStatus="completed",
    )
    status, _ = call.post(action, params)
    assert status == 200
    call.hangup()
    assert [(r.value, r.status) for r in readings(app)] == [(1100, "accepted")]


def test_reading_rules_are_configurable_per_deployment(app, settings, recordings):
    from ivr import create_app
    from ivr.qa.driver import FlaskTransport, TwilioCall
    from tests.conftest import ACCOUNT_SID, PUBLIC_URL, TOKEN

    strict = create_app({**settings, "IVR_RULE_NO_HISTORY_DAILY_KWH": "1"})  # same database
    call = TwilioCall(
        FlaskTransport(strict),
        PUBLIC_URL,
        caller="+79161234567",
        token=TOKEN,
        account_sid=ACCOUNT_SID,
        recordings=recordings,
    )
    call.dial(), say(call, "показания"), say(call, "да")
    # 100 kWh in 31 days: plain under the default 50 a day, high under 1 a day
    assert "больше обычного" in say(call, "тысяча сто").text


@pytest.mark.settings(IVR_CLOCK=lambda: datetime(2026, 11, 20, 22, 0))  # 01:00 on the 21st in Moscow
def test_the_submission_window_follows_the_utility_calendar_not_utc(app, phone):
    call = phone()
    call.dial(), say(call, "показания"), say(call, "да"), say(call, "тысяча сто")
    assert "следующем расчётном периоде" in say(call, "да").text
    [row] = exported(app)
    assert row["flags"] == "OUT_OF_WINDOW" and row["received_at"] == "2026-11-20T22:00:00+00:00"
