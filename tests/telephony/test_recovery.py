"""Failures end well: a bug transfers after the second error, a dead database is waited for, and
every webhook answers in time whatever a dependency does."""

import http.server
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

import ivr.flows
from ivr import create_app, logs
from ivr.config import load
from ivr.locales import load as load_pack
from ivr.qa.driver import FlaskTransport, TwilioCall
from ivr.runtime import runtime
from ivr.store.models import Call, Reading
from ivr.telephony import recovery
from ivr.telephony.recordings import RecordingError, fetch_recording
from tests.conftest import ACCOUNT_SID, PUBLIC_URL, TOKEN
from tests.sessions import session

pytestmark = pytest.mark.both_databases
SORRY = load_pack("ru").text("sorry_error")


def broken_flow(monkeypatch):
    def advance(*args, **kwargs):
        raise RuntimeError("a deterministic bug")

    monkeypatch.setattr(ivr.flows, "advance", advance)


def test_a_bug_apologises_asks_again_then_hangs_up_politely_without_an_operator(app, phone, monkeypatch):
    call = phone()
    call.dial()
    broken_flow(monkeypatch)
    first = call.press("1")
    assert first.says[0] == SORRY and first.waits_for == "record"  # the voice question again
    assert "errors=1" in call.url  # the question came back through the recovery redirect
    second = call.press("1")
    pack = load_pack("ru")
    assert second.says == [SORRY, pack.text("transfer_error"), pack.text("no_operator")]
    assert second.waits_for == "hangup"
    with app.app_context():
        assert session().execute(
            select(Call.errors, Call.outcome, Call.end_reason, Call.operator_dialled)
        ).one() == (
            2,
            "transferred",
            "error",
            False,
        )


@pytest.mark.settings(IVR_OPERATOR_NUMBER="+74950000001")
def test_a_bug_twice_in_a_row_puts_the_caller_through_to_the_operator(app, phone, monkeypatch):
    call = phone()
    call.dial()
    broken_flow(monkeypatch)
    call.press("1")
    assert call.press("1").dialled == "+74950000001"
    with app.app_context():
        assert session().execute(select(Call.outcome, Call.end_reason, Call.operator_dialled)).one() == (
            "transferred",
            "error",
            True,
        )


def test_an_answer_after_an_error_clears_the_count(app, phone, monkeypatch):
    call = phone()
    call.dial()
    with monkeypatch.context() as patch:
        broken_flow(patch)
        call.press("1")
    call.press("1")  # readings, keypad: taken
    with app.app_context():
        assert session().scalars(select(Call.errors)).one() == 0


def test_a_call_that_rings_while_the_database_is_down_starts_once_it_is_back(app, phone):
    sessions = runtime(app).sessions
    working = sessions.kw["bind"]
    sessions.configure(bind=create_engine("sqlite:////nonexistent/dir/x.db"))
    call = phone()
    waiting = call.post(call.base_url + "/twilio/voice", call.params())[1]
    assert "<Pause" in waiting and "/twilio/voice?errors=1" in waiting and "<Hangup" not in waiting
    sessions.configure(bind=working)
    greeting = call.dial()  # Twilio follows the redirect: the same call, now stored
    assert greeting.waits_for == "gather" or greeting.waits_for == "record"
    with app.app_context():
        assert session().scalars(select(Call.sid)).one() == call.sid


def test_a_database_that_stays_down_ends_the_call_politely_after_a_few_tries(app, phone):
    runtime(app).sessions.configure(bind=create_engine("sqlite:////nonexistent/dir/x.db"))
    call = phone()
    url = call.base_url + "/twilio/voice"
    for tries in range(1, recovery.VOICE_RETRIES + 2):  # noqa: B007 - counted after the loop
        body = call.post(url, call.params())[1]
        if "<Redirect" not in body:
            break
        url = body.split('<Redirect method="POST">')[1].split("<")[0].replace("&amp;", "&")
    assert tries == recovery.VOICE_RETRIES + 1 and "<Hangup" in body


