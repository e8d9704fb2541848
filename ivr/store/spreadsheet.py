"""CSV files as spreadsheets make them and read them: Excel's encodings and separators, and formulas."""

from __future__ import annotations

import codecs
import re

# What Excel writes, in the order tried: a BOM says it outright, else UTF-8, else Russian Windows.
ENCODINGS = ("utf-8", "cp1251")
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip
DELIMITERS = (",", ";", "\t")  # Russian Excel separates with ';', its "Unicode text" with tabs
PHONE_LIKE = re.compile(r"[+-][\d ()*.-]*")


class UnreadableFile(ValueError):
    """The bytes are not text in any encoding tried; the message says what to pass instead."""


def cell(value: object) -> object:
    """Keep spreadsheets from running a text value as a formula.

    Numbers pass as they are: -5 is a number to a spreadsheet, not a formula. So do texts like
    "+7 916 ***-**-67" or "-100", which hold only digits, spaces and ( ) * . -: at worst arithmetic.
    """
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "=@\t\r" or (value[0] in "+-" and not PHONE_LIKE.fullmatch(value)):
        return "'" + value
    return value


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of a file and the encoding it was read with: the one given, or the one detected."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise UnreadableFile(f"--encoding: {encoding!r} is not an encoding Python knows "
                                 "(try utf-8, cp1251 or cp866)") from None  # fmt: skip
        except UnicodeDecodeError as e:
            raise UnreadableFile(f"{_where(data, e)}: not {encoding} text; "
                                 "pass the file's --encoding") from None  # fmt: skip
    for bom, name in BOMS:
        if data.startswith(bom):
            return data.decode(name), name
    for name in ENCODINGS:
        try:
            return data.decode(name), name
        except UnicodeDecodeError as e:
            error = e
    raise UnreadableFile(f"{_where(data, error)}: neither UTF-8 nor cp1251 text; "
                         "pass the file's --encoding, e.g. --encoding cp866") from None  # fmt: skip


def _where(data: bytes, error: UnicodeDecodeError) -> str:
    line = data.count(b"\n", 0, error.start) + 1
    return f"line {line}: byte 0x{data[error.start]:02x}"


def sniff_delimiter(first_line: str, header: list[str]) -> str | None:
    """The separator that splits the header line into the expected columns, if one does."""
    for delimiter in DELIMITERS:
        if [h.strip().strip('"') for h in first_line.split(delimiter)] == header:
            return delimiter
    return None
