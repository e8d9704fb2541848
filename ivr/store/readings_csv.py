"""Readings export: the file a billing system loads, as CSV or .xlsx."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import BinaryIO

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from ivr.clock import day_start, local
from ivr.store.export_formats import CSV, ExportFormat, write_table
from ivr.store.models import Account, Call, Message, Meter, Reading

HEADER = ["account", "meter", "zone", "value", "previous", "consumption", "received_at",
          "channel", "call_sid", "status", "flags"]  # fmt: skip


def billing_query(since: date | None = None, tz: tzinfo = UTC, until: date | None = None) -> Select:
    """The export's values, in the order the readings came, of the days `since`..`until` of `tz`.

    Plain columns, not ORM objects: a billing period holds a million readings.
    """
    query = (
        select(Account.number, Meter.serial, Reading.zone, Reading.value, Reading.previous,
               Reading.consumption, Reading.received_at, Reading.channel,
               func.coalesce(Call.sid, Message.external_id, ""), Reading.status, Reading.flags)
        .join(Reading.meter)
        .join(Meter.account)
        .outerjoin(Reading.call)
        .outerjoin(Reading.message)
        .order_by(Reading.received_at, Reading.id)
    )  # fmt: skip
    if since is not None:
        query = query.where(Reading.received_at >= day_start(since, tz))
    if until is not None:
        query = query.where(Reading.received_at < day_start(until + timedelta(days=1), tz))
    return query


def row(r: Reading, tz: tzinfo = UTC) -> list:
    """One reading's cells."""
    return cells(r.meter.account.number, r.meter.serial, r.zone, r.value, r.previous, r.consumption,
                 r.received_at, r.channel, source_id(r), r.status, r.flags, tz=tz)  # fmt: skip


def cells(account: str, serial: str, zone: int, value: int, previous: int | None, consumption: int | None,
          received_at: datetime, channel: str, source: str, status: str, flags: str, tz: tzinfo = UTC) -> list:  # fmt: skip
    """The export's cells; received_at in ISO 8601 with the offset of `tz`, so it is never ambiguous."""
    received = local(received_at.replace(microsecond=0), tz)
    return [account, serial, f"T{zone}", value, "" if previous is None else previous,
            "" if consumption is None else consumption, received.isoformat(), channel, source, status, flags]  # fmt: skip


def source_id(r: Reading) -> str:
    """The call_sid column: the call's CallSid, or a text reading's message id (Twilio's MessageSid,
    or the e-mail's Message-ID)."""
    if r.call is not None:
        return r.call.sid
    return r.message.external_id if r.message is not None else ""


def export_readings(session: Session, out: BinaryIO, since: date | None = None, tz: tzinfo = UTC,
                    fmt: ExportFormat = CSV, until: date | None = None) -> int:  # fmt: skip
    """Write every reading (of the days `since`..`until` of the zone `tz`) in the format; return how many."""
    query = billing_query(since, tz, until).execution_options(yield_per=1000)  # memory flat
    return write_table(
        out, HEADER, (cells(*values, tz=tz) for values in session.execute(query)), fmt, "readings"
    )
