"""`ivr accounts import` on the operator's real files: Excel's encodings and separators, meters that
left the file, unknown regions and phone numbers with letters."""

import csv
import io
from datetime import date, datetime

import pytest
from sqlalchemy import select

from ivr.cli import main
from ivr.flows.regions import load as load_regions
from ivr.runtime import runtime
from ivr.store.accounts_csv import HEADER
from ivr.store.directory import StoreDirectory
from ivr.store.models import Account, Meter, Reading
from tests.conftest import NOW
from tests.sessions import transaction

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py

ROW = '555001;+7 916 555-00-11;"ул. Новая, д. 5";Москва;N-1;1;6;10;;;2026-10-01'
SECOND = '555001;+7 916 555-00-11;"ул. Новая, д. 5";Москва;N-2;1;6;20;;;2026-10-01'


def semicolons(*rows: str) -> str:
    return "\r\n".join([";".join(HEADER), *rows]) + "\r\n"


@pytest.fixture
def run(app, runner, tmp_path, monkeypatch):
    """run(bytes, *options) -> the CLI result of importing that file into the app's database."""
    monkeypatch.setenv("IVR_DATABASE_URL", runtime(app).config.database_url)

    def invoke(data: bytes, *options: str):  # noqa: ANN202
        path = tmp_path / "accounts.csv"
        path.write_bytes(data)
        return runner.invoke(main, ["accounts", "import", str(path), *options])

    return invoke


def address(app, number: str) -> str | None:
    with app.app_context(), transaction() as s:
        return s.scalars(select(Account.address).where(Account.number == number)).first()


def asked(app, number: str) -> list[str]:
    """The meters the hotline asks a caller of this account for."""
    with app.app_context(), transaction() as s:
        info = StoreDirectory(s, load_regions(None), NOW).account(number)
        return [m.serial for m in info.meters]


@pytest.mark.parametrize(
    "encoding, separator, read_as",
    [("cp1251", ";", "cp1251, ';'"), ("utf-8-sig", ";", "utf-8-sig, ';'"),
     ("utf-8", ",", "utf-8, ','"), ("utf-16", "\t", "utf-16, tab")],
)  # fmt: skip
def test_what_russian_excel_writes_is_detected_and_imported(app, run, encoding, separator, read_as):
    text = semicolons(ROW).replace(";", separator).replace('"ул. Новая, д. 5"', "ул. Новая д. 5")
    result = run(text.encode(encoding))
    assert result.exit_code == 0, result.output
    assert f"read as {read_as}-separated" in result.output
    assert address(app, "555001") == "ул. Новая д. 5"


def test_encoding_and_delimiter_can_be_given(app, run):
    text = semicolons(ROW).replace("Новая", "Полевая")
    result = run(text.encode("cp866"), "--encoding", "cp866", "--delimiter", ";")
    assert result.exit_code == 0, result.output
    assert address(app, "555001") == "ул. Полевая, д. 5"  # detection would have read cp866 as cp1251


def test_a_file_in_no_detected_encoding_gets_a_hint_not_a_traceback(app, run):
    data = semicolons(ROW).encode("cp1251").replace("Новая".encode("cp1251"), b"\x98")
    result = run(data)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert "line 2: byte 0x98" in result.output and "--encoding" in result.output
    assert "nothing was imported" in result.output
    unknown = run(semicolons(ROW).encode(), "--encoding", "klingon")
    assert unknown.exit_code == 1 and "'klingon' is not an encoding" in unknown.output


def test_a_header_split_by_another_separator_points_at_the_delimiter_option(app, run):
    result = run(semicolons(ROW).replace(";", "|").encode())
    assert result.exit_code == 1
    assert "line 1: header: expected account,phones" in result.output and "--delimiter" in result.output


