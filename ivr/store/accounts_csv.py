"""Accounts import: one CSV row per meter, all or nothing, errors naming line and field."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.store.models import Account, Meter, Phone
from ivr.store.phones import normalise

HEADER = ["account", "phones", "address", "region", "meter", "zones", "digits",
          "t1", "t2", "t3", "read_on"]  # fmt: skip
MAX_DISPLAY_DIGITS = 12


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


def parse(f: TextIO) -> Parsed:
    """Read and check every row; collect every error rather than stopping at the first."""
    out = Parsed()
    reader = csv.DictReader(f)
    if reader.fieldnames is None or [h.strip() for h in reader.fieldnames] != HEADER:
        out.errors.append(f"line 1: header: expected {','.join(HEADER)}")
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
    get = {k: (raw.get(k) or "").strip() for k in HEADER}
    if None in raw:
        problems.append("row: more fields than the header")
    for name in ("account", "address", "region", "meter"):
        if not get[name]:
            problems.append(f"{name}: empty")
    if get["account"] and not _digits(get["account"]):
        problems.append(f"account: {get['account']!r} is not a digit string")
    phones = []
    for part in filter(None, (p.strip() for p in get["phones"].split(";"))):
        e164 = normalise(part)
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


def import_accounts(session: Session, f: TextIO) -> int:
    """Insert or update every account and meter of the file; raise ImportFailed on any error."""
    parsed = parse(f)
    if parsed.errors:
        raise ImportFailed(parsed.errors)
    accounts: dict[str, Account] = {}
    positions: dict[str, int] = {}
    for row in parsed.rows:
        acc = accounts.get(row.account) or _upsert_account(session, row)
        accounts[row.account] = acc
        known = {p.e164 for p in acc.phones}
        for raw, e164 in row.phones:
            if e164 not in known:
                acc.phones.append(Phone(e164=e164, raw=raw))
                known.add(e164)
        meter = session.scalars(select(Meter).where(Meter.serial == row.meter)).first()
        if meter is None:
            meter = Meter(serial=row.meter)
            session.add(meter)
        meter.account = acc
        meter.position = positions[row.account] = positions.get(row.account, -1) + 1
        meter.zones, meter.digits = row.zones, row.digits
        meter.last_t1, meter.last_t2, meter.last_t3 = row.last
        meter.last_read_on = row.read_on
    session.flush()
    return len(parsed.rows)


def _upsert_account(session: Session, row: Row) -> Account:
    acc = session.scalars(select(Account).where(Account.number == row.account)).first()
    if acc is None:
        acc = Account(number=row.account)
        session.add(acc)
    acc.address, acc.region = row.address, row.region
    acc.phones.clear()  # the file is the truth for phones; re-added right after
    session.flush()
    return acc
