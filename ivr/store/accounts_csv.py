"""Accounts import: one row per meter, all or nothing, errors naming line and field.

The file is checked while it streams into staging tables, then merged in a few set-based
statements (ivr/store/accounts_store.py): memory stays flat however long the file.
"""

from __future__ import annotations

import re
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import BinaryIO, TextIO

from sqlalchemy.orm import Session

from ivr.clock import wall
from ivr.store.accounts_sheet import open_sheet
from ivr.store.accounts_staging import Staging
from ivr.store.accounts_store import Changes, merge, preview
from ivr.store.phones import normalise_many

HEADER = ["account", "phones", "address", "region", "meter", "zones", "digits",
          "t1", "t2", "t3", "read_on"]  # fmt: skip
MAX_DISPLAY_DIGITS = 12
MAX_ERRORS = 100  # a wrong file can be wrong on every line: the first ones say enough
LENGTHS = {"account": 32, "region": 120, "meter": 64}  # the database columns'
PHONE_CHARS = re.compile(r"[0-9+()\-. ]+")
PHONE_SEPARATORS = re.compile(r"[;,\r\n]")  # Excel users also separate with commas and Alt+Enter
DAY_FIRST = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")  # 20.11.2026, as Russian Excel writes dates
ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class ImportFailed(ValueError):
    """The file has errors; nothing was written."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Row:
    line: int
    account: str
    phones: list[tuple[str, str]]  # (raw, e164)
    address: str
    region: str
    meter: str
    zones: int
    digits: int
    last: list[int | None]
    read_on: date | None


@dataclass
class Imported(Changes):
    rows: int = 0
    read_as: str = ""  # "xlsx" or the CSV's encoding
    delimiter: str | None = ","
    warnings: list[str] = field(default_factory=list)


def import_accounts(session: Session, f: BinaryIO | TextIO, delimiter: str | None = None,
                    regions: Container[str] | None = None, retire_missing: bool = False,
                    encoding: str | None = None, dry_run: bool = False,
                    now: datetime | None = None) -> Imported:  # fmt: skip
    """Insert or update every account and meter of the file; raise ImportFailed on any error.

    Meters that the file's accounts no longer list are retired; with `retire_missing`, the file is
    the whole list, so the meters of accounts it leaves out are retired too. Rows in regions not in
    `regions` are imported with a warning: the default submission window applies to them. With
    `dry_run` nothing is written: the result says what the import would change.
    """
    sheet = open_sheet(f, encoding, delimiter, HEADER)
    errors: list[tuple[int, str]] = []
    if sheet.header[: len(HEADER)] != HEADER or any(sheet.header[len(HEADER) :]):
        found = f"{len(sheet.header)} column(s)" + (
            f" separated by {sheet.delimiter!r}" if sheet.delimiter else ""
        )
        raise ImportFailed([f"line 1: header: expected {','.join(HEADER)}; found {found} (a file separated "
                            "by something other than , ; or tab needs --delimiter)"])  # fmt: skip
    with Staging(session) as staging:
        total = 0
        for line, cells in sheet.records:
            problems: list[str] = []
            row = check_row(line, cells, problems)
            total += len(problems)
            errors += [(line, f"line {line}: {p}") for p in problems[: MAX_ERRORS - len(errors)]]
            if row is not None and not total:  # after an error only the checking goes on
                staging.add(row)
        if not staging.rows and not errors:
            errors.append((2, "line 2: account: the file has no rows"))
        if not errors:
            errors = staging.conflicts(MAX_ERRORS)
            total = len(errors)
        if errors:
            more = f"... and {total - len(errors)} more error(s)"
            raise ImportFailed(
                [e for _, e in sorted(errors, key=lambda e: e[0])] + ([more] if total > len(errors) else [])
            )
        changes = preview(session, retire_missing)
        if not dry_run:
            merge(session, changes, retire_missing, now or wall())
        warnings = [] if regions is None else staging.unknown_regions(regions)
        return Imported(**vars(changes), rows=staging.rows, read_as=sheet.read_as,
                        delimiter=sheet.delimiter, warnings=warnings)  # fmt: skip


def check_row(line: int, cells: list[str], problems: list[str]) -> Row | None:
    """The row, or None with what is wrong with it in `problems`."""
    if any(c.strip() for c in cells[len(HEADER) :]):
        problems.append("row: more fields than the header")
    # Excel puts no-break spaces into numbers and addresses; they mean a space.
    get = {k: (v or "").replace("\u00a0", " ").strip() for k, v in zip(HEADER, cells + [""] * len(HEADER))}
    get["phones"] = PHONE_SEPARATORS.sub(";", get["phones"])  # a line break in the cell separates too
    for name, value in get.items():
        if not value.isprintable():  # NUL, line breaks, zero-width and direction marks: no caller types them
            odd = next(c for c in value if not c.isprintable())
            problems.append(f"{name}: has the invisible or control character U+{ord(odd):04X}")
        if name in LENGTHS and len(value) > LENGTHS[name]:
            problems.append(f"{name}: longer than {LENGTHS[name]} characters")
    if problems:
        return None
    for name in ("account", "address", "region", "meter"):
        if not get[name]:
            problems.append(f"{name}: empty")
    if get["account"] and not _digits(get["account"]):
        problems.append(f"account: {get['account']!r} is not a digit string")
    phones = []
    for part in filter(None, (p.strip() for p in get["phones"].split(";"))):
        # Checked first: phonenumbers would read letters as on a keypad, 8-800-FLOWERS style.
        if any(c.isalpha() for c in part):
            problems.append(f"phones: {part!r} has letters; write digits only, numbers separated by ;")
            continue
        e164 = normalise_many(part) if PHONE_CHARS.fullmatch(part) and len(part) <= 64 else None
        if e164 is None:
            problems.append(f"phones: {part!r} is not a phone number")
        phones.append((part, e164))
    zones = _int(get["zones"], "zones", 1, 3, problems)
    digits = _int(get["digits"], "digits", 1, MAX_DISPLAY_DIGITS, problems)
    last: list[int | None] = []
    for z in (1, 2, 3):
        value = get[f"t{z}"]
        if zones is not None and z > zones:
            if value:
                problems.append(f"t{z}: given, but the meter has {zones} zone(s)")
            last.append(None)
            continue
        number = _int(value, f"t{z}", 0, None, problems) if value else None
        if number is not None and digits is not None and len(str(number)) > digits:
            problems.append(f"t{z}: {number} has more than {digits} digits")
        last.append(number)
    read_on = None
    if get["read_on"]:
        read_on = _date(get["read_on"])
        if read_on is None:
            problems.append(f"read_on: {get['read_on']!r} is not a date (DD.MM.YYYY or YYYY-MM-DD)")
    elif any(v is not None for v in last):
        problems.append("read_on: empty, but readings are given")
    if problems or zones is None or digits is None:
        return None
    return Row(line, get["account"], phones, get["address"], get["region"], get["meter"],
               zones, digits, last, read_on)  # fmt: skip


def _date(text: str) -> date | None:
    day_first = DAY_FIRST.fullmatch(text)
    try:
        if day_first:
            return date(int(day_first[3]), int(day_first[2]), int(day_first[1]))
        return date.fromisoformat(text) if ISO_DAY.fullmatch(text) else None
    except ValueError:
        return None


def _digits(text: str) -> bool:
    # ASCII only: str.isdigit() also takes "²", which int() refuses and no keypad can type.
    return text.isascii() and text.isdigit()


def _int(text: str, name: str, low: int, high: int | None, problems: list[str]) -> int | None:
    if not _digits(text):
        problems.append(f"{name}: {text!r} is not a whole number")
        return None
    value = int(text)
    if value < low or (high is not None and value > high):
        problems.append(f"{name}: {value} is not in {low}..{high if high else ''}")
        return None
    return value
