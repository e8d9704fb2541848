"""POST /twilio/sms: signed like the voice webhooks, TwiML <Message> replies, WhatsApp, keywords."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from twilio.request_validator import RequestValidator

from ivr.store.models import Message, Reading
from tests.conftest import PUBLIC_URL, TOKEN
from tests.sessions import transaction
from tests.texts.conftest import KNOWN, message_text, signed


def stored(app) -> list[tuple]:
    with app.app_context(), transaction() as s:
        return [
            (r.value, r.channel, r.message.external_id)
            for r in s.scalars(select(Reading).order_by(Reading.id))
        ]


def test_a_signed_sms_is_answered_with_a_message_in_russian(app, text):
    code, reply, response = text("100001 1100", sid="SM" + "a" * 32)
    assert code == 200 and response.mimetype == "text/xml"
    assert reply == "Принято: 1 показание. Спасибо!"
    assert stored(app) == [(1100, "sms", "SM" + "a" * 32)]


def test_a_forged_signature_is_refused_and_changes_nothing(app, client):
    params = {"MessageSid": "SM" + "b" * 32, "From": KNOWN, "Body": "100001 1100", "NumMedia": "0"}
    headers = signed(params, token="not-the-token")
    assert client.post("/twilio/sms", data=params, headers=headers).status_code == 403
    assert client.post("/twilio/sms", data=params).status_code == 403
    with app.app_context(), transaction() as s:
        assert s.scalars(select(Message)).all() == []


@pytest.mark.settings(TWILIO_AUTH_TOKEN=None)
def test_without_a_token_the_webhook_refuses_unless_in_demo(client):
    assert client.post("/twilio/sms", data={"MessageSid": "SM1", "Body": "HELP"}).status_code == 503


@pytest.mark.settings(TWILIO_AUTH_TOKEN=None, IVR_DEMO="1")
def test_in_demo_mode_unsigned_messages_are_taken(client):
    response = client.post("/twilio/sms", data={"MessageSid": "SM1", "From": KNOWN, "Body": "HELP"})
    assert response.status_code == 200 and "100001" in response.get_data(as_text=True)


@pytest.mark.both_databases
def test_twilio_retrying_a_message_stores_its_reading_once(app, text):
    first = text("100001 1100", sid="SM" + "c" * 32)
    again = text("100001 1100", sid="SM" + "c" * 32)
    assert first[:2] == again[:2]
    assert stored(app) == [(1100, "sms", "SM" + "c" * 32)]


def test_whatsapp_drops_the_prefix_and_knows_the_sender(app, text):
    code, reply, _ = text("100001 1100", sender="whatsapp:" + KNOWN)
    assert code == 200 and "Принято" in reply and "номер не указан" not in reply
    assert stored(app)[0][:2] == (1100, "whatsapp")
    with app.app_context(), transaction() as s:
        m = s.scalars(select(Message)).one()
        assert (m.channel, m.sender, m.sender_key) == ("whatsapp", KNOWN, KNOWN)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("HELP", "Send your account number"),
        ("помощь", "Отправьте номер лицевого счёта"),
        ("readings 100001 1100", "1 reading received"),
        ("what is this", "Send your account number"),
        ("как передать показания?", "Отправьте номер лицевого счёта"),
        ("검침 100001 1100", "검침 1개를 받았습니다"),
        ("СТОП", "Вы отписались от уведомлений"),
        ("START", "Notices are on again"),
    ],
)
def test_the_reply_speaks_the_senders_language(text, body, expected):
    assert expected in text(body)[1]


def test_media_and_long_messages_get_a_short_refusal(app, text):
    assert text("100001 1100", media=1)[1] == "Мы принимаем только текст: номер счёта и показания."
    assert "слишком длинное" in text("100001 1100 " + "x" * 500)[1]
    assert stored(app) == []


def test_a_malformed_message_sid_is_a_bad_request(client):
    params = {"MessageSid": "../../etc", "From": KNOWN, "Body": "HELP"}
    assert client.post("/twilio/sms", data=params, headers=signed(params)).status_code == 400


def test_a_numbers_own_locale_answers_digits_in_it(client):
    params = {"MessageSid": "SM" + "e" * 32, "From": KNOWN, "Body": "100001 1100", "NumMedia": "0"}
    url = f"{PUBLIC_URL}/twilio/sms?locale=en"
    signature = RequestValidator(TOKEN).compute_signature(url, params)
    response = client.post("/twilio/sms?locale=en", data=params, headers={"X-Twilio-Signature": signature})
    assert message_text(response.get_data(as_text=True)) == "1 reading received. Thank you!"


def test_a_whatsapp_sender_confirms_high_use_with_yes(app, text):
    asked = text("100001 99000", sender="whatsapp:" + KNOWN)[1]
    assert "больше обычного" in asked and "ДА" in asked and stored(app) == []
    assert text("Да", sender="whatsapp:" + KNOWN)[1].startswith("Принято: 1 показание")
    assert [(value, channel) for value, channel, _ in stored(app)] == [(99000, "whatsapp")]
