"""Save a meter's confirmed readings: supersede earlier ones of the period, move the meter on."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr import metrics
from ivr.flows import ReadingStatus, SaveMeter, consumption, regraded, status_for, too_high
from ivr.store import database
from ivr.store.directory import baseline, daily_uses
from ivr.store.models import Meter, Reading, utcnow


def save_meter(
    session: Session,
    save: SaveMeter,
    call_id: int | None,
    turn_ids: dict[int, int] | None = None,
    now: datetime | None = None,
    message_id: int | None = None,
    channel: str = "ivr",
) -> list[Reading]:
    """Record every zone of one meter at once; `turn_ids` maps a zone to the Turn it was given in.

    A text reading has no call: it names its message and channel instead.

    The previous value and the use are worked out here, under the meter's row lock, so they
    agree with each other even when another call saved the meter since the caller's answer.
    """
    now = now or utcnow()
    meter = session.get(Meter, save.meter_id, with_for_update=True)
    if meter is None:
        raise LookupError(f"meter {save.meter_id} is gone")
    saved = []
    history: dict[str, dict] = {}
    for zr in save.readings:
        previous, previous_on = baseline(session, meter, zr.zone, zr.period)
        used, rolled = consumption(previous, zr.value, meter.digits, save.rules)
        days = (now.date() - previous_on).days if previous_on else None
        high = None  # without a previous value there is no use to judge: the flow's flags stand
        if used is not None:
            # Judged again here, under the lock: another call may have moved the baseline since.
            if zr.period not in history:
                history[zr.period] = daily_uses(session, [meter.id], zr.period)
            daily = history[zr.period].get((meter.id, zr.zone))
            high = used > 0 and too_high(used, days, daily, save.rules)
        flags = regraded(zr.flags, used, rolled, high)
        supersede(session, meter.id, zr.zone, zr.period)
        reading = Reading(
            meter_id=meter.id,
            zone=zr.zone,
            value=zr.value,
            previous=previous,
            previous_on=previous_on,
            consumption=used,
            days=days,
            period=zr.period,
            status=status_for(flags, save.rules),
            flags=";".join(flags),
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
        meter.last_read_on = now.date()
    session.flush()
    return saved


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


def restore_last(session: Session, meter: Meter, zone: int, today: date | None = None) -> None:
    """Point the meter's last reading back at the newest accepted one (after a review)."""
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
        meter.last_read_on = today or newest.received_at.date()
