"""Save a meter's confirmed readings: supersede earlier ones of the period, move the meter on."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ivr import metrics
from ivr.flows import Judgement, ReadingStatus, Regions, SaveMeter, ZoneInfo, ZoneReading, heard, rejudge
from ivr.store import database
from ivr.store.directory import baseline, daily_uses
from ivr.store.models import Meter, Reading


class VerdictChanged(Exception):  # noqa: N818 - an outcome the service answers, not a failure
    """Another call or message saved the meter since this reading was read back, and the verdict
    is no longer the one the caller heard: nothing is stored, the caller is asked again."""

    def __init__(self, meter_id: int, zone: int, verdict: Judgement) -> None:
        super().__init__(f"meter {meter_id} zone {zone}: the verdict changed to {verdict.heard}")
        self.meter_id, self.zone, self.verdict = meter_id, zone, verdict


def save_meter(
    session: Session,
    save: SaveMeter,
    regions: Regions,
    now: datetime,
    call_id: int | None = None,
    turn_ids: dict[int, int] | None = None,
    message_id: int | None = None,
    channel: str = "ivr",
) -> list[Reading]:
    """Record every zone of one meter at once; `turn_ids` maps a zone to the Turn it was given in.

    A text reading has no call: it names its message and channel instead. Each zone is judged
    again here, under the meter's row lock, on the region's day at `now`: its previous value, use
    and flags agree with each other even when another call saved the meter since the read-back.
    A verdict other than the one read back raises VerdictChanged.
    """
    # The meter's row lock, and its account's region in the same statement.
    locked = select(Meter).options(joinedload(Meter.account)).where(Meter.id == save.meter_id)
    meter = session.scalars(locked.with_for_update(of=Meter)).first()
    if meter is None:
        raise LookupError(f"meter {save.meter_id} is gone")
    region = meter.account.region
    day = regions.day(region, now)
    window = regions.window(region)
    # The history is the meter's, one query per period for all its zones.
    history = {
        period: daily_uses(session, [meter.id], period) for period in {zr.period for zr in save.readings}
    }
    verdicts = [
        (zr, _judged(session, meter, zr, save, history[zr.period], day, window)) for zr in save.readings
    ]
    saved = []
    for zr, (verdict, previous, previous_on) in verdicts:
        supersede(session, meter.id, zr.zone, zr.period)
        reading = Reading(
            meter_id=meter.id,
            zone=zr.zone,
            value=zr.value,
            previous=previous,
            previous_on=previous_on,
            consumption=verdict.consumption,
            days=verdict.days,
            period=verdict.period,
            status=verdict.status,
            flags=";".join(verdict.flags),
            confidence=zr.confidence,
            received_at=now,
            call_id=call_id,
            turn_id=(turn_ids or {}).get(zr.zone),
            message_id=message_id,
            channel=channel,
        )
        session.add(reading)
        saved.append(reading)
        if reading.status == ReadingStatus.ACCEPTED:
            meter.set_last(zr.zone, zr.value)
    stored = [(r.channel, r.status, r.flag_list) for r in saved]
    database.after_commit(session, lambda: [metrics.reading_stored(*r) for r in stored])
    if any(r.status == ReadingStatus.ACCEPTED for r in saved):
        meter.last_read_on = day
    session.flush()
    return saved


def _judged(session: Session, meter: Meter, zr: ZoneReading, save: SaveMeter, history: dict, day: date,
            window: tuple[int, int]) -> tuple[Judgement, int | None, date | None]:  # fmt: skip
    previous, previous_on = baseline(session, meter, zr.zone, zr.period)
    zone = ZoneInfo(zr.zone, previous, previous_on, history.get((meter.id, zr.zone)))
    verdict = rejudge(zr.value, zr.flags, meter.digits, zone, day, window, save.rules)
    if verdict.heard != heard(zr.flags, zr.period, zr.use, save.rules):
        raise VerdictChanged(meter.id, zr.zone, verdict)
    return verdict, previous, previous_on


def supersede(session: Session, meter_id: int, zone: int, period: str) -> None:
    """Keep earlier readings of the same period, marked as replaced."""
    for old in session.scalars(
        select(Reading).where(
            Reading.meter_id == meter_id,
            Reading.zone == zone,
            Reading.period == period,
            Reading.status.in_((ReadingStatus.ACCEPTED, ReadingStatus.PENDING_REVIEW)),
        )
    ):
        old.status = ReadingStatus.SUPERSEDED


def restore_last(session: Session, meter: Meter, zone: int, regions: Regions) -> None:
    """Point the meter's last reading back at the newest accepted one (after a review), read on
    its region's day."""
    newest = session.scalars(
        select(Reading)
        .where(
            Reading.meter_id == meter.id,
            Reading.zone == zone,
            Reading.status == ReadingStatus.ACCEPTED,
        )
        .order_by(Reading.received_at.desc(), Reading.id.desc())
    ).first()
    if newest is not None:
        meter.set_last(zone, newest.value)
        meter.last_read_on = regions.day(meter.account.region, newest.received_at)
