"""Whole streamed calls with the real engine (Korean model): answers taken the moment the caller stops."""

import pytest
from sqlalchemy import select

from ivr.qa.streams import StreamLine
from ivr.speech.engine import VoskRecognizer
from ivr.store.models import Reading
from tests.conftest import ACCOUNT_SID, TOKEN
from tests.sessions import session
from tests.stream.conftest import call_row, turns
from tests.stream.test_socket import STREAM, eventually

pytestmark = [pytest.mark.engine]


@pytest.fixture
def settings(settings, ko_model):
    return {**settings, "RECOGNIZERS": {"ko": VoskRecognizer(ko_model, "ko")}}


def test_spoken_intent_and_yes_over_the_stream_then_keys_save_a_reading(
    app, streamed, korean, twilio_api, tmp_path
):
    call = streamed(locale="ko")
    assert call.dial().waits_for == "gather"
    heard = call.say(korean.say("계량기"))
    assert "주소가" in heard.text and "ул. Ленина" in heard.text  # the address question
    heard = call.say(korean.say("네"))
    assert heard.waits_for == "gather" and "계량기" in heard.text  # the reading question
    assert call.press("1").waits_for == "gather"  # a key moves the call to the keypad
    assert "맞으면 1번" in call.press("1100#").text  # the read-back, naming the keys
    assert call.press("1").waits_for == "hangup"
    with app.app_context():
        [reading] = session().scalars(select(Reading)).all()
        assert (reading.value, reading.status) == (1100, "accepted")
    first, second = turns(app, call.sid)[:2]
    assert (first.heard, first.value, first.outcome) == ("계량기", "readings", "answered")
    assert second.value == "yes" and second.confidence > 0.5
    assert (tmp_path / "recordings" / first.recording_path).read_bytes()[:4] == b"RIFF"
    moves = [u.url.rsplit("/", 1)[-1] for u in twilio_api.updates]  # the first word may stop the prompt first
    assert [m for m in moves if m != "repeat"] in (
        [],
        ["listening?q=1"],
        ["listening?q=2"],
        ["listening?q=1", "listening?q=2"],
    )
    assert moves.count("repeat") == 2 and moves[-1] == "repeat"
    assert call_row(app, call.sid).listen == "live"


def test_spoken_no_at_the_address_asks_for_the_account(streamed, korean):
    call = streamed(locale="ko")
    call.dial(), call.say(korean.say("계량기"))
    assert "고객 번호" in call.say(korean.say("아니요")).text


@pytest.mark.parametrize("speed", [1.0, 8.0], ids=["real-time", "8x"])
def test_an_answer_is_heard_alike_in_real_time_and_faster(app, streamed, korean, speed):
    call = streamed(locale="ko", speed=speed)
    call.dial()
    assert "주소가" in call.say(korean.say("계량기")).text
    first = turns(app, call.sid)[0]
    assert (first.heard, first.value, first.outcome) == ("계량기", "readings", "answered")


@pytest.mark.both_databases
def test_a_key_pressed_as_the_caller_speaks_wins_and_the_words_change_nothing(
    app, streamed, korean, twilio_api
):
    call = streamed(locale="ko")
    call.dial(), call.say(korean.say("계량기"))
    moves = len(twilio_api.updates)
    said = call.speak(korean.say("네"))  # yes, said...
    heard = call.press("2")  # ...while pressing a key, which arrives first
    assert "버튼 입력으로" in heard.text and "주소가" in heard.text  # on to the keypad, asked again
    # The spoken yes and the quiet after it reach the app meanwhile, and change nothing:
    call.wait_for(lambda: said in call.line.sent_at, 30, "the yes was not sent")
    address = turns(app, call.sid)[1]
    assert (address.outcome, address.keys) == ("keys", "2")
    assert [u.url for u in twilio_api.updates[moves:] if "/repeat" in u.url] == []
    assert len(turns(app, call.sid)) == 3 and call.heard.text == heard.text


@pytest.mark.both_databases
def test_a_key_that_comes_after_the_spoken_answer_changes_nothing(app, streamed, korean):
    call = streamed(locale="ko")
    call.dial(), call.say(korean.say("계량기"))
    stale = call.heard.action  # the address question's Gather, as Twilio still holds it
    assert "q=2" in stale
    account = call.say(korean.say("아니요")).text
    status, body = call.post(stale, call.params(Digits="1"))
    assert status == 200 and "고객 번호" in body and "고객 번호" in account
    address = turns(app, call.sid)[1]
    assert (address.outcome, address.value) == ("answered", "no")


