"""What the stream's listener learns about the question a call waits on: its kind, and how long a
complete number is (the meter's display at a reading, the accounts on file at the account number)."""

from ivr.calls import streams
from ivr.calls.streams import Listening
from ivr.runtime import runtime
from ivr.speech.service import Heard
from ivr.store.models import Account
from ivr.telephony.listen import spoken
from ivr.telephony.webhooks import renderer
from tests.sessions import session


def listening(app, call) -> Listening | None:
    with app.app_context():
        return runtime().calls.streams.listening(call.sid)


def answer(app, call, value: str) -> None:
    """Answer the question by voice, as the stream's ears do once they have heard it."""
    with app.test_request_context():
        q = runtime().calls.streams.listening(call.sid).seq
        runtime().calls.answer(
            call.sid, q, spoken(Heard(value, value, 0.9), None), renderer(runtime().config)
        )


def test_a_reading_is_complete_at_the_meters_display_length(app, phone):
    call = phone("+79161234567")  # account 100001: one meter of 6 digits
    call.dial()
    assert (listening(app, call).kind, listening(app, call).lengths) == ("intent", ())
    answer(app, call, "readings")
    assert (listening(app, call).kind, listening(app, call).lengths) == ("yesno", ())  # the address
    answer(app, call, "yes")
    assert (listening(app, call).kind, listening(app, call).lengths) == ("digits", (6,))


def add_account(app, number: str) -> None:
    with app.app_context():
        session().add(Account(number=number, address="ул. Новая, д. 7", region="Москва"))
        session().commit()


def test_an_account_number_is_complete_at_any_length_on_file(app, phone):
    add_account(app, "70000007")
    call = phone("+79990000000")  # not on file: the call asks for the account number
    call.dial()
    answer(app, call, "readings")
    assert (listening(app, call).kind, listening(app, call).lengths) == ("digits", (6, 8))


def test_the_account_lengths_are_read_at_most_once_a_minute(app, phone, monkeypatch):
    call = phone("+79990000000")
    call.dial()
    answer(app, call, "readings")
    assert listening(app, call).lengths == (6,)
    add_account(app, "7000000007")  # an import meanwhile
    assert listening(app, call).lengths == (6,)  # read a moment ago
    monkeypatch.setattr(streams, "ACCOUNT_LENGTHS_S", 0.0)  # the minute is up
    assert listening(app, call).lengths == (6, 10)


def test_nothing_is_listened_for_at_keys_or_after_the_call(app, phone):
    call = phone("+79161234567")
    call.dial()
    call.press("1")  # a key at the greeting: the call goes on by keypad
    assert listening(app, call) is None
    call.hangup()
    assert listening(app, call) is None
