"""The outbox: a deliverer on the test's database and a clock the test moves, and notifiers that record."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from ivr.calls import outbox
from ivr.calls.channels import Undeliverable
from ivr.clock import Clock
from ivr.runtime import runtime
from ivr.store.models import Notice
from tests.conftest import NOW


class Moving:
    """A clock source the test moves on."""

    def __init__(self, at: datetime = NOW) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def on(self, **delta: float) -> None:
        self.at += timedelta(**delta)


class Recorder:
    """A notifier that records what it sent; `failures` are raised first, one a send, in order."""

    def __init__(self, *failures: Exception, answer: str | None = None) -> None:
        self.sent: list[tuple[str, str]] = []
        self.failures = list(failures)
        self.answer = answer
        self.lock = threading.Lock()

    def send(self, recipient: str, text: str) -> str | None:
        with self.lock:
            if self.failures:
                raise self.failures.pop(0)
            self.sent.append((recipient, text))
        return self.answer


REFUSED = Undeliverable("HTTP 400 sending to +7 916 ***-**-67")


@pytest.fixture
def clock() -> Moving:
    return Moving()


@pytest.fixture
def deliverer(app, clock) -> Callable[..., outbox.Deliverer]:
    """deliverer(sms=Recorder()) -> a Deliverer on the app's database, on the moving clock."""

    def make(lease: timedelta = outbox.LEASE, **notifiers) -> outbox.Deliverer:  # noqa: ANN003
        return outbox.Deliverer(runtime(app).sessions, Clock(UTC, clock), notifiers,
                                lambda _channel, recipient: recipient[:3] + "***", lease)  # fmt: skip

    return make


@pytest.fixture
def enqueue(app, clock):
    """enqueue(n) -> the ids of n notices to +7916000000k by SMS, committed and due now."""

    def put(n: int = 1, channel: str = "sms") -> list[int]:
        with runtime(app).sessions() as s, s.begin():
            notices = [outbox.enqueue(s, channel, f"+7916000{k:04d}", f"notice {k}", clock(), outbox.Kind.EXPIRED)
                       for k in range(n)]  # fmt: skip
            s.flush()
            return [notice.id for notice in notices]

    return put


@pytest.fixture
def notices(app) -> Callable[[], list[Notice]]:
    def read() -> list[Notice]:
        with runtime(app).sessions() as s:
            return list(s.scalars(select(Notice).order_by(Notice.id)))

    return read
