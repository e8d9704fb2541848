"""A «ДА» that arrived before the deadline stores its readings, whatever `ivr messages expire` does at
the same moment: the two released together by a barrier, on PostgreSQL."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import select

from ivr.calls.messages import Incoming
from ivr.runtime import runtime
from ivr.store.accounts_csv import import_accounts
from ivr.store.models import Account, Message, Meter, Notice, Reading
from tests.conftest import NOW
from tests.sessions import transaction

pytestmark = pytest.mark.postgres

PAIRS = 200  # senders, each with readings waiting and a «ДА» that races the expiry ...
AT_ONCE = 10  # ... ten of them a round, released at once with RUNS expiry runs ...
RUNS = 2  # ... twelve sessions, within the pool's fifteen
DEADLINE = NOW + timedelta(minutes=60)  # IVR_TEXT_CONFIRM_MINUTES after the readings came
IN_TIME = DEADLINE - timedelta(milliseconds=100)  # when each «ДА»'s webhook arrived


def phone(n: int) -> str:
    return f"+7926{n:07d}"


def accounts(count: int) -> str:
    rows = [
        f'{700000 + n},{phone(n)},"ул. Сроков, д. {n}",Москва,E-{n},1,6,1000,,,2026-10-17'
        for n in range(count)
    ]
    return "account,phones,address,region,meter,zones,digits,t1,t2,t3,read_on\n" + "\n".join(rows) + "\n"


@pytest.mark.settings(IVR_CLOCK=lambda: DEADLINE + timedelta(minutes=1))  # the expiry run's clock: past it
def test_a_yes_that_arrived_in_time_is_never_lost_to_the_expiry_run(app, settings):
    if not settings["IVR_DATABASE_URL"].startswith("postgresql"):
        pytest.skip("a race between workers is PostgreSQL's (SQLite queues every write)")
    with app.app_context(), transaction() as s:
        import_accounts(s, io.StringIO(accounts(PAIRS)))
    service = runtime(app).messages

    def receive(sid: str, n: int, body: str, at, barrier: threading.Barrier | None = None):  # noqa: ANN001, ANN202
        with app.app_context():
            if barrier:
                barrier.wait()
            return service.receive(Incoming("sms", sid, phone(n), body, at))

    def expire(barrier: threading.Barrier) -> int:
        with app.app_context():
            barrier.wait()
            return service.expire()

    replies = {}
    with ThreadPoolExecutor(AT_ONCE + RUNS) as pool:
        for first in range(0, PAIRS, AT_ONCE):
            senders = range(first, first + AT_ONCE)
            held = list(pool.map(lambda n: receive(f"SMh{n:030d}", n, f"{700000 + n} 99000", NOW), senders))
            assert {out.status for out in held} == {"awaiting_confirmation"}  # high use: waits for «ДА»
            barrier = threading.Barrier(AT_ONCE + RUNS)
            yes = {n: pool.submit(receive, f"SMy{n:030d}", n, "ДА", IN_TIME, barrier) for n in senders}
            runs = [pool.submit(expire, barrier) for _ in range(RUNS)]
            replies |= {n: future.result(timeout=60) for n, future in yes.items()}
            [run.result(timeout=60) for run in runs]
    with app.app_context(), transaction() as s:
        stored = dict(s.execute(select(Account.number, Reading.value).join(Meter, Reading.meter_id == Meter.id)
                                .join(Account, Meter.account_id == Account.id)).all())  # fmt: skip
        waiting = s.scalars(select(Message.status).where(Message.external_id.like("SMh%"))).all()
        told = s.scalars(select(Notice.id)).all()
    lost = {
        "readings not stored": sum(stored.get(str(700000 + n)) != 99000 for n in range(PAIRS)),
        "«ДА» not answered with the receipt": sum(not r.text.startswith("Принято") for r in replies.values()),
        "held messages not marked stored": sum(status != "stored" for status in waiting),
    }
    assert lost == dict.fromkeys(lost, 0), f"of {PAIRS} pairs; {len(told)} senders told of an expiry"


@pytest.mark.settings(IVR_CLOCK=lambda: DEADLINE + timedelta(minutes=1))
def test_a_yes_taken_after_the_expiry_run_counts_by_when_it_arrived(app, send):
    send("100001 99000")
    with app.app_context():
        assert runtime(app).messages.expire() == 1
    with app.app_context(), transaction() as s:
        assert s.scalars(select(Notice.kind)).all() == ["expired"]  # the sender is to be told
    assert send("ДА", minutes=61).text.startswith("Нет показаний")  # arrived after the deadline
    assert send("ДА", minutes=59.9).text.startswith("Принято: 1 показание")  # arrived before it
    with app.app_context(), transaction() as s:
        assert s.scalars(select(Reading.value)).all() == [99000]
