"""The outbox: a notice goes out only if the transaction that wrote it commits, then at least once,
with backoff for failures for now, never again after a refusal for good, and not forever."""

from __future__ import annotations

import logging
import time
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY

from ivr.calls import outbox
from ivr.calls.outbox import ATTEMPTS, backoff
from ivr.runtime import runtime
from tests.conftest import NOW
from tests.outbox.conftest import REFUSED, Recorder

pytestmark = pytest.mark.both_databases  # claims, leases and backoff are SQL


class Crash(BaseException):
    """The deliverer dying in the send: nothing of its own catches it, as nothing survives a kill -9."""


def test_a_notice_written_in_a_transaction_that_rolls_back_never_goes_out(app, clock, deliverer, notices):
    with pytest.raises(RuntimeError), runtime(app).sessions() as s, s.begin():
        outbox.enqueue(s, "sms", "+79160000000", "told", clock(), outbox.Kind.EXPIRED)
        s.flush()
        raise RuntimeError("the change it announced failed")
    sms = Recorder()
    assert notices() == [] and deliverer(sms=sms).deliver_due() == 0 and sms.sent == []


def test_a_due_notice_goes_out_once_and_is_marked_with_the_providers_id(enqueue, clock, deliverer, notices):
    [notice_id] = enqueue()
    sms = Recorder(answer="SM0001")
    assert deliverer(sms=sms).deliver_due() == 1 and deliverer(sms=sms).deliver_due() == 0
    assert sms.sent == [("+79160000000", "notice 0")]
    [notice] = notices()
    assert (notice.id, notice.sent_at, notice.provider_id, notice.attempts) == (notice_id, NOW, "SM0001", 1)
    assert notice.claimed_until is None and notice.failed_at is None


def test_the_backoff_doubles_from_30_seconds_to_an_hour_and_adds_up_to_a_quarter():
    plain = [backoff(n, jitter=lambda: 0.0).total_seconds() for n in range(1, ATTEMPTS + 1)]
    assert plain == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]
    assert backoff(1, jitter=lambda: 0.999).total_seconds() == pytest.approx(37.49, abs=0.01)
    assert backoff(9, jitter=lambda: 0.999) < timedelta(minutes=75)


def test_a_failure_for_now_is_tried_again_after_its_backoff_until_it_goes_out(
    enqueue, clock, deliverer, notices
):
    enqueue()
    sms = Recorder(ConnectionError("reset"), ConnectionError("reset"))
    send = deliverer(sms=sms).deliver_due
    assert send() == 0
    [notice] = notices()
    assert timedelta(seconds=30) <= notice.due_at - NOW <= timedelta(seconds=37.5)
    assert (notice.attempts, notice.last_error, notice.claimed_until) == (1, "ConnectionError: reset", None)
    clock.on(seconds=29)
    assert send() == 0 and notices()[0].attempts == 1  # not due yet: not tried
    clock.on(seconds=9)
    assert send() == 0 and timedelta(seconds=60) <= notices()[0].due_at - clock() <= timedelta(seconds=75)
    clock.on(seconds=75)
    assert send() == 1 and sms.sent == [("+79160000000", "notice 0")]
    assert (notices()[0].attempts, notices()[0].sent_at) == (3, clock())


def test_a_refusal_for_good_is_failed_at_once_and_never_tried_again(enqueue, clock, deliverer, notices):
    enqueue()
    sms = Recorder(REFUSED)
    assert deliverer(sms=sms).deliver_due() == 0
    clock.on(hours=12)
    assert deliverer(sms=sms).deliver_due() == 0 and sms.sent == []
    [notice] = notices()
    assert (notice.failed_at, notice.attempts, notice.sent_at) == (NOW, 1, None)
    assert notice.last_error == "Undeliverable: HTTP 400 sending to +7 916 ***-**-67"


def test_a_channel_without_a_notifier_is_failed_at_once(enqueue, deliverer, notices):
    enqueue(channel="pigeon")
    assert deliverer(sms=Recorder()).deliver_due() == 0
    assert notices()[0].last_error == "Undeliverable: no notifier for the pigeon channel"


