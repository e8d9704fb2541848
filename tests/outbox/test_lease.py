"""Two deliverers on one outbox (two nodes), released together by a barrier: each notice goes out
once, whichever claims it."""

from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.outbox.conftest import Recorder

pytestmark = pytest.mark.both_databases

NOTICES = 100
DELIVERERS = 2


class Slow(Recorder):
    """A provider that takes a moment over each notice, so the two deliverers' claims interleave."""

    def send(self, recipient: str, text: str) -> None:
        threading.Event().wait(0.002)
        return super().send(recipient, text)


def test_two_deliverers_released_together_send_each_notice_once(app, enqueue, deliverer, notices):
    enqueue(NOTICES)
    sms = Slow()
    barrier = threading.Barrier(DELIVERERS)

    def deliver() -> int:
        with app.app_context():
            sender = deliverer(sms=sms)
            barrier.wait()
            return sender.deliver_due()

    with ThreadPoolExecutor(DELIVERERS) as pool:
        counts = [future.result(timeout=120) for future in [pool.submit(deliver) for _ in range(DELIVERERS)]]
    copies = Counter(recipient for recipient, _ in sms.sent)
    assert sum(counts) == NOTICES and len(copies) == NOTICES and set(copies.values()) == {1}
    assert all(n.sent_at is not None and n.attempts == 1 for n in notices())
    assert min(counts) > 0, f"one deliverer took every notice: {counts}"  # they did run side by side
