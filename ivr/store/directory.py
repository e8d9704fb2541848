"""The flow's Directory port on the database: accounts by phone and by number."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ivr.flows.model import AccountInfo, MeterInfo, ZoneInfo
from ivr.flows.regions import Regions
from ivr.store.models import Account, Meter, Phone, Reading

COUNTED = ("accepted", "superseded")


class StoreDirectory:
    """Look accounts up for one call turn, in that turn's session."""

    def __init__(self, session: Session, regions: Regions, today: date) -> None:
        self.session = session
        self.regions = regions
        self.today = today
        self._accounts: dict[str, AccountInfo | None] = {}  # one webhook asks several times

    def by_phone(self, e164: str) -> list[str]:
        query = select(Account.number).join(Phone).where(Phone.e164 == e164).distinct()
        return list(self.session.scalars(query))

    def account(self, number: str) -> AccountInfo | None:
        if number not in self._accounts:
            self._accounts[number] = self._load(number)
        return self._accounts[number]

    def _load(self, number: str) -> AccountInfo | None:
        query = (
            select(Account).where(Account.number == number).options(selectinload(Account.meters))
        )
        acc = self.session.scalars(query).first()
        if acc is None:
            return None
        period = self.regions.period(acc.region, self.today)
        meters = tuple(self._meter(m, period) for m in acc.meters)
        return AccountInfo(acc.number, acc.address, acc.region, meters)

    def _meter(self, m: Meter, period: str) -> MeterInfo:
        zones = tuple(self._zone(m, z, period) for z in range(1, m.zones + 1))
        return MeterInfo(m.id, m.serial, m.digits, zones)

    def _zone(self, m: Meter, zone: int, period: str) -> ZoneInfo:
        previous, previous_on = baseline(self.session, m, zone, period)
        return ZoneInfo(zone, previous, previous_on, daily_use(self.session, m.id, zone))


def account_id(session: Session, number: str) -> int | None:
    return session.scalars(select(Account.id).where(Account.number == number)).first()


def baseline(session: Session, m: Meter, zone: int, period: str) -> tuple[int | None, date | None]:
    """The reading a new one is compared with: the last one from before this period.

    A second call in the same period corrects the first, so it is checked against what came
    before the first, not against the first itself.
    """
    first = session.scalars(
        select(Reading)
        .where(Reading.meter_id == m.id, Reading.zone == zone, Reading.period == period)
        .where(Reading.status.in_(COUNTED))
        .order_by(Reading.id)
    ).first()
    if first is not None and first.previous is not None:
        return first.previous, first.previous_on
    return m.last(zone), m.last_read_on


def daily_use(session: Session, meter_id: int, zone: int) -> float | None:
    """Average kWh per day over the accepted history, or None without history."""
    total, days = session.execute(
        select(func.sum(Reading.consumption), func.sum(Reading.days))
        .where(Reading.meter_id == meter_id, Reading.zone == zone, Reading.status == "accepted")
        .where(Reading.consumption.is_not(None), Reading.days > 0)
    ).one()
    if not days:
        return None
    return float(total) / float(days)
