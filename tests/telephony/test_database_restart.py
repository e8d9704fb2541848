"""A PostgreSQL restart in the middle of a call: what arrives while it is down waits for it, briefly,
so the caller hears no apology and the status callback, which Twilio never repeats, is not lost."""

import threading

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from ivr.qa.driver import FlaskTransport, TwilioCall
from ivr.store.models import Call, Reading
from tests.conftest import ACCOUNT_SID, NOW, PUBLIC_URL, TOKEN, TranscriptRecognizer, migrated_app, say
from tests.serving import Relay
from tests.sessions import session

pytestmark = pytest.mark.postgres
OUTAGE_S = 1.0  # a restart of an idle server took 1.1-1.3 s in the soak test


@pytest.fixture
def relay(pg_url):
    """The test database reached through a relay that can go down and come back."""
    relay = Relay(make_url(pg_url).port or 5432).up()
    yield relay
    relay.down()


@pytest.fixture
def app(relay, pg_url, tmp_path):
    url = make_url(pg_url).set(port=relay.port).render_as_string(hide_password=False)
    config = {"IVR_DATABASE_URL": url, "TWILIO_AUTH_TOKEN": TOKEN, "IVR_PUBLIC_URL": PUBLIC_URL,
                      "IVR_RECORDINGS_DIR": str(tmp_path), "IVR_CLOCK": lambda: NOW, "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
                      "RECOGNIZERS": {"ru": TranscriptRecognizer("ru")}, "SECRET_KEY": "test-secret"}  # fmt: skip
    with migrated_app(config) as app:
        yield app


def restart(relay: Relay) -> None:
    relay.down()
    threading.Timer(OUTAGE_S, relay.up).start()


@pytest.fixture
def phone(app, recordings):
    return TwilioCall(FlaskTransport(app), PUBLIC_URL, caller="+79161234567", token=TOKEN,
                      account_sid=ACCOUNT_SID, recordings=recordings)  # fmt: skip


@pytest.fixture
def call(phone):
    """A keypad call at the read-back of its reading."""
    call = phone
    call.dial()
    call.press("1")  # a key at the first question: the rest of the call on the keypad
    call.press("1")
    call.press("1100#")
    return call


def test_a_key_pressed_while_postgresql_restarts_is_taken_when_it_is_back_without_an_apology(
    app, relay, call
):
    restart(relay)
    heard = call.press("1")
    assert heard.waits_for == "hangup" and heard.says == [
        "Принято показаний: 1. Спасибо за звонок, до свидания!"
    ]
    with app.app_context():
        assert [r.value for r in session().scalars(select(Reading))] == [1100]


def test_a_status_callback_sent_while_postgresql_restarts_still_closes_the_call(app, relay, call):
    call.press("1")
    restart(relay)
    assert call.hangup()[0] == 204
    with app.app_context():
        stored = session().scalars(select(Call)).one()
        assert (stored.outcome, stored.ended_at is not None) == ("completed", True)


def test_a_recording_sent_while_postgresql_restarts_is_heard_when_it_is_back_without_an_apology(
    app, relay, phone
):
    phone.dial()
    assert say(phone, "показания").waits_for == "record"  # the address, by voice
    restart(relay)
    heard = say(phone, "да")
    assert heard.waits_for == "record" and "Назовите показания" in heard.text and "Извините" not in heard.text
