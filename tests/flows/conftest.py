"""A directory of accounts in memory, for driving the pure flow."""

import tempfile
from datetime import date, datetime
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

from ivr.flows import AccountInfo, Context, MeterInfo, ZoneInfo
from ivr.flows.regions import load

# Hypothesis keeps its caches in the temporary folder, not in .hypothesis/ of the checkout. Set on
# import: it scans the test modules as it collects them.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "ivr-tests-hypothesis")

NOW = datetime(2026, 11, 17, 9, 0)  # naive UTC: 12:00 on the 17th in Moscow, inside its window (15-20)


def zone(n, previous=1000, on=date(2026, 10, 17), daily=None):
    return ZoneInfo(n, previous, on, daily)


ACCOUNTS = {
    "100001": AccountInfo("100001", "ул. Ленина, 1", "Москва", (MeterInfo(1, "M-1", 6, (zone(1),)),)),
    "200002": AccountInfo(
        "200002",
        "ул. Мира, 2",
        "Москва",
        (
            MeterInfo(2, "M-2", 6, (zone(1, 5000), zone(2, 3000))),
            MeterInfo(3, "M-3", 6, (zone(1, 100), zone(2, 200), zone(3, 300))),
        ),
    ),
    "300003": AccountInfo(
        "300003", "ул. Тверская, 3", "Якутия", (MeterInfo(4, "M-4", 5, (zone(1, 99500),)),)
    ),
    "400004": AccountInfo("400004", "пр. Пустой, 4", "Москва", ()),
}
PHONES = {"+79161234567": ["100001"], "+79031112233": ["100001", "200002"]}


class MemoryDirectory:
    def by_phone(self, e164):
        return PHONES.get(e164, [])

    def account(self, number):
        return ACCOUNTS.get(number)


@pytest.fixture
def ctx():
    return Context(MemoryDirectory(), load(None), NOW)
