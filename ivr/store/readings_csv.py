"""Readings export: the file a billing system loads, as CSV or .xlsx."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import BinaryIO

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from ivr.store.export_formats import CSV, ExportFormat, write_table
from ivr.store.models import Meter, Reading

HEADER = ["account", "meter", "zone", "value", "previous", "consumption", "received_at",
          "channel", "call_sid", "status", "flags"]  # fmt: skip


def readings_query(since: date | None = None, tz: tzinfo = UTC, until: date | None = None) -> Select:
    """Readings in the order they came, optionally from a day of the zone `tz` on, and up to one."""
    query = (
        select(Reading)
        .options(
            joinedload(Reading.meter).joinedload(Meter.account),
            joinedload(Reading.call),
            joinedload(Reading.message),
        )  # fmt: skip
        .order_by(Reading.received_at, Reading.id)
    )
    if since is not None:
        query = query.where(Reading.received_at >= day_start(since, tz))
    if until is not None:
        query = query.where(Reading.received_at < day_start(until + timedelta(days=1), tz))
    return query


def day_start(day: date, tz: tzinfo) -> datetime:
    """Stored times are naive UTC; a day starts at midnight of the utility's calendar."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def row(r: Reading, tz: tzinfo = UTC) -> list:
    """One reading's cells; received_at in ISO 8601 with the offset of `tz`, so it is never ambiguous."""
    received = r.received_at.replace(microsecond=0, tzinfo=UTC).astimezone(tz)
    return [
        r.meter.account.number,
        r.meter.serial,
        f"T{r.zone}",
        r.value,
        "" if r.previous is None else r.previous,
        "" if r.consumption is None else r.consumption,
        received.isoformat(),
        r.channel,
        source_id(r),
        r.status,
        r.flags,
    ]


def source_id(r: Reading) -> str:
    """The call_sid column: the call's CallSid, or a text reading's message id (Twilio's MessageSid,
    or the e-mail's Message-ID)."""
    if r.call is not None:
        return r.call.sid
    return r.message.external_id if r.message is not None else ""


def export_readings(session: Session, out: BinaryIO, since: date | None = None, tz: tzinfo = UTC,
                    fmt: ExportFormat = CSV, until: date | None = None) -> int:  # fmt: skip
    """Write every reading (of the days `since`..`until` of the zone `tz`) in the format; return how many."""
    query = readings_query(since, tz, until).execution_options(yield_per=1000)  # memory flat
    return write_table(out, HEADER, (row(r, tz) for r in session.scalars(query)), fmt, "readings")
