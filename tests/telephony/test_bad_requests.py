"""Malformed or hostile webhook parameters get a spoken answer or a clean refusal, never a 500."""

import threading

import pytest
from sqlalchemy import select

from ivr.store.models import Reading
from tests.conftest import say
from tests.sessions import session

pytestmark = pytest.mark.both_databases

ODD = [
    {},
    {"CallSid": ""},
    {"CallSid": "CA" + "x" * 500},
    {"CallSid": "CA1\nforged log line"},
    {"Digits": "1" * 5000},
    {"Digits": "abc*#"},
    {"RecordingUrl": "https://evil.example/x.wav", "RecordingDuration": "3"},
    {"RecordingUrl": "https://api.twilio.com/none", "RecordingDuration": "not-a-number"},
    {"From": "\x00\x01'; DROP TABLE calls;--"},
]


@pytest.mark.parametrize("extra", ODD)
@pytest.mark.parametrize(
    "path",
    [
        "/twilio/voice",
        "/twilio/answer?q=1",
        "/twilio/answer?q=zz",
        "/twilio/silence?q=1",
        "/twilio/status",
        "/twilio/repeat",
    ],
)
def test_odd_parameters_never_cause_a_server_error(app, phone, path, extra):
    call = phone()
    call.dial()
    status, body = call.post("https://hotline.example" + path, {**call.params(), **extra})
    assert status in (200, 204)
    if status == 200:
        assert body.startswith("<?xml") and "<Response" in body


def test_the_same_answer_delivered_twice_at_once_is_taken_once(app, phone):
    call = phone()
    call.dial(), say(call, "показания"), say(call, "да"), say(call, "тысяча сто")
    url = call.heard.action
    params = call.params(RecordingUrl=call.recordings.publish("да".encode()), RecordingDuration="1")
    results = []

    def deliver():
        results.append(call.post(url, params))

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [status for status, _ in results] == [200, 200]
    assert all("Принято показаний: 1" in body for _, body in results)
    with app.app_context():
        assert len(session().scalars(select(Reading)).all()) == 1