def test_meters_missing_from_a_reimport_are_retired_with_their_readings_kept(app, run):
    assert run(semicolons(ROW, SECOND).encode()).exit_code == 0
    with app.app_context(), transaction() as s:
        s.add(Reading(meter_id=s.scalars(select(Meter.id).where(Meter.serial == "N-2")).one(), zone=1,
                      value=25, period="2026-11", status="accepted", received_at=NOW))  # fmt: skip
    assert asked(app, "555001") == ["N-1", "N-2"]

    result = run(semicolons(ROW).encode())
    assert result.exit_code == 0 and "retired" in result.output and "N-2" in result.output
    assert asked(app, "555001") == ["N-1"]
    with app.app_context(), transaction() as s:
        n2 = s.scalars(select(Meter).where(Meter.serial == "N-2")).one()
        assert n2.retired_at is not None
        assert s.scalars(select(Reading.value).where(Reading.meter_id == n2.id)).all() == [25]

    assert run(semicolons(ROW, SECOND).encode()).exit_code == 0  # the meter is back
    assert asked(app, "555001") == ["N-1", "N-2"]


def test_accounts_missing_from_the_file_lose_their_meters_unless_the_import_is_partial(app, run):
    partial = run(semicolons(ROW).encode(), "--partial")
    assert partial.exit_code == 0 and "retired" not in partial.output
    assert asked(app, "100001") == ["M-1"]

    full = run(semicolons(ROW).encode())
    assert full.exit_code == 0 and "retired 5 meter(s)" in full.output
    assert asked(app, "100001") == [] and asked(app, "555001") == ["N-1"]
    assert address(app, "100001") == "ул. Ленина, д. 1, кв. 1"  # the account and its history stay


def test_an_unknown_region_is_imported_with_a_warning_naming_line_and_region(app, run):
    row = ROW.replace("Москва", "Марс")
    result = run(semicolons(ROW.replace("555001", "555002").replace("N-1", "N-0"), row,
                            SECOND.replace("Москва", "Марс")).encode())  # fmt: skip
    assert result.exit_code == 0, result.output
    [warning] = [line for line in result.output.splitlines() if "warning" in line]
    assert "line 3: region: 'Марс'" in warning and "23-25" in warning and "1 more line" in warning
    assert asked(app, "555001") == ["N-1", "N-2"]


@pytest.mark.parametrize(
    "field, value, error",
    [
        ("phones", "8 916 ABC-45-67", "line 2: phones: '8 916 ABC-45-67' has letters"),
        ("phones", "+7 916 555-00-1²", "line 2: phones: '+7 916 555-00-1²' is not a phone number"),
        ("address", "ул. Новая\x00", "line 2: address: has the invisible or control character U+0000"),
        ("meter", "N\u200b1", "line 2: meter: has the invisible or control character U+200B"),
    ],
)
def test_input_no_caller_could_type_is_refused_naming_line_and_field(app, run, field, value, error):
    cells = dict(zip(HEADER, ROW.replace('"ул. Новая, д. 5"', "ул. Новая").split(";")))
    cells[field] = value
    result = run(semicolons(";".join(cells[h] for h in HEADER)).encode())
    assert result.exit_code == 1 and error in result.output, result.output
    assert address(app, "555001") is None


def test_no_break_spaces_from_excel_count_as_spaces(app, run):
    result = run(semicolons(ROW.replace("ул. Новая", "ул.\u00a0Новая")).encode("cp1251"))
    assert result.exit_code == 0, result.output
    assert address(app, "555001") == "ул. Новая, д. 5"


