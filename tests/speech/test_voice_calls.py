"""Whole calls through the webhooks and the real Vosk engine (Korean model, espeak-ng audio).

Voice for the intent and yes/no answers, the keypad for digits: espeak-ng's Korean digits are
too unnatural for the model (see DEVELOPERS.md).
"""

import pytest
from sqlalchemy import select

from ivr.speech.engine import VoskRecognizer
from ivr.store.models import Reading, Turn
from tests.sessions import session

pytestmark = [pytest.mark.engine]


@pytest.fixture
def settings(settings, ko_model):
    settings["RECOGNIZERS"] = {"ko": VoskRecognizer(ko_model, "ko")}
    return settings


@pytest.fixture
def ko_call(phone):
    def call(caller="+79161234567"):
        c = phone(caller)
        c.voice_path = "/twilio/voice?locale=ko"
        return c

    return call


def meter(korean, rate=8000) -> bytes:
    """계량기, said the way a phone line carries it at 8 kHz (G.711 mu-law)."""
    # The 8 kHz PCM rendering ties with silence in the n-best (margin 0.06) and is refused;
    # the same words through mu-law are heard clearly (test_rejection.py).
    return korean.telephone("계량기") if rate == 8000 else korean.say("계량기", rate)


def turns(app):
    with app.app_context():
        return session().scalars(select(Turn).order_by(Turn.seq)).all()


@pytest.mark.parametrize("rate", [8000, 16000])
def test_spoken_intent_and_yes_with_keyed_digits_save_a_reading(app, ko_call, korean, rate):
    call = ko_call()
    assert call.dial().waits_for == "record"
    heard = call.say(meter(korean, rate))
    assert "주소가" in heard.text and "ул. Ленина" in heard.text  # the address question
    heard = call.say(korean.say("네", rate))
    assert heard.waits_for == "record"  # the reading question, by voice
    assert call.press("1").waits_for == "gather"  # a key moves the call to the keypad
    assert "맞으면 1번" in call.press("1100#").text  # the read-back names the keys
    assert call.press("1").waits_for == "hangup"
    with app.app_context():
        [reading] = session().scalars(select(Reading)).all()
        assert (reading.value, reading.status) == (1100, "accepted")
    first, second = turns(app)[:2]
    assert (first.heard, first.value, first.outcome) == ("계량기", "readings", "answered")
    assert second.heard in ("네", "예") and second.value == "yes" and second.confidence > 0.5
    assert first.words and first.asr_seconds > 0 and first.recording_path


def test_spoken_no_at_the_address_asks_for_the_account(app, ko_call, korean):
    call = ko_call()
    call.dial(), call.say(meter(korean))
    assert "고객 번호" in call.say(korean.say("아니요")).text


@pytest.mark.parametrize(
    "audio",
    [
        pytest.param(lambda k: k.noise(2.0), id="garbage-noise"),
        pytest.param(lambda k: k.silence(2.0), id="silence"),
        pytest.param(lambda k: k.say("네")[:300], id="truncated-wav"),
        pytest.param(lambda k: b"<html>not a wav</html>", id="non-wav"),
        pytest.param(lambda k: b"RIFF" + b"\0" * (3 * 1024 * 1024), id="oversized"),
    ],
)
def test_bad_audio_gets_a_spoken_re_ask_never_an_error(app, ko_call, korean, audio):
    call = ko_call()
    call.dial()
    heard = call.say(audio(korean))
    assert heard.waits_for in ("record", "gather") and "죄송합니다" in heard.text  # sorry + re-ask
    assert turns(app)[0].outcome in ("no-match", "no-audio", "bad-audio")
    assert turns(app)[1].question == "intent"
