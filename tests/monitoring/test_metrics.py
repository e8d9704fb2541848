"""/metrics counts what a hotline manager watches, in Prometheus's format, with no personal data."""

import pytest

from tests.console.conftest import Console
from tests.monitoring.scrape import samples, value

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py

CALLER = "+79161234567"


def scrape(client, **headers) -> dict:
    response = client.get("/metrics", headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    return samples(response.get_data(as_text=True))


def keypad_call(phone) -> None:
    call = phone(CALLER)
    call.dial()
    call.press("1")  # readings, on the keypad
    call.press("1")  # the address is right
    call.press("1100#")
    assert call.press("1").waits_for == "hangup"
    call.hangup()


def test_a_keypad_call_counts_its_answers_its_reading_its_end_and_its_webhooks(client, phone):
    before = scrape(client)
    keypad_call(phone)
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("ivr_answers_total", outcome="keys") == 4
    assert grew("ivr_answers_total", question="intent", outcome="keys") == 1
    assert grew("ivr_readings_stored_total", channel="ivr", status="accepted", flag="none") == 1
    assert grew("ivr_calls_ended_total", outcome="completed", reason="none") == 1
    assert grew("ivr_webhook_duration_seconds_count", route="telephony.voice") == 1
    assert grew("ivr_webhook_duration_seconds_count", route="telephony.answer") == 4
    assert grew("ivr_webhook_duration_seconds_count", route="telephony.status") == 1


def test_a_repeated_final_status_ends_the_call_once(client, phone):
    call = phone(CALLER)
    call.dial()
    before = scrape(client)
    call.hangup()
    call.hangup()
    after = scrape(client)
    ended = value(after, "ivr_calls_ended_total") - value(before, "ivr_calls_ended_total")
    assert ended == 1
    assert value(after, "ivr_calls_ended_total", outcome="abandoned") > value(
        before, "ivr_calls_ended_total", outcome="abandoned"
    )


def test_metrics_carry_no_phone_number_and_no_call_sid(client, phone):
    call = phone(CALLER)
    keypad_call(lambda _caller: call)
    text = client.get("/metrics").get_data(as_text=True)
    assert CALLER[2:] not in text and call.sid not in text


@pytest.mark.settings(IVR_METRICS_TOKEN="scrape-secret")
def test_with_a_token_metrics_answer_only_the_bearer(client):
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "scrape-secret"}).status_code == 401
    ok = client.get("/metrics", headers={"Authorization": "Bearer scrape-secret"})
    assert ok.status_code == 200 and b"ivr_calls_ended_total" in ok.data


def test_without_a_token_metrics_are_open(client):
    assert client.get("/metrics").status_code == 200


def test_a_failed_console_login_is_counted(client):
    before = scrape(client)
    assert Console(client).login("nobody", "wrong").status_code == 401
    grew = value(scrape(client), "ivr_console_login_failures_total", reason="password")
    assert grew - value(before, "ivr_console_login_failures_total", reason="password") == 1
