"""A worker killed mid-call loses nothing but the request it was serving: the call's state is in
the database, so the other worker, or the one gunicorn starts in its place, goes on with the call."""

import os
import signal
import time

from ivr.qa.driver import parse
from ivr.qa.replay import question_seq
from tests.telephony.conftest import CALLERS, READING, Hotline


def kill(pids: list[int]) -> None:
    for pid in pids:
        os.kill(pid, signal.SIGKILL)


def restarted(hotline: Hotline, dead: list[int], wait_s: float = 30.0) -> list[int]:
    """Wait until gunicorn runs two workers again, none of them the dead ones."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        workers = hotline.server.workers()
        if len(workers) == 2 and not set(workers) & set(dead):
            return workers
        time.sleep(0.05)
    raise AssertionError(f"gunicorn did not replace {dead}: workers {hotline.server.workers()}")


def test_a_call_goes_on_after_its_workers_are_killed_mid_call(hotline: Hotline):
    call = hotline.call(CALLERS - 1)
    call.dial()
    assert question_seq(call.press("1")) == 2  # the address
    first = hotline.server.workers()
    kill(first[:1])
    assert question_seq(call.press("1")) == 3  # the other worker, or a new one, asks for the reading
    kill(hotline.server.workers())  # every worker: the next webhook waits for new ones
    read_back = call.press(READING)
    assert question_seq(read_back) == 4 and not set(restarted(hotline, first)) & set(first)
    assert call.press("1").waits_for == "hangup"
    assert hotline.readings([call.sid]) == {call.sid: 1}


def test_after_a_lost_webhook_the_fallback_url_brings_the_caller_back_to_the_same_question(hotline: Hotline):
    call = hotline.call(CALLERS - 2)
    call.dial()
    address = call.press("1")
    # Say the worker died with this webhook: Twilio got no answer, so it asks the fallback URL.
    lost = {"ErrorCode": "11200", "ErrorUrl": address.action}
    sorry = parse(hotline.post(hotline.base + "/twilio/fallback", call.params(**lost)).text)
    assert sorry.fallback == hotline.base + "/twilio/voice?errors=1"
    again = parse(hotline.post(sorry.fallback, call.params()).text)
    assert (again.waits_for, again.action, again.text) == ("gather", address.action, address.text)
    call.press("1")
    call.press(READING)
    assert call.press("1").waits_for == "hangup"
    assert hotline.readings([call.sid]) == {call.sid: 1}
