"""Downloads: the calls and readings lists as CSV, with the filters on screen; and the billing export
of a period, as CSV for Excel or .xlsx."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable

from flask import Response, render_template, request, send_file
from flask_login import current_user
from sqlalchemy.orm import selectinload

from ivr.console import audit, outcomes
from ivr.console.blueprint import routes
from ivr.console.call_list import CALL_FILTERS, calls_query, counts, searched_number
from ivr.console.clock import ConsoleClock
from ivr.console.listing import Filters, day
from ivr.console.masking import Privacy, privacy
from ivr.console.parts import ConsoleParts
from ivr.console.readings import READING_FILTERS, readings_query
from ivr.console.review import subject
from ivr.console.roles import EXPORT, requires
from ivr.store.export_formats import EXCEL_CSV, XLSX
from ivr.store.models import Call, Reading
from ivr.store.readings_csv import HEADER as READINGS_HEADER
from ivr.store.readings_csv import export_readings
from ivr.store.readings_csv import row as reading_row
from ivr.store.spreadsheet import cell

CALLS_HEADER = [
    "call_sid",
    "started_at",
    "ended_at",
    "duration_s",
    "caller",
    "account",
    "address",
    "locale",
    "status",
    "outcome",
    "turns",
    "readings",
    "flags",
]
RECEIVED_AT = READINGS_HEADER.index("received_at")


def csv_response(clock: ConsoleClock, name: str, header: list[str], rows: Iterable[list]) -> Response:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([cell(v) for v in r] for r in rows)
    filename = f"{name}-{clock.local(clock.now()):%Y%m%d-%H%M}.csv"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def call_rows(parts: ConsoleParts, calls: list[Call], pd: Privacy) -> Iterable[list]:
    turns, readings = counts(parts.session(), [c.id for c in calls])
    for c in calls:
        taken = readings.get(c.id, [])
        flags = sorted({f for r in taken for f in r.flag_list})
        yield [
            c.sid,
            parts.clock.stamp(c.started_at),  # e.g. 2026-11-17T15:00:00+03:00: the zone goes with it
            parts.clock.stamp(c.ended_at),
            "" if c.duration_s is None else c.duration_s,
            pd.phone(c.caller_e164 or c.caller),
            c.account.number if c.account else "",
            pd.address(c.account.address) if c.account else "",
            c.locale,
            c.status,
            outcomes.shown(c) or "",
            turns.get(c.id, 0),
            len(taken),
            ";".join(flags),
        ]


@routes.get("/calls.csv")
def calls_csv(parts: ConsoleParts) -> Response:
    """Download the filtered calls; phone numbers and addresses masked unless unmasked."""
    f = Filters.parse(request.args, CALL_FILTERS)
    caller = searched_number(f)
    query = calls_query(parts.clock, f, caller).options(selectinload(Call.account))
    calls = list(parts.session().scalars(query))
    pd = privacy(parts, "export:calls", [f"call:{c.sid}" for c in calls], {**f.values, "caller": caller})
    return csv_response(parts.clock, "calls", CALLS_HEADER, call_rows(parts, calls, pd))


def reading_rows(clock: ConsoleClock, readings: Iterable[Reading], pd: Privacy) -> Iterable[list]:
    for r in readings:
        caller = (r.call.caller_e164 or r.call.caller) if r.call else None
        billing = reading_row(r)
        billing[RECEIVED_AT] = clock.stamp(r.received_at)
        yield [
            *billing,
            pd.address(r.meter.account.address),
            pd.phone(caller) if r.call else "",
        ]


@routes.get("/readings.csv")
def readings_csv(parts: ConsoleParts) -> Response:
    """Download the filtered readings in the billing export's columns, plus address and caller."""
    f = Filters.parse(request.args, READING_FILTERS)
    readings = list(parts.session().scalars(readings_query(parts.clock, f)).unique())
    pd = privacy(parts, "export:readings", [subject(r) for r in readings], f.values)
    header = [*READINGS_HEADER, "address", "caller"]
    return csv_response(parts.clock, "readings", header, reading_rows(parts.clock, readings, pd))


FORMATS = {"csv": EXCEL_CSV, "xlsx": XLSX}  # the console's CSV is for Excel: a BOM, ';' and CRLF


@routes.get("/readings/export")
@requires(EXPORT)
def billing_export(parts: ConsoleParts) -> Response | tuple[str, int] | str:
    """The form, or with ?format= the billing export of the days start..end (IVR_TIMEZONE), audited."""
    start, end, kind = (
        day(request.args.get("start")),
        day(request.args.get("end")),
        request.args.get("format"),
    )
    if kind is None:
        today = parts.clock.today()
        return render_template("console/export.html", start=today.replace(day=1), end=today, bad=False)
    if kind not in FORMATS or not start or not end or end < start:
        return render_template("console/export.html", start=start, end=end, bad=True), 400
    # Built before it is sent, so a download that failed half-way was never audited as done.
    out = tempfile.TemporaryFile()  # noqa: SIM115 - send_file closes it when it is sent
    count = export_readings(parts.session(), out, start, parts.clock.zone, FORMATS[kind], end)
    with parts.transaction() as s:
        audit.record(s, parts.clock.now(), current_user.name, "export", f"readings:{start}..{end}",
                     new=f"{count} readings", note=kind)  # fmt: skip
    out.seek(0)
    return send_file(out, mimetype=FORMATS[kind].mimetype, as_attachment=True,
                     download_name=f"readings-{start:%Y%m%d}-{end:%Y%m%d}.{kind}")  # fmt: skip