def test_a_failed_rest_update_is_retried_once(app, streamed, korean, twilio_api):
    call = streamed(locale="ko")
    call.dial()
    twilio_api.failures = 1
    assert "주소가" in call.say(korean.say("계량기")).text
    failed, retried = twilio_api.updates[:2]
    assert (failed.status, retried.status, retried.url) == (500, 200, failed.url)


def test_when_the_update_fails_twice_the_questions_own_timer_moves_the_call_on(
    app, streamed, korean, twilio_api
):
    call = streamed(locale="ko")
    call.dial()
    twilio_api.failures = 10
    heard = call.say(korean.say("계량기"))  # no move: the Gather's timeout, then its redirect
    assert "주소가" in heard.text and "/twilio/silence" in call.url  # the answer was taken already
    assert [(t.outcome, t.value) for t in turns(app, call.sid)] == [("answered", "readings"), (None, None)]


def test_an_answer_over_a_long_prompt_stops_it_within_half_a_second_of_the_word(
    app, streamed, korean, twilio_api
):
    call = streamed(locale="ko", speed=1.0)
    greeting = call.dial()
    playing_s = len(greeting.text) / 12  # Korean <Say> speaks ~12 characters a second
    marker = call.speak(korean.say("계량기"))  # at once, over the greeting and the question
    call.wait_for(lambda: call.answered_after(marker), 30, "no answer")
    # On the call's audio clock, which stalls with a loaded machine where wall time would not:
    first = twilio_api.updates[0]
    assert first.audio_s < playing_s  # the prompt was still playing: it was stopped
    assert first.audio_s - call.line.spoke_audio_s[marker] < 0.5
    assert "주소가" in call.heard.text


def test_noise_bursts_over_a_prompt_neither_stop_it_nor_answer(app, streamed, korean, twilio_api):
    call = streamed(locale="ko", speed=1.0)
    call.dial()
    for colour in ("whitenoise", "pinknoise", "brownnoise", "sine 697 sine 1209"):
        last = call.speak(noise_burst(korean, colour))
    call.wait_for(lambda: last in call.line.sent_at, 60, "the bursts were not sent")  # and their tails
    assert twilio_api.updates == [] and turns(app, call.sid)[0].outcome is None
    assert "주소가" in call.say(korean.say("계량기")).text  # the stream still hears a real answer


def noise_burst(korean, colour):
    from ivr.speech.audio import decode_wav
    from ivr.speech.telephone import wav

    return wav(decode_wav(korean.noise(0.3, colour=f"{colour} vol 0.3")).pcm)


def test_a_dropped_stream_leaves_the_next_questions_on_record_and_voice_still_works(app, streamed, korean):
    call = streamed(locale="ko")
    call.dial()
    assert "주소가" in call.say(korean.say("계량기")).text
    call.line.drop()
    call.wait_for(lambda: call_row(app, call.sid).listen == "lost", 30, "the drop was not noticed")
    heard = call.silence()  # what the caller said after the drop went nowhere: the timer asks again
    assert heard.waits_for == "record" and "주소가" in heard.text
    assert call.say(korean.say("네")).waits_for == "record"  # the reading question, on <Record>
    address = turns(app, call.sid)[2]
    assert (address.value, address.outcome) == ("yes", "answered") and address.recording_path


def test_a_stream_that_falls_behind_is_given_up_for_record(app, streamed):
    call = streamed(locale="ko")
    call.dial()
    call.line.slowdown = 4.0  # audio arrives at a quarter of real time, as if this process lagged
    call.wait_for(lambda: call_row(app, call.sid).listen == "lost", 30, "the lagging stream was kept")
    assert call.silence().waits_for == "record"


def test_after_a_refused_second_start_the_first_stream_still_hears_the_caller(
    app, server, streamed, korean, twilio_api
):
    call = streamed(locale="ko")
    call.dial()
    assert eventually(lambda: call_row(app, call.sid).listen == "live")
    second = StreamLine(f"ws://{server}/twilio/stream", STREAM, TOKEN, call.sid, ACCOUNT_SID,
                        parameters=call.line.parameters)  # fmt: skip
    second.start()  # the call's own start again, token and all
    assert eventually(lambda: not second.open)
    second.stop()
    heard = call.say(korean.say("계량기"))
    assert call.line.open and "주소가" in heard.text  # the address question
    assert [u.url.rsplit("/", 1)[-1] for u in twilio_api.updates][-1] == "repeat"  # moved by the stream
    assert call_row(app, call.sid).listen == "live"