def russian_excel(*rows: list[object]) -> bytes:
    """A CSV as Russian Excel saves one ("CSV (разделители - точки с запятой)"): cp1251, ';', CRLF."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerows([HEADER, *rows])
    return out.getvalue().encode("cp1251")


def phones_of(app, number: str) -> list[str]:
    with app.app_context(), transaction() as s:
        return [p.e164 for p in s.scalars(select(Account).where(Account.number == number)).one().phones]


def test_a_csv_as_russian_excel_writes_it_with_day_first_dates_and_phones_split_every_way(app, run):
    data = russian_excel(
        ["555001", "8 (916) 555-00-11, +7 499 550-95-50", "ул. Новая, д. 5", "Москва", "N-1", "2", "6",
         "12500", "6700", "", "20.11.2026"],
        ["555002", "8-916-555-00-12\n8-916-555-00-13;+79165550014", "пр. Мира, д. 7", "Москва", "N-2", "1",
         "6", "10", "", "", "2026-11-19"],
    )  # fmt: skip
    assert b"\r\n" in data and "Новая".encode("cp1251") in data
    result = run(data)
    assert result.exit_code == 0, result.output
    assert "read as cp1251, ';'-separated" in result.output and "2 new meter(s)" in result.output
    with app.app_context(), transaction() as s:
        n1 = s.scalars(select(Meter).where(Meter.serial == "N-1")).one()
        assert (n1.last_t1, n1.last_t2, n1.last_read_on) == (12500, 6700, date(2026, 11, 20))
    assert phones_of(app, "555001") == ["+79165550011", "+74995509550"]
    assert phones_of(app, "555002") == ["+79165550012", "+79165550013", "+79165550014"]
    assert address(app, "555002") == "пр. Мира, д. 7"


def test_a_workbook_written_by_openpyxl_is_imported_with_its_date_and_number_cells(app, run, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADER)
    book.active.append(["555001", 89165550011, "ул. Новая, д. 5", "Москва", "N-1", 1, 6, 12500, None, None,
                        datetime(2026, 11, 20)])  # fmt: skip
    book.active.append(["555001", "+7 916 555-00-11", "ул. Новая, д. 5", "Москва", "N-2", 1, 6, 10.0, None, None,
                        "20.11.2026"])  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    result = run(buffer.getvalue())  # named .csv: the contents say it is a workbook
    assert result.exit_code == 0, result.output
    assert "read as xlsx: 2 new meter(s)" in result.output
    assert asked(app, "555001") == ["N-1", "N-2"]
    assert phones_of(app, "555001") == ["+79165550011"]
    with app.app_context(), transaction() as s:
        found = s.execute(select(Meter.last_t1, Meter.last_read_on).where(Meter.serial.in_(["N-1", "N-2"]))
                          .order_by(Meter.serial)).all()  # fmt: skip
    assert found == [(12500, date(2026, 11, 20)), (10, date(2026, 11, 20))]


def test_a_workbook_with_a_bad_cell_names_its_row_and_column(app, run):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(HEADER)
    book.active.append(
        ["555001", "", "ул. Новая", "Москва", "N-1", 1, 6, 12.5, None, None, datetime(2026, 11, 20)]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    result = run(buffer.getvalue())
    assert result.exit_code == 1 and "line 2: t1: '12.5' is not a whole number" in result.output
    assert address(app, "555001") is None


def test_a_utf8_file_with_one_line_in_another_encoding_is_refused_at_that_line(app, run):
    utf8 = semicolons(ROW, SECOND.replace("N-2", "N-3")).encode()
    pasted = SECOND.replace("Новая", "Полевая").encode("cp1251")
    result = run(utf8 + pasted + b"\r\n" + semicolons(ROW).split("\r\n")[1].replace("N-1", "N-4").encode())
    assert result.exit_code == 1
    assert "line 4: byte 0xf3 is not UTF-8, while line 2 is UTF-8: the file mixes encodings" in result.output
    assert "nothing was imported" in result.output and address(app, "555001") is None


def test_a_koi8r_file_is_told_from_cp1251(app, run):
    result = run(semicolons(ROW, SECOND).encode("koi8-r"))
    assert result.exit_code == 0, result.output
    assert "read as koi8-r" in result.output
    assert address(app, "555001") == "ул. Новая, д. 5"


def test_a_row_after_a_cell_with_line_breaks_is_named_by_the_line_it_starts_on(app, run):
    data = russian_excel(
        ["555001", "8-916-555-00-12\n8-916-555-00-13", "ул. Новая, д. 5", "Москва", "N-1", "1", "6", "", "", "", ""],
        ["555002", "", "пр. Мира, д. 7", "Москва", "N-2", "4", "6", "", "", "", ""],
    )  # fmt: skip
    result = run(data)
    assert result.exit_code == 1 and "line 4: zones: 4 is not in 1..3" in result.output, result.output


def test_a_file_from_a_pipe_is_read_like_one_on_disk():
    from ivr.store.accounts_sheet import open_sheet

    class Pipe(io.RawIOBase):  # stdin from `... | ivr accounts import -`: read once, no seeking
        def __init__(self, data: bytes) -> None:
            self.data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:  # noqa: ANN001
            chunk = self.data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    sheet = open_sheet(io.BufferedReader(Pipe(semicolons(ROW).encode("cp1251"))), expected=HEADER)
    assert (sheet.read_as, sheet.delimiter, sheet.header) == ("cp1251", ";", HEADER)
    assert [cells[2] for _, cells in sheet.records] == ["ул. Новая, д. 5"]
