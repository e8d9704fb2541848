"""An accounts import loading a file while the hotline takes readings for the file's accounts, on SQLite
and PostgreSQL."""

from __future__ import annotations

import io
import threading

import pytest
from sqlalchemy import select

from ivr.store import accounts_staging
from ivr.store.accounts_csv import import_accounts
from ivr.store.models import Account, Meter, Reading
from tests.conftest import ACCOUNTS_CSV
from tests.sessions import transaction
from tests.texts.conftest import text as text  # signed Messaging webhooks

pytestmark = pytest.mark.both_databases  # row locks: see tests/conftest.py
WAIT_S = 10  # a bound on each wait, so that a lock held by the import fails the test instead of hanging it


class Paused(io.StringIO):
    """A file that stops before a line, until released: the import is midway through its load."""

    def __init__(self, value: str, before: int) -> None:
        super().__init__(value)
        self.before, self.lines = before, 0
        self.reached, self.released = threading.Event(), threading.Event()

    def readline(self, *args: object) -> str:
        self.lines += 1
        if self.lines == self.before:
            self.reached.set()
            assert self.released.wait(WAIT_S)
        return super().readline(*args)

    def __next__(self) -> str:
        line = self.readline()
        if not line:
            raise StopIteration
        return line


def test_a_call_and_a_text_save_readings_of_imported_accounts_while_the_file_loads(
    app, phone, text, monkeypatch
):
    monkeypatch.setattr(accounts_staging, "BATCH", 2)  # rows 1-2 are in the staging table when the file stops
    rows = ACCOUNTS_CSV + "".join(f"55{n:04d},,\"ул. Новая, д. {n}\",Москва,N-{n},1,6,10,,,20.11.2026\n"
                                  for n in range(4))  # fmt: skip
    paused = Paused(rows, before=5)
    outcome: dict = {}

    def load() -> None:
        try:
            with app.app_context(), transaction() as s:
                outcome["done"] = import_accounts(s, paused)
        except Exception as e:  # noqa: BLE001  # reported by the assertion below
            outcome["error"] = e

    importer = threading.Thread(target=load)
    importer.start()
    try:
        assert paused.reached.wait(WAIT_S)
        call = phone("+79161234567")  # account 100001, whose row is already staged
        call.dial(), call.press("1"), call.press("1"), call.press("1100#"), call.press("1")
        status, reply, _ = text("400004 1100", sender="+79031112233")  # a row the file has yet to reach
        assert status == 200 and "Принято" in reply, reply
        with app.app_context(), transaction() as s:
            saved = dict(s.execute(select(Meter.serial, Reading.value).join(Reading.meter)
                                   .where(Reading.status == "accepted")).all())  # fmt: skip
        assert importer.is_alive() and "error" not in outcome  # the import still holds its transaction
    finally:
        paused.released.set()
        importer.join(WAIT_S)
    assert saved == {"M-1": 1100, "M-5": 1100}
    assert "error" not in outcome, outcome.get("error")
    assert outcome["done"].new == 4
    with app.app_context(), transaction() as s:
        assert s.scalar(select(Account.address).where(Account.number == "550003")) == "ул. Новая, д. 3"
