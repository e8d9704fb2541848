"""Readings export: the CSV a billing system loads."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, tzinfo
from typing import TextIO

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from ivr.store.models import Meter, Reading
from ivr.store.spreadsheet import cell

HEADER = ["account", "meter", "zone", "value", "previous", "consumption", "received_at",
          "channel", "call_sid", "status", "flags"]  # fmt: skip


def readings_query(since: date | None = None, tz: tzinfo = UTC) -> Select:
    """Readings in the order they came, optionally from a day of the zone `tz` on."""
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
        # Stored times are naive UTC; the day starts at midnight of the utility's calendar.
        start = datetime.combine(since, time.min, tzinfo=tz).astimezone(UTC)
        query = query.where(Reading.received_at >= start.replace(tzinfo=None))
    return query


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


def write(out: TextIO, readings: Iterable[Reading], tz: tzinfo = UTC) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    count = 0
    for r in readings:
        # Meter serials come from the operator's file: a "=HYPERLINK(...)" one must stay text.
        writer.writerow([cell(v) for v in row(r, tz)])
        count += 1
    return count


def export_readings(session: Session, out: TextIO, since: date | None = None,
                    tz: tzinfo = UTC) -> int:  # fmt: skip
    """Write every reading (from the day `since` of the zone `tz` on) as CSV; return how many."""
    return write(out, session.scalars(readings_query(since, tz)), tz)
