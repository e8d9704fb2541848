"""Accounts import: all or nothing, errors naming line and field, re-import updates in place."""

import io

import pytest
from sqlalchemy import func, select

from ivr.runtime import runtime
from ivr.store.accounts_csv import HEADER, ImportFailed, import_accounts
from ivr.store.models import Account, Meter, Phone
from tests.sessions import transaction

pytestmark = pytest.mark.both_databases
HEAD = ",".join(HEADER) + "\n"
GOOD = HEAD + '555001,8-495-728-70-11,"ул. Новая, 5",Москва,N-1,2,6,10,20,,2026-10-01\n'


def load(app, text):
    with app.app_context(), transaction() as s:
        return import_accounts(s, io.StringIO(text))


def count(app, model):
    with app.app_context(), transaction() as s:
        return s.scalar(select(func.count()).select_from(model))


def test_import_creates_accounts_phones_and_meters(app):
    before = count(app, Meter)
    assert load(app, GOOD).rows == 1
    with app.app_context(), transaction() as s:
        meter = s.scalars(select(Meter).where(Meter.serial == "N-1")).one()
        assert (meter.zones, meter.digits, meter.last_t1, meter.last_t2, meter.last_t3) == (
            2,
            6,
            10,
            20,
            None,
        )
        assert [p.e164 for p in meter.account.phones] == ["+74957287011"]
    assert count(app, Meter) == before + 1


def test_reimport_updates_rows_in_place(app):
    load(app, GOOD)
    meters, accounts = count(app, Meter), count(app, Account)
    load(app, GOOD.replace("ул. Новая, 5", "ул. Старая, 6").replace(",10,20,", ",11,21,"))
    assert (count(app, Meter), count(app, Account)) == (meters, accounts)
    with app.app_context(), transaction() as s:
        meter = s.scalars(select(Meter).where(Meter.serial == "N-1")).one()
        assert meter.account.address == "ул. Старая, 6" and meter.last_t1 == 11


def test_leading_zeros_in_account_numbers_count(app):
    load(app, GOOD.replace("555001", "000123"))
    with app.app_context(), transaction() as s:
        assert s.scalars(select(Account).where(Account.number == "000123")).one()


@pytest.mark.parametrize(
    "row, error",
    [
        ("55500x,,a,Москва,N-2,1,6,1,,,2026-10-01", "line 3: account"),
        ("555002,not a phone,a,Москва,N-2,1,6,1,,,2026-10-01", "line 3: phones"),
        ("555002,,,Москва,N-2,1,6,1,,,2026-10-01", "line 3: address"),
        ("555002,,a,Москва,N-2,4,6,1,,,2026-10-01", "line 3: zones"),
        ("555002,,a,Москва,N-2,1,x,1,,,2026-10-01", "line 3: digits"),
        ("555002,,a,Москва,N-2,1,6,1,2,,2026-10-01", "line 3: t2"),
        ("555002,,a,Москва,N-2,1,3,1234,,,2026-10-01", "line 3: t1"),
        ("555002,,a,Москва,N-2,1,6,1,,,31.02.2026", "line 3: read_on"),
        ("555002,,a,Москва,N-2,1,6,1,,,10/01/2026", "line 3: read_on"),
        ("555002,,a,Москва,N-1,1,6,1,,,2026-10-01", "line 3: meter"),
        ("555001,,other,Москва,N-2,1,6,1,,,2026-10-01", "line 3: address"),
    ],
)
def test_a_bad_row_names_its_line_and_field_and_nothing_is_written(app, row, error):
    meters = count(app, Meter)
    with pytest.raises(ImportFailed) as failed:
        load(app, GOOD + row + "\n")
    assert any(e.startswith(error) for e in failed.value.errors), failed.value.errors
    assert count(app, Meter) == meters


def test_wrong_header_is_refused(app):
    with pytest.raises(ImportFailed, match="line 1: header"):
        load(app, "account,phone\n1,2\n")


def test_cli_import_reports_errors_and_exit_code(app, runner, tmp_path, monkeypatch):
    bad = tmp_path / "bad.csv"
    bad.write_text(GOOD + "555002,,a,Москва,N-2,9,6,1,,,2026-10-01\n", encoding="utf-8")
    monkeypatch.setenv("IVR_DATABASE_URL", runtime(app).config.database_url)
    from ivr.cli import main

    result = runner.invoke(main, ["accounts", "import", str(bad)])
    assert (
        result.exit_code == 1 and "line 3: zones" in result.output and "nothing was imported" in result.output
    )
    good = tmp_path / "good.csv"
    good.write_text(GOOD, encoding="utf-8")
    result = runner.invoke(main, ["accounts", "import", str(good)])
    assert result.exit_code == 0, result.output
    assert count(app, Phone) >= 1


@pytest.mark.parametrize("field, value", [("zones", "²"), ("digits", "³"), ("t1", "¹")])
def test_accounts_import_refuses_a_non_ascii_digit_naming_line_and_field(app, field, value):
    # str.isdigit() alone takes superscript digits, which int() then refuses with a bare error.
    row = {
        "account": "555001",
        "phones": "",
        "address": "a",
        "region": "Москва",
        "meter": "N-1",
        "zones": "1",
        "digits": "6",
        "t1": "1",
        "t2": "",
        "t3": "",
        "read_on": "2026-10-01",
    }
    row[field] = value
    text = HEAD + ",".join(row[h] for h in HEADER) + "\n"
    with app.app_context(), transaction() as s:
        with pytest.raises(ImportFailed, match=f"line 2: {field}"):
            import_accounts(s, io.StringIO(text))
