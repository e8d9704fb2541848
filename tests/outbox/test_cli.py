"""`ivr outbox send` from cron: the notices due go out through the channel's notifier, and the
command says how many."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
import responses
from click.testing import CliRunner

from ivr.cli import main
from tests.conftest import ACCOUNT_SID, TOKEN

MESSAGES_API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"


@pytest.fixture
def twilio_env(monkeypatch, db_url) -> None:
    for name, value in {"IVR_DATABASE_URL": db_url, "TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": TOKEN,
                        "IVR_TWILIO_FROM": "+74950000000"}.items():  # fmt: skip
        monkeypatch.setenv(name, value)


def test_send_once_sends_what_is_due_through_twilio_and_gives_up_a_refused_one(twilio_env, enqueue, notices):
    enqueue(2)  # due at the test's NOW: long past for the command's real clock
    with responses.RequestsMock() as mock:
        mock.add(responses.POST, MESSAGES_API, json={"sid": "SM1"}, status=201)
        mock.add(responses.POST, MESSAGES_API, json={"code": 21211}, status=400)
        result = CliRunner().invoke(main, ["outbox", "send", "--once"])
        sent = [parse_qs(call.request.body) for call in mock.calls]
    assert result.exit_code == 0 and result.output == "1 notices sent\n", result.output
    assert [(p["To"][0], p["Body"][0]) for p in sent] == [
        ("+79160000000", "notice 0"),
        ("+79160000001", "notice 1"),
    ]
    first, second = notices()
    assert first.sent_at is not None and second.sent_at is None and second.failed_at is not None
    assert second.last_error == "Undeliverable: HTTP 400 sending to +7 916 ***-**-01"
