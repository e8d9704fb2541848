"""Supervisor decisions on flagged readings: approve, correct or reject, each one audited."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ivr.flows import Flag, ReadingStatus, Regions, Rules, ZoneInfo, rejudge
from ivr.store import audit
from ivr.store.directory import daily_uses
from ivr.store.models import Meter, Reading
from ivr.store.readings import restore_last

# Superseded and rejected readings are settled; these still take a decision.
OPEN = (ReadingStatus.ACCEPTED, ReadingStatus.PENDING_REVIEW)


class ReviewError(ValueError):
    """A decision that cannot be taken; the argument is the message key for the console."""


def decidable(reading: Reading) -> bool:
    """Whether a reading still takes a decision: open, and no supervisor has decided on it yet."""
    return reading.status in OPEN and reading.reviewed_at is None


def subject(reading: Reading) -> str:
    return f"reading:{reading.id}"


def locked(session: Session, reading_id: int) -> Reading | None:
    """A reading and its meter, locked against a call saving the same meter meanwhile."""
    reading = session.get(Reading, reading_id, with_for_update=True)
    if reading is not None:
        session.get(Meter, reading.meter_id, with_for_update=True)
    return reading


def approve(
    session: Session, reading: Reading, actor: str, note: str, now: datetime, regions: Regions
) -> None:
    """Accept a reading as it is; one that waited for review now counts."""
    _settle(session, reading, actor, "approve", ReadingStatus.ACCEPTED, note, now, regions)


def reject(
    session: Session, reading: Reading, actor: str, note: str, now: datetime, regions: Regions
) -> None:
    """Refuse a reading; the meter goes back to the last one that still counts."""
    _settle(session, reading, actor, "reject", ReadingStatus.REJECTED, note, now, regions)


def _settle(session: Session, reading: Reading, actor: str, action: str, status: str,
            note: str, now: datetime, regions: Regions) -> None:  # fmt: skip
    old = _open(reading)
    reading.status = status
    _decided(session, reading, actor, now, regions)
    audit.record(session, now, actor, action, subject(reading), old, reading.status, note)


def correct(session: Session, reading: Reading, actor: str, value: str, reason: str, rules: Rules,
            now: datetime, regions: Regions) -> None:  # fmt: skip
    """Replace a misheard value, judged again as the hotline judges a reading (on the day it came
    in, against the same previous one), and accepted: the supervisor decided.

    The original value stays in the audit trail.
    """
    _open(reading)
    meter = reading.meter
    value = value.strip()
    if not (value.isascii() and value.isdigit()) or len(value) > meter.digits:
        raise ReviewError("review.bad_value")
    if not reason.strip():
        raise ReviewError("review.reason_needed")
    old = reading.value
    region = meter.account.region
    daily = daily_uses(session, [reading.meter_id], reading.period).get((reading.meter_id, reading.zone))
    zone = ZoneInfo(reading.zone, reading.previous, reading.previous_on, daily)
    day = regions.day(region, reading.received_at)
    told = [*reading.flag_list, Flag.NEGATIVE]  # a lower value is the supervisor's to insist on
    verdict = rejudge(int(value), told, meter.digits, zone, day, regions.window(region), rules)
    reading.value = verdict.value
    reading.consumption = verdict.consumption
    reading.flags = ";".join(verdict.flags)
    reading.status = ReadingStatus.ACCEPTED
    _decided(session, reading, actor, now, regions)
    audit.record(session, now, actor, "correct", subject(reading), old, reading.value, reason.strip())


def _open(reading: Reading) -> str:
    if not decidable(reading):
        raise ReviewError("review.settled")
    return reading.status


def _decided(session: Session, reading: Reading, actor: str, now: datetime, regions: Regions) -> None:
    reading.reviewed_by = actor
    reading.reviewed_at = now
    session.flush()
    _follow(session, reading, regions)


def _follow(session: Session, reading: Reading, regions: Regions) -> None:
    """Point the meter's last value at the newest reading that counts after the decision."""
    meter = reading.meter
    counted = session.scalar(
        select(func.count())
        .select_from(Reading)
        .where(
            Reading.meter_id == meter.id,
            Reading.zone == reading.zone,
            Reading.status == ReadingStatus.ACCEPTED,
        )
    )
    if counted:
        restore_last(session, meter, reading.zone, regions)
    else:  # nothing the hotline took counts any more: back to what it was compared with
        meter.set_last(reading.zone, reading.previous)
        meter.last_read_on = reading.previous_on
