"""The production shape: gunicorn with two workers. /metrics adds up both workers' counts, and with
IVR_LOG_FORMAT=json every log line is a JSON object that names its call and shows no phone number."""

from __future__ import annotations

import json
import re

import pytest
import requests

from ivr.qa.driver import TwilioCall
from tests.blackbox.test_private_logs import ACCOUNTS, FAILS_TO_START, TOKEN, prepared
from tests.monitoring.scrape import samples, value
from tests.serving import free_port, gunicorn_logged
from tests.telephony.conftest import FreshConnections

MOST_CALLS = 40


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("metrics-workers")
    port = free_port()
    env = prepared(f"sqlite:///{folder / 'ivr.sqlite3'}", folder, f"http://127.0.0.1:{port}")
    env |= {"IVR_LOG_FORMAT": "json", "PROMETHEUS_MULTIPROC_DIR": str(folder / "metrics")}
    with gunicorn_logged(env, port, folder) as base:
        yield base, folder


def complete(base: str, n: int) -> None:
    account = ACCOUNTS[n % 16]
    call = TwilioCall(FreshConnections(), base, caller=account.e164, token=TOKEN)
    call.dial(), call.press("1"), call.press("1"), call.press("150#")
    assert call.press("1").waits_for == "hangup"
    call.hangup()


def counting_pids(folder) -> set[str]:
    return {re.sub(r"\D", "", f.stem) for f in (folder / "metrics").glob("counter_*.db")}


def test_metrics_add_up_the_counts_of_both_workers(served):
    base, folder = served
    calls = 0
    while calls < 4 or (len(counting_pids(folder)) < 2 and calls < MOST_CALLS):
        complete(base, calls)
        calls += 1
    assert len(counting_pids(folder)) >= 2, "one worker took every call"
    found = samples(requests.get(base + "/metrics", timeout=10).text)
    assert value(found, "ivr_calls_ended_total", outcome="completed") == calls
    # The same reading twice in a period supersedes: every call still stored one.
    assert value(found, "ivr_readings_stored_total", channel="ivr") == calls
    assert value(found, "ivr_webhook_duration_seconds_count", route="telephony.answer") == 4 * calls


def parsed(line: str) -> dict:
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        raise AssertionError(f"not a JSON log line: {line[:200]!r}") from None


def test_json_logs_name_the_call_on_every_line_and_hide_the_number(served):
    base, folder = served
    failing = TwilioCall(FreshConnections(), base, caller=FAILS_TO_START.e164, token=TOKEN)
    assert "<Redirect" in failing.post(base + "/twilio/voice", failing.params())[1]
    written = "\n".join((folder / name).read_text() for name in ("stderr.log", "error.log"))
    lines = [parsed(line) for line in written.splitlines() if line.strip()]
    assert lines and all({"time", "level", "logger", "message"} <= set(line) for line in lines)
    failed = [line for line in lines if "webhook /twilio/voice failed" in line["message"]]
    assert failed and all(line.get("call_sid") == failing.sid for line in failed)
    assert any("forced failure" in line.get("exception", "") for line in failed)
    assert FAILS_TO_START.digits not in re.sub(r"\D", "", written)
