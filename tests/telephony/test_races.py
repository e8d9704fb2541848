"""Webhooks that race each other under gunicorn with two workers: nothing confirmed is lost, nothing
is taken twice, and every duplicate gets the same answer (issue 9, items 1 and 5)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from ivr.qa.driver import parse
from tests.telephony.conftest import READING, Hotline, to_read_back

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py

PAIRS = 200
AT_ONCE = 20  # calls in flight at a time: keeps the test near a minute on two cores
FIRST_WEBHOOKS = 30
DUPLICATES = 5


def at_once(*requests: Callable[[], object]) -> list:
    """Send requests from threads released together by a barrier; their results in order."""
    barrier = threading.Barrier(len(requests))

    def released(request: Callable[[], object]) -> object:
        barrier.wait()
        return request()

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(released, requests))


def test_a_confirmed_reading_is_kept_when_the_status_callback_races_the_confirming_key(hotline: Hotline):
    def pair(n: int) -> tuple[str, int, int]:
        call = hotline.call(n)
        read_back = to_read_back(call)
        confirmed, closed = at_once(
            lambda: hotline.post(read_back.action, call.params(Digits="1")),
            lambda: hotline.post(hotline.base + "/twilio/status",
                                 call.params(CallStatus="completed", CallDuration="20")),
        )  # fmt: skip
        return call.sid, confirmed.status_code, closed.status_code

    with ThreadPoolExecutor(AT_ONCE) as pool:
        results = list(pool.map(pair, range(PAIRS)))
    sids = [sid for sid, _, _ in results]
    readings, outcomes = hotline.readings(sids), hotline.outcomes(sids)
    found = {
        "confirmed readings lost": sum(readings[sid] == 0 for sid in sids),
        "readings stored twice": sum(readings[sid] > 1 for sid in sids),
        "calls not completed": sum(outcomes[sid] != "completed" for sid in sids),
        "HTTP errors": sum(a != 200 or b != 204 for _, a, b in results),
    }
    assert found == dict.fromkeys(found, 0), f"of {PAIRS} confirm+status pairs"


def test_every_concurrent_duplicate_of_the_first_webhook_gets_the_same_greeting(hotline: Hotline):
    def duplicates(n: int) -> tuple[str, list]:
        call = hotline.call(PAIRS + n)
        url, params = hotline.base + "/twilio/voice", call.params(CallStatus="ringing")
        return call.sid, at_once(*[lambda: hotline.post(url, params)] * DUPLICATES)

    with ThreadPoolExecutor(AT_ONCE // DUPLICATES) as pool:
        results = list(pool.map(duplicates, range(FIRST_WEBHOOKS)))
    answers = [r for _, responses in results for r in responses]
    found = {
        "HTTP errors": sum(r.status_code != 200 for r in answers),
        "answers other than the greeting": sum(parse(r.text).waits_for != "gather" for r in answers),
        "calls whose duplicates differ": sum(len({r.text for r in rs}) > 1 for _, rs in results),
        "calls greeted more than once": sum(hotline.turns(sid) != [(1, False)] for sid, _ in results),
    }
    assert found == dict.fromkeys(found, 0), f"of {FIRST_WEBHOOKS} calls x {DUPLICATES} duplicates"


def test_the_same_key_answer_delivered_twice_at_once_is_taken_once(hotline: Hotline):
    def twice(n: int) -> tuple[str, list]:
        call = hotline.call(PAIRS + FIRST_WEBHOOKS + n)
        call.dial()
        call.press("1")
        address = call.press("1")
        digits = call.params(Digits=READING.rstrip("#"))  # Twilio leaves out the finishing key
        reading = at_once(*[lambda: hotline.post(address.action, digits)] * 2)
        read_back = parse(reading[0].text)
        confirm = at_once(*[lambda: hotline.post(read_back.action, call.params(Digits="1"))] * 2)
        return call.sid, reading + confirm

    calls = 30
    with ThreadPoolExecutor(AT_ONCE // 2) as pool:
        results = list(pool.map(twice, range(calls)))
    sids = [sid for sid, _ in results]
    readings = hotline.readings(sids)
    found = {
        "HTTP errors": sum(r.status_code != 200 for _, rs in results for r in rs),
        "duplicates answered differently": sum(
            len({r.text for r in rs[:2]}) + len({r.text for r in rs[2:]}) > 2 for _, rs in results
        ),
        "calls without their one reading": sum(readings[sid] != 1 for sid in sids),
        "calls whose turns are not asked and answered once each": sum(
            hotline.turns(sid) != [(1, True), (2, True), (3, True), (4, True)] for sid in sids
        ),
    }
    assert found == dict.fromkeys(found, 0), f"of {calls} calls, each answer delivered twice"
