"""Accounts import: one CSV row per meter, all or nothing, errors naming line and field."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

from sqlalchemy.orm import Session

from ivr.store.accounts_store import store
from ivr.store.phones import normalise
from ivr.store.spreadsheet import sniff_delimiter

HEADER = ["account", "phones", "address", "region", "meter", "zones", "digits",
          "t1", "t2", "t3", "read_on"]  # fmt: skip
MAX_DISPLAY_DIGITS = 12
PHONE_CHARS = re.compile(r"[0-9+()\-. ]+")


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
class Parsed:
    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    delimiter: str = ","


@dataclass
class Imported:
    rows: int
    delimiter: str
    warnings: list[str]
    retired: list[str]  # serials of the meters the hotline no longer asks for


def parse(f: TextIO, delimiter: str | None = None) -> Parsed:
    """Read and check every row; collect every error rather than stopping at the first."""
    text = f.read().lstrip("\ufeff")
    head = text.split("\n", 1)[0].rstrip("\r")
    out = Parsed(delimiter=delimiter or sniff_delimiter(head, HEADER) or ",")
    reader = csv.DictReader(io.StringIO(text), delimiter=out.delimiter)
    if reader.fieldnames is None or [h.strip() for h in reader.fieldnames] != HEADER:
        found = f"{len(reader.fieldnames or [])} column(s) separated by {out.delimiter!r}"
        out.errors.append(f"line 1: header: expected {','.join(HEADER)}; found {found} (a file "
                          "separated by something other than , ; or tab needs --delimiter)")  # fmt: skip
        return out
    accounts: dict[str, Row] = {}
    meters: dict[str, int] = {}
    for raw in reader:
        line = reader.line_num
        problems: list[str] = []
        row = _row(line, raw, problems)
        out.errors += [f"line {line}: {p}" for p in problems]
        if row is None:
            continue
        first = accounts.setdefault(row.account, row)
        for name in ("address", "region"):
            if getattr(first, name) != getattr(row, name):
                out.errors.append(f"line {line}: {name}: differs from line {first.line}")
        if row.meter in meters:
            out.errors.append(f"line {line}: meter: {row.meter} already on line {meters[row.meter]}")
        meters[row.meter] = line
        out.rows.append(row)
    if not out.rows and not out.errors:
        out.errors.append("line 2: account: the file has no rows")
    return out


def _row(line: int, raw: dict, problems: list[str]) -> Row | None:
    # Excel puts no-break spaces into numbers and addresses; they mean a space.
    get = {k: (raw.get(k) or "").replace("\u00a0", " ").strip() for k in HEADER}
    if None in raw:
        problems.append("row: more fields than the header")
    for name, text in get.items():
        odd = next((c for c in text if not c.isprintable()), None)
        if odd is not None:  # NUL, line breaks, zero-width and direction marks: no caller types them
            problems.append(f"{name}: has the invisible or control character U+{ord(odd):04X}")
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
        e164 = normalise(part) if PHONE_CHARS.fullmatch(part) else None
        if e164 is None:
            problems.append(f"phones: {part!r} is not a phone number")
        phones.append((part, e164))
    zones = _int(get["zones"], "zones", 1, 3, problems)
    digits = _int(get["digits"], "digits", 1, MAX_DISPLAY_DIGITS, problems)
    last: list[int | None] = []
    for z in (1, 2, 3):
        text = get[f"t{z}"]
        if zones is not None and z > zones:
            if text:
                problems.append(f"t{z}: given, but the meter has {zones} zone(s)")
            last.append(None)
            continue
        value = _int(text, f"t{z}", 0, None, problems) if text else None
        if value is not None and digits is not None and len(str(value)) > digits:
            problems.append(f"t{z}: {value} has more than {digits} digits")
        last.append(value)
    read_on = None
    if get["read_on"]:
        try:
            read_on = date.fromisoformat(get["read_on"])
        except ValueError:
            problems.append(f"read_on: {get['read_on']!r} is not YYYY-MM-DD")
    elif any(v is not None for v in last):
        problems.append("read_on: empty, but readings are given")
    if problems or zones is None or digits is None:
        return None
    return Row(line, get["account"], phones, get["address"], get["region"], get["meter"],
               zones, digits, last, read_on)  # fmt: skip


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


def import_accounts(session: Session, f: TextIO, delimiter: str | None = None,
                    regions: Container[str] | None = None, retire_missing: bool = False) -> Imported:  # fmt: skip
    """Insert or update every account and meter of the file; raise ImportFailed on any error.

    Meters that the file's accounts no longer list are retired; with `retire_missing`, the file is
    the whole list, so the meters of accounts it leaves out are retired too. Rows in regions not in
    `regions` are imported with a warning: the default submission window applies to them.
    """
    parsed = parse(f, delimiter)
    if parsed.errors:
        raise ImportFailed(parsed.errors)
    retired = store(session, parsed.rows, retire_missing)
    warnings = [] if regions is None else unknown_regions(parsed.rows, regions)
    return Imported(len(parsed.rows), parsed.delimiter, warnings, retired)


def unknown_regions(rows: list[Row], known: Container[str]) -> list[str]:
    """One warning per region without a submission window of its own, naming its first line."""
    lines: dict[str, list[int]] = {}
    for row in rows:
        if row.region not in known:
            lines.setdefault(row.region, []).append(row.line)
    warnings = []
    for region, at in lines.items():
        more = f"; {len(at) - 1} more line(s)" if len(at) > 1 else ""
        warnings.append(f"line {at[0]}: region: {region!r} has no submission window (neither built in "
                        f"nor in IVR_REGIONS_FILE), so days 23-25 apply{more}")  # fmt: skip
    return warnings
