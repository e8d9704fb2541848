"""The flow's Directory port on the database: accounts by phone and by number."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ivr.flows import AccountInfo, MeterInfo, ReadingStatus, Regions, ZoneInfo
from ivr.store.models import Account, Meter, Phone, Reading

COUNTED = (ReadingStatus.ACCEPTED, ReadingStatus.SUPERSEDED)


class StoreDirectory:
    """Look accounts up for one call turn, in that turn's session."""

    def __init__(self, session: Session, regions: Regions, now: datetime) -> None:
        self.session = session
        self.regions = regions
        self.now = now  # naive UTC: each account's period is of its region's day
        self._accounts: dict[str, AccountInfo | None] = {}  # one webhook asks several times
        self.ids: dict[str, int] = {}  # account ids of the accounts loaded

    def by_phone(self, e164: str) -> list[str]:
        query = select(Account.number).join(Phone).where(Phone.e164 == e164).distinct()
        return list(self.session.scalars(query))

    def account(self, number: str) -> AccountInfo | None:
        if number not in self._accounts:
            self._accounts[number] = self._load(number)
        return self._accounts[number]

    def _load(self, number: str) -> AccountInfo | None:
        query = select(Account).where(Account.number == number).options(selectinload(Account.meters))
        acc = self.session.scalars(query).first()
        if acc is None:
            return None
        self.ids[number] = acc.id
        period = self.regions.period(acc.region, self.regions.day(acc.region, self.now))
        active = [m for m in acc.meters if m.retired_at is None]  # retired: replaced or removed
        ids = [m.id for m in active]
        # Two queries for the whole account, not two per zone: this runs on every webhook.
        firsts = first_of_period(self.session, ids, period)
        uses = daily_uses(self.session, ids, period)
        meters = tuple(
            MeterInfo(m.id, m.serial, m.digits, tuple(
                ZoneInfo(z, *_baseline(m, z, firsts.get((m.id, z))), uses.get((m.id, z)))
                for z in range(1, m.zones + 1)
            ))
            for m in active
        )  # fmt: skip
        return AccountInfo(acc.number, acc.address, acc.region, meters)


def account_id(session: Session, number: str) -> int | None:
    return session.scalars(select(Account.id).where(Account.number == number)).first()


def baseline(session: Session, m: Meter, zone: int, period: str) -> tuple[int | None, date | None]:
    """The reading a new one is compared with: the last one from before this period."""
    return _baseline(m, zone, first_of_period(session, [m.id], period).get((m.id, zone)))


def _baseline(m: Meter, zone: int, first: Reading | None) -> tuple[int | None, date | None]:
    # A second call in the same period corrects the first, so it is checked against what came
    # before the first, not against the first itself.
    if first is not None and first.previous is not None:
        return first.previous, first.previous_on
    return m.last(zone), m.last_read_on


def first_of_period(session: Session, meter_ids: list[int], period: str) -> dict[tuple, Reading]:
    """The first counted reading of the period per (meter, zone)."""
    # Only the first row per zone is loaded: a meter resubmitted many times in a period stays cheap.
    first_ids = (
        select(func.min(Reading.id))
        .where(Reading.meter_id.in_(meter_ids), Reading.period == period)
        .where(Reading.status.in_(COUNTED))
        .group_by(Reading.meter_id, Reading.zone)
    )
    return {
        (r.meter_id, r.zone): r for r in session.scalars(select(Reading).where(Reading.id.in_(first_ids)))
    }


def daily_uses(
    session: Session, meter_ids: list[int], period: str, before: datetime | None = None
) -> dict[tuple, float]:
    """Average kWh per day per (meter, zone) over accepted readings of earlier periods.

    This period's readings are left out: a new one replaces them, so they are no history.
    `before` (naive UTC) keeps the history as it stood then, for a reading judged again later.
    """
    query = (
        select(Reading.meter_id, Reading.zone, func.sum(Reading.consumption), func.sum(Reading.days))
        .where(Reading.meter_id.in_(meter_ids))
        .where(Reading.status == ReadingStatus.ACCEPTED)
        .where(Reading.period != period)
        .where(Reading.consumption.is_not(None), Reading.days > 0)
        .group_by(Reading.meter_id, Reading.zone)
    )
    rows = session.execute(query if before is None else query.where(Reading.received_at < before))
    return {(meter, zone): float(total) / float(days) for meter, zone, total, days in rows if days}
