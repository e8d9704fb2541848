"""The files an export is written as: CSV in a chosen encoding, separator and line ending, or .xlsx."""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import BinaryIO

from ivr.store.spreadsheet import cell

SEPARATORS = {",": ",", ";": ";", "tab": "\t"}


class UnwritableValue(ValueError):
    """A value the chosen format cannot hold; the message names its line and column."""


@dataclass(frozen=True)
class ExportFormat:
    kind: str = "csv"  # or "xlsx"
    encoding: str = "utf-8"
    delimiter: str = ","
    newline: str = "\n"

    @property
    def mimetype(self) -> str:
        if self.kind == "xlsx":
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return f"text/csv; charset={codecs.lookup(self.encoding).name.removesuffix('-sig')}"


CSV = ExportFormat()
# Excel reads a CSV as UTF-8 only after a BOM, and a Russian Excel splits it on ';'.
EXCEL_CSV = ExportFormat("csv", "utf-8-sig", ";", "\r\n")
XLSX = ExportFormat("xlsx")


def write_table(out: BinaryIO, header: Sequence[str], rows: Iterable[Sequence], fmt: ExportFormat,
                sheet: str = "export") -> int:  # fmt: skip
    """Write the header and the rows in the format; return how many rows. Streams: memory stays flat."""
    if fmt.kind == "xlsx":
        return _workbook(out, header, rows, sheet)
    return _csv(out, header, rows, fmt)


def _csv(out: BinaryIO, header: Sequence[str], rows: Iterable[Sequence], fmt: ExportFormat) -> int:
    encoder = codecs.getincrementalencoder(fmt.encoding)()  # writes a BOM, if the encoding has one, once
    line = io.StringIO()
    writer = csv.writer(line, delimiter=fmt.delimiter, lineterminator=fmt.newline)
    count = 0
    for count, values in enumerate(chain([header], rows)):
        # Meter serials come from the operator's file: a "=HYPERLINK(...)" one must stay text.
        writer.writerow([cell(v) for v in values])
        try:
            out.write(encoder.encode(line.getvalue()))
        except UnicodeEncodeError:
            raise UnwritableValue(_unencodable(header, values, count + 1, fmt.encoding)) from None
        line.seek(0)
        line.truncate()
    out.write(encoder.encode("", final=True))
    return count


def _unencodable(header: Sequence[str], values: Sequence, line: int, encoding: str) -> str:
    for name, value in zip(header, values, strict=True):
        try:
            str(value).encode(encoding)
        except UnicodeEncodeError as e:
            return (f"line {line}, {name}: {value!r} has {e.object[e.start]!r}, which {encoding} "
                    "cannot write; choose another --encoding (utf-8, or --excel)")  # fmt: skip
    return f"line {line}: cannot be written in {encoding}"


def _workbook(out: BinaryIO, header: Sequence[str], rows: Iterable[Sequence], title: str) -> int:
    # Imported here: 0.1 s that no other command and no web worker needs.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils.exceptions import IllegalCharacterError

    book = Workbook(write_only=True)  # rows go to a temporary file, not into memory
    sheet = book.create_sheet(title)

    def typed(column: str, value: object, line: int) -> WriteOnlyCell:
        """A cell of the value's own type: numbers stay numbers, and a text is never a formula."""
        try:
            made = WriteOnlyCell(sheet, None if value == "" else value)
        except IllegalCharacterError:
            raise UnwritableValue(f"line {line}, {column}: {value!r} holds a control character, "
                                  "which .xlsx cannot hold; export CSV instead") from None  # fmt: skip
        if isinstance(value, str) and value:
            made.data_type = "s"  # openpyxl would store "=HYPERLINK(...)" as a formula
        return made

    sheet.append(list(header))
    count = 0
    try:
        for count, values in enumerate(rows, 1):
            sheet.append([typed(header[i], v, count + 1) for i, v in enumerate(values)])
    except UnwritableValue:
        sheet.close()  # finish and remove the sheet's temporary file now, not at garbage collection
        sheet._writer.cleanup()
        raise
    book.save(out)
    return count