def test_a_notice_is_given_up_after_its_attempts(enqueue, clock, deliverer, notices):
    enqueue()
    sms = Recorder(*[TimeoutError("no answer")] * (ATTEMPTS + 1))
    for _ in range(ATTEMPTS + 2):
        deliverer(sms=sms).deliver_due()
        clock.on(hours=2)
    [notice] = notices()
    assert (notice.attempts, notice.sent_at, notice.last_error) == (ATTEMPTS, None, "TimeoutError: no answer")
    assert notice.failed_at is not None and len(sms.failures) == 1  # the eleventh was never tried


def test_a_notice_whose_deliverer_died_waits_for_the_lease_then_goes_out(enqueue, clock, deliverer, notices):
    enqueue()
    with pytest.raises(Crash):
        deliverer(sms=Recorder(Crash())).deliver_due()
    assert notices()[0].claimed_until == NOW + outbox.LEASE
    sms = Recorder()
    clock.on(seconds=59)
    assert deliverer(sms=sms).deliver_due() == 0  # still the dead deliverer's
    clock.on(seconds=1)
    assert deliverer(sms=sms).deliver_due() == 1 and notices()[0].attempts == 2


def test_a_notice_whose_deliverers_keep_dying_is_given_up(enqueue, clock, deliverer, notices):
    enqueue()
    for _ in range(ATTEMPTS):
        with pytest.raises(Crash):
            deliverer(sms=Recorder(Crash())).deliver_due()
        clock.on(minutes=1)
    assert deliverer(sms=Recorder()).deliver_due() == 0
    [notice] = notices()
    assert notice.failed_at == clock() and notice.last_error == f"no answer after {ATTEMPTS} attempts"


def test_a_send_that_hangs_is_cut_at_a_third_of_the_lease(enqueue, deliverer, notices):
    class Hanging:
        def send(self, recipient: str, text: str) -> None:
            time.sleep(60)

    enqueue()
    started = time.monotonic()
    assert deliverer(lease=timedelta(seconds=1.5), sms=Hanging()).deliver_due() == 0
    assert time.monotonic() - started < 30  # the sleep was cut; half a second were asked for
    [notice] = notices()
    assert notice.last_error == "SendTimeout: no answer within 0.5 s" and notice.failed_at is None


def test_no_log_line_names_the_recipient(enqueue, clock, deliverer, caplog):
    enqueue()
    caplog.set_level(logging.INFO)
    sms = Recorder(ConnectionError("refused by +79160000000"), REFUSED)
    deliverer(sms=sms).deliver_due()
    clock.on(minutes=1)
    deliverer(sms=sms).deliver_due()
    assert "notice 1 (expired) to +79*** failed, attempt 1" in caplog.text
    assert "refused for good" in caplog.text and "9160000000" not in caplog.text


def count(outcome: str) -> float:
    return (
        REGISTRY.get_sample_value(
            "ivr_notices_total", {"channel": "sms", "kind": "expired", "outcome": outcome}
        )
        or 0
    )


def test_metrics_count_notices_sent_retried_and_failed(enqueue, deliverer):
    before = {outcome: count(outcome) for outcome in ("sent", "retried", "failed")}
    enqueue(3)
    deliverer(sms=Recorder(ConnectionError(), REFUSED)).deliver_due()
    assert {outcome: count(outcome) - before[outcome] for outcome in before} == {
        "sent": 1,
        "retried": 1,
        "failed": 1,
    }


def test_metrics_show_the_notices_waiting_and_given_up_from_the_database(client, enqueue, deliverer):
    from tests.monitoring.scrape import samples, value

    enqueue(3)
    deliverer(sms=Recorder(REFUSED, ConnectionError())).deliver_due()
    found = samples(client.get("/metrics").get_data(as_text=True))
    assert value(found, "ivr_outbox_notices", state="waiting") == 1  # tried again later
    assert value(found, "ivr_outbox_notices", state="failed") == 1
