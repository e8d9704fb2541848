"""Supervisor decisions on flagged readings: approve, correct or reject, each one audited."""

from __future__ import annotations

from datetime import datetime

from flask import has_app_context
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ivr.console import audit
from ivr.console.listing import REVIEW_FLAGS, has_flag
from ivr.flows.rules import Rules
from ivr.runtime import config
from ivr.store.models import Meter, Reading, utcnow
from ivr.store.readings import restore_last

OPEN = ("accepted", "pending_review")  # superseded and rejected readings are settled


class ReviewError(ValueError):
    """A decision that cannot be taken; the argument is the message key for the console."""


def subject(reading: Reading) -> str:
    return f"reading:{reading.id}"


def queue() -> Select:
    """Flagged readings that no supervisor has decided on yet, oldest first."""
    return (
        select(Reading)
        .where(Reading.status.in_(OPEN), Reading.reviewed_at.is_(None))
        .where(or_(*(has_flag(f) for f in REVIEW_FLAGS)))
        .order_by(Reading.received_at, Reading.id)
    )


def locked(session: Session, reading_id: int) -> Reading | None:
    """A reading and its meter, locked against a call saving the same meter meanwhile."""
    reading = session.get(Reading, reading_id, with_for_update=True)
    if reading is not None:
        session.get(Meter, reading.meter_id, with_for_update=True)
    return reading


def consumption(previous: int | None, value: int, digits: int) -> int | None:
    """Use since the previous reading, across a rollover of the display when there was one."""
    if previous is None:
        return None
    # The deployment's rules (IVR_RULE_*), as the hotline applied them when it took the reading.
    rules = config().rules if has_app_context() else Rules()
    used = value - previous
    span = 10**digits
    if used < 0 and previous >= rules.rollover_top * span and value <= rules.rollover_bottom * span:
        used += span
    return used


def approve(
    session: Session, reading: Reading, actor: str, note: str = "", now: datetime | None = None
) -> None:
    """Accept a reading as it is; one that waited for review now counts."""
    _settle(session, reading, actor, "approve", "accepted", note, now)


def reject(
    session: Session, reading: Reading, actor: str, note: str = "", now: datetime | None = None
) -> None:
    """Refuse a reading; the meter goes back to the last one that still counts."""
    _settle(session, reading, actor, "reject", "rejected", note, now)


def _settle(session: Session, reading: Reading, actor: str, action: str, status: str,
            note: str, now: datetime | None) -> None:  # fmt: skip
    old = _open(reading)
    reading.status = status
    _decided(session, reading, actor, now)
    audit.record(session, actor, action, subject(reading), old, reading.status, note)


def correct(
    session: Session,
    reading: Reading,
    actor: str,
    value: str,
    reason: str,
    now: datetime | None = None,
) -> None:
    """Replace a misheard value; the original stays in the audit trail."""
    _open(reading)
    digits = reading.meter.digits
    value = value.strip()
    if not value.isdigit() or len(value) > digits:
        raise ReviewError("review.bad_value")
    if not reason.strip():
        raise ReviewError("review.reason_needed")
    old = reading.value
    reading.value = int(value)
    reading.consumption = consumption(reading.previous, reading.value, digits)
    reading.status = "accepted"
    _decided(session, reading, actor, now)
    audit.record(session, actor, "correct", subject(reading), old, reading.value, reason.strip())


def _open(reading: Reading) -> str:
    if reading.status not in OPEN:
        raise ReviewError("review.settled")
    return reading.status


def _decided(session: Session, reading: Reading, actor: str, now: datetime | None) -> None:
    reading.reviewed_by = actor
    reading.reviewed_at = now or utcnow()
    session.flush()
    _follow(session, reading)


def _follow(session: Session, reading: Reading) -> None:
    """Point the meter's last value at the newest reading that counts after the decision."""
    meter = reading.meter
    counted = session.scalar(
        select(func.count())
        .select_from(Reading)
        .where(
            Reading.meter_id == meter.id, Reading.zone == reading.zone, Reading.status == "accepted"
        )
    )
    if counted:
        restore_last(session, meter, reading.zone)
    else:  # nothing the hotline took counts any more: back to what it was compared with
        meter.set_last(reading.zone, reading.previous)
        meter.last_read_on = reading.previous_on
