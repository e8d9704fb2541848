"""CSV files as spreadsheets make them and read them: Excel's encodings and separators, and formulas."""

from __future__ import annotations

import codecs
import io
import re
from collections.abc import Iterator
from typing import BinaryIO

BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip
DELIMITERS = (",", ";", "\t")  # Russian Excel separates with ';', its "Unicode text" with tabs
PHONE_LIKE = re.compile(r"[+-][\d ()*.-]*")
# Russian text is mostly small letters: cp1251 has them at 0xE0-0xFF, koi8-r at 0xC0-0xDF.
HIGH, LOW = bytes(range(0xE0, 0x100)), bytes(range(0xC0, 0xE0))


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


def detect(binary: BinaryIO, encoding: str | None = None) -> str:
    """The encoding to read a file with: the one given, a BOM's, UTF-8, or else cp1251 or koi8-r.

    A legacy encoding is taken only when no line is UTF-8 with letters beyond ASCII: a file that
    mixes the two is refused at its first line that is not UTF-8, since reading it either way would
    garble some of its addresses. Reads the file once, line by line; leaves it at its start.
    """
    if encoding:
        try:
            return codecs.lookup(encoding).name
        except LookupError:
            raise UnreadableFile(f"--encoding: {encoding!r} is not an encoding Python knows "
                                 "(try utf-8, cp1251, koi8-r or cp866)") from None  # fmt: skip
    start = binary.read(4)
    binary.seek(0)
    for bom, name in BOMS:
        if start.startswith(bom):
            return name
    utf8_line = bad_line = None
    high = low = 0
    for number, line in enumerate(binary, 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8_line = utf8_line or number
        except UnicodeDecodeError as e:
            if bad_line is None:
                bad_line, bad_byte = number, line[e.start]
            high += len(line) - len(line.translate(None, HIGH))
            low += len(line) - len(line.translate(None, LOW))
        if utf8_line and bad_line:
            binary.seek(0)
            raise UnreadableFile(f"line {bad_line}: byte 0x{bad_byte:02x} is not UTF-8, while line "
                                 f"{utf8_line} is UTF-8: the file mixes encodings; save it again "
                                 "in one (UTF-8 or cp1251)")  # fmt: skip
    binary.seek(0)
    if bad_line is None:
        return "utf-8"
    return "cp1251" if high >= low else "koi8-r"


def lines(binary: BinaryIO, encoding: str) -> Iterator[str]:
    """The file's lines as text, line ends kept; a byte the encoding lacks names its line."""
    if codecs.lookup(encoding).name.startswith("utf-16"):  # its line ends are two bytes
        yield from io.TextIOWrapper(binary, encoding, newline="")
        return
    decoder = "utf-8" if encoding == "utf-8-sig" else encoding
    for number, line in enumerate(binary, 1):
        if number == 1 and encoding == "utf-8-sig":
            line = line.removeprefix(codecs.BOM_UTF8)
        try:
            yield line.decode(decoder)
        except UnicodeDecodeError as e:
            raise UnreadableFile(f"line {number}: byte 0x{line[e.start]:02x} is not {encoding} text; "
                                 "pass the file's --encoding, e.g. --encoding cp866") from None  # fmt: skip


def sniff_delimiter(first_line: str, header: list[str]) -> str | None:
    """The separator that splits the header line into the expected columns, if one does."""
    for delimiter in DELIMITERS:
        if [h.strip().strip('"') for h in first_line.split(delimiter)] == header:
            return delimiter
    return None
