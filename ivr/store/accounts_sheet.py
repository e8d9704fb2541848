"""The accounts file's cells row by row, streamed: CSV as Excel writes it, or an .xlsx workbook."""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from itertools import chain
from typing import BinaryIO, TextIO

from ivr.store.spreadsheet import UnreadableFile, detect, lines, sniff_delimiter

XLSX = b"PK\x03\x04"  # an .xlsx workbook is a zip archive


@dataclass
class Sheet:
    read_as: str  # "xlsx", or the CSV's encoding
    delimiter: str | None  # None for a workbook
    header: list[str]
    records: Iterator[tuple[int, list[str]]]  # (the record's first line, its cells), blank rows left out


def open_sheet(f: BinaryIO | TextIO, encoding: str | None = None, delimiter: str | None = None,
               expected: list[str] | None = None) -> Sheet:  # fmt: skip
    """Read a binary file as .xlsx or CSV (encoding detected), or text already decoded as CSV."""
    if isinstance(f, io.TextIOBase):
        return _csv(iter(f), "text", delimiter, expected)
    if not f.seekable():  # a pipe: detecting the encoding reads the file twice
        spooled = tempfile.TemporaryFile()
        shutil.copyfileobj(f, spooled)
        spooled.seek(0)
        f = spooled
    if f.read(4) == XLSX:
        f.seek(0)
        return _xlsx(f)
    f.seek(0)
    read_as = detect(f, encoding)
    return _csv(lines(f, read_as), read_as, delimiter, expected)


def _csv(text: Iterator[str], read_as: str, delimiter: str | None, expected: list[str] | None) -> Sheet:
    first = next(text, "").lstrip("\ufeff")
    delimiter = delimiter or sniff_delimiter(first.rstrip("\r\n"), expected or []) or ","
    reader = csv.reader(chain([first], text), delimiter=delimiter)
    header = [h.strip() for h in next(reader, [])]
    return Sheet(read_as, delimiter, header, _numbered(reader))


def _numbered(reader: Iterable[list[str]]) -> Iterator[tuple[int, list[str]]]:
    # line_num counts physical lines: a record with a line break inside a cell starts before it.
    rows = iter(reader)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(rows)
        except StopIteration:
            return
        except csv.Error as e:
            raise UnreadableFile(f"line {start}: {e}") from None
        if any(c.strip() for c in cells):
            yield start, cells


def _xlsx(f: BinaryIO) -> Sheet:
    from openpyxl import load_workbook  # only for workbooks: it takes a while to import

    try:
        book = load_workbook(f, read_only=True, data_only=True)  # streams rows, takes formulas' values
    except Exception as e:  # noqa: BLE001  # a broken zip or XML: say so, whatever the library raised
        raise UnreadableFile(f"not a readable .xlsx workbook ({type(e).__name__}: {e})") from None
    rows = book.worksheets[0].iter_rows(values_only=True)
    header = [text(v).strip() for v in next(rows, ())]
    while header and not header[-1]:
        header.pop()

    def records() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, values in enumerate(rows, 2):
                cells = [text(v) for v in values]
                if any(c.strip() for c in cells):
                    yield number, cells
        finally:
            book.close()

    return Sheet("xlsx", None, header, records())


def text(value: object) -> str:
    """A workbook cell as the CSV would hold it: dates as YYYY-MM-DD, whole numbers without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
