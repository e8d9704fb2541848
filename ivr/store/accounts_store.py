"""The accounts file's rows into the database: accounts, phones and meters updated in place, and
meters that left the file retired (no longer asked for, their readings kept)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.clock import wall
from ivr.store.models import Account, Meter, Phone

if TYPE_CHECKING:
    from ivr.store.accounts_csv import Row


def store(session: Session, rows: list[Row], retire_missing: bool) -> list[str]:
    """Insert or update every row; return the serials of the meters retired."""
    accounts: dict[str, Account] = {}
    positions: dict[str, int] = {}
    for row in rows:
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
        meter.retired_at = None  # back in the file: asked for again
    session.flush()
    listed = {row.meter for row in rows}
    # A listed account's rows are the truth for its meters, as for its phones; an account the
    # file leaves out is only touched when the file is the whole list.
    scope = None if retire_missing else {acc.id for acc in accounts.values()}
    return retire(session, listed, scope)


def retire(session: Session, listed: set[str], account_ids: set[int] | None) -> list[str]:
    """Retire the active meters not listed, of the given accounts (all when None)."""
    now = wall()  # when the operator retired them
    retired = []
    active = select(Meter).where(Meter.retired_at.is_(None)).order_by(Meter.serial)
    for meter in session.scalars(active):
        if meter.serial not in listed and (account_ids is None or meter.account_id in account_ids):
            meter.retired_at = now
            retired.append(meter.serial)
    session.flush()
    return retired


def _upsert_account(session: Session, row: Row) -> Account:
    acc = session.scalars(select(Account).where(Account.number == row.account)).first()
    if acc is None:
        acc = Account(number=row.account)
        session.add(acc)
    acc.address, acc.region = row.address, row.region
    acc.phones.clear()  # the file is the truth for phones; re-added right after
    session.flush()
    return acc
