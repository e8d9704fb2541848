"""Readings export: the CSV a billing system loads."""
from __future__ import annotations

import csv
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import TextIO

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload

from ivr.store.models import Meter, Reading

HEADER = ["account", "meter", "zone", "value", "previous", "consumption", "received_at",
          "channel", "call_sid", "status", "flags"]  # fmt: skip


def readings_query(since: date | None = None) -> Select:
    """Readings in the order they came, optionally from a day on."""
    query = (
        select(Reading)
        .options(joinedload(Reading.meter).joinedload(Meter.account), joinedload(Reading.call))
        .order_by(Reading.received_at, Reading.id)
    )
    if since is not None:
        query = query.where(Reading.received_at >= datetime.combine(since, time.min))
    return query


def row(r: Reading) -> list:
    return [
        r.meter.account.number,
        r.meter.serial,
        f"T{r.zone}",
        r.value,
        "" if r.previous is None else r.previous,
        "" if r.consumption is None else r.consumption,
        r.received_at.replace(microsecond=0).isoformat(),
        r.channel,
        r.call.sid if r.call else "",
        r.status,
        r.flags,
    ]


def write(out: TextIO, readings: Iterable[Reading]) -> int:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    count = 0
    for r in readings:
        writer.writerow(row(r))
        count += 1
    return count


def export_readings(session: Session, out: TextIO, since: date | None = None) -> int:
    """Write every reading (from `since` on) as CSV; return how many."""
    return write(out, session.scalars(readings_query(since)))
