"""When a webhook fails: the apology is in the caller's language, and Twilio's Voice fallback URL
answers with an apology and a way back to the call, a bounded number of times, without the database
(Production shape, issue 9)."""

import pytest

from ivr import create_app, locales
from ivr.qa.driver import FlaskTransport, TwilioCall, parse
from ivr.runtime import runtime
from tests.conftest import ACCOUNT_SID, PUBLIC_URL, TOKEN
from tests.serving import free_port

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py

FALLBACK = PUBLIC_URL + "/twilio/fallback"


@pytest.fixture
def call():
    """A call to a hotline whose database is down: nothing listens on its PostgreSQL port."""
    app = create_app({"IVR_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/ivr",
                      "TWILIO_AUTH_TOKEN": TOKEN, "IVR_PUBLIC_URL": PUBLIC_URL, "RECOGNIZERS": {},
                      "IVR_OPERATOR_NUMBER": "+74950000001", "SECRET_KEY": "test-secret"})  # fmt: skip
    assert app.test_client().get("/healthz").json["database"].startswith("error")
    return TwilioCall(FlaskTransport(app), PUBLIC_URL, token=TOKEN, account_sid=ACCOUNT_SID)


def fallback(call: TwilioCall, url: str = FALLBACK, **params: str):
    status, body = call.post(url, call.params(**params))
    assert status == 200
    return parse(body), body


def test_the_fallback_url_apologises_and_sends_the_caller_back_to_the_voice_url(call):
    heard, body = fallback(call, ErrorCode="11200", ErrorUrl=PUBLIC_URL + "/twilio/answer?q=3")
    assert heard.says == [locales.load("ru").text("sorry_error")]
    assert heard.fallback == PUBLIC_URL + "/twilio/voice?errors=1"
    assert '<Redirect method="POST">' in body and "<Pause" in body


def test_the_fallback_url_keeps_the_line_s_locale(call):
    heard, _ = fallback(call, FALLBACK + "?locale=en", ErrorUrl=PUBLIC_URL + "/twilio/voice?locale=en")
    assert heard.says == [locales.load("en").text("sorry_error")]
    assert heard.fallback == PUBLIC_URL + "/twilio/voice?errors=1&locale=en"


def test_the_fallback_url_counts_on_from_the_failed_url_and_then_hands_the_caller_to_a_person(call):
    # Twilio requests the same fallback URL after every failure; the failed URL carries the count.
    failed = PUBLIC_URL + "/twilio/voice"
    for n in (1, 2, 3):
        heard, _ = fallback(call, ErrorCode="11205", ErrorUrl=failed)
        assert heard.fallback == f"{PUBLIC_URL}/twilio/voice?errors={n}"
        failed = heard.fallback
    heard, _ = fallback(call, ErrorCode="11205", ErrorUrl=failed)
    assert heard.waits_for == "dial" and heard.dialled == "+74950000001"


def test_a_failing_answer_on_a_line_in_another_language_apologises_in_that_language(app, recordings,
                                                                                 monkeypatch):  # fmt: skip
    call = TwilioCall(FlaskTransport(app), PUBLIC_URL, token=TOKEN, account_sid=ACCOUNT_SID,
                      recordings=recordings, voice_path="/twilio/voice?locale=en")  # fmt: skip
    question = call.dial()

    def broken(*_args, **_kwargs):
        raise RuntimeError("a bug in the flow")

    monkeypatch.setattr(runtime(app).calls, "answer", broken)
    heard = call.press("1")
    assert heard.says == [locales.load("en").text("sorry_error"), *question.says]
    assert call.url == PUBLIC_URL + "/twilio/repeat?errors=1&locale=en"