def test_a_stuck_dependency_gets_an_apology_in_time_and_the_late_answer_counts_once(app, phone, monkeypatch):
    call = phone()
    call.dial(), call.press("1"), call.press("1"), call.press("1100#")
    monkeypatch.setattr(recovery, "WEBHOOK_BUDGET_S", 0.5)
    service = runtime(app).calls
    slow = service.answer
    thawed, through = threading.Event(), threading.Event()

    def stuck(*args, **kwargs):
        thawed.wait(30)  # a frozen database, say, until the apology is out
        try:
            return slow(*args, **kwargs)
        finally:
            through.set()

    monkeypatch.setattr(service, "answer", stuck)
    heard = call.press("1")  # confirm: the apology comes in time, then the question again
    assert heard.says[0] == SORRY and heard.waits_for == "gather"
    thawed.set()
    assert through.wait(30)  # the stuck answer went through after all
    monkeypatch.setattr(service, "answer", slow)
    assert call.press("1").waits_for == "hangup"  # a late duplicate: the call has moved on
    with app.app_context():
        assert [r.value for r in session().scalars(select(Reading))] == [1100]


def test_a_row_lock_held_elsewhere_answers_an_apology_within_twilios_time(app, phone, settings):
    if not settings["IVR_DATABASE_URL"].startswith("postgresql"):
        pytest.skip("row locks with a lock timeout are PostgreSQL's")
    call = phone()
    call.dial(), call.press("1")
    holder = create_engine(settings["IVR_DATABASE_URL"])
    with holder.connect() as conn:
        conn.execute(text("SELECT id FROM calls FOR UPDATE"))
        started = time.monotonic()
        status, body = call.post(call.heard.action, call.params(Digits="1"))
        elapsed = time.monotonic() - started
        conn.rollback()
    holder.dispose()
    assert status == 200 and "/twilio/repeat?errors=1" in body and elapsed < 15
    assert call.press("1").waits_for == "gather"  # the question again, then the call goes on


class Trickle(http.server.BaseHTTPRequestHandler):
    """A byte every 0.2 s of a 100-byte body: 20 s for all of it, on the host's own clock."""

    sent = 0  # bytes out so far

    def do_GET(self):  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        try:
            for _ in range(100):
                self.wfile.write(b"R")
                self.wfile.flush()
                Trickle.sent += 1
                time.sleep(0.2)
        except OSError:  # the client hung up
            pass

    def log_message(self, *args):
        pass


def test_a_trickling_recording_host_cannot_hold_the_webhook_past_the_budget():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Trickle)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    config = load({"IVR_RECORDING_URL_PREFIXES": base, "IVR_RECORDING_BUDGET_S": "1"}, Path("instance"))
    with pytest.raises(RecordingError, match="exceeded the time budget"):
        fetch_recording(base + "rec/1", config)
    # Counted on the host's clock, which a loaded machine slows as much as the budget's: about 5 bytes
    # in 1 s, where waiting for the body would take all 100.
    assert Trickle.sent < 50
    server.shutdown()


@pytest.fixture
def unsigned(settings):
    return {k: v for k, v in settings.items() if k != "TWILIO_AUTH_TOKEN"}


def test_without_a_token_the_webhooks_refuse_calls_and_health_says_why(unsigned):
    app = create_app(unsigned)
    client = app.test_client()
    for path in ("/twilio/voice", "/twilio/answer?q=1", "/twilio/silence?q=1", "/twilio/repeat",
                 "/twilio/status", "/twilio/fallback"):  # fmt: skip
        assert client.post(path, data={"CallSid": "CA1", "From": "+79161234567"}).status_code == 503, path
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["twilio"].startswith("refusing calls")


def test_demo_mode_takes_unsigned_calls(unsigned):
    app = create_app({**unsigned, "IVR_DEMO": "1"})
    call = TwilioCall(FlaskTransport(app), PUBLIC_URL, token=None, account_sid=ACCOUNT_SID)
    assert call.dial().waits_for in ("gather", "record")
    assert app.test_client().get("/healthz").get_json()["twilio"].startswith("demo")
    assert TOKEN  # the signed app of the other tests is untouched


def test_a_failing_status_callback_is_no_failure_of_the_caller(app, phone, monkeypatch):
    call = phone()
    call.dial()

    def broken(*args, **kwargs):
        raise RuntimeError("status storage failed")

    monkeypatch.setattr(runtime(app).calls, "close", broken)
    status, _ = call.post(call.base_url + "/twilio/status", call.params(CallStatus="in-progress"))
    assert status == 500
    with app.app_context():
        assert session().scalars(select(Call.errors)).one() == 0


def test_the_webhooks_worker_thread_logs_with_the_requests_call_sid(app):
    with app.test_request_context("/twilio/answer", method="POST", data={"CallSid": "CA" + "7" * 32}):
        app.preprocess_request()  # binds the call for the request's log lines
        assert recovery.bounded(lambda: logs.CONVERSATION.get()) == "CA" + "7" * 32
    assert logs.CONVERSATION.get() is None
