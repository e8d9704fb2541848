"""Readings: the review queue, any reading with its history, and the supervisor's decisions."""

from __future__ import annotations

from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload
from werkzeug.wrappers import Response

from ivr.console import audit, review
from ivr.console.audio import audible
from ivr.console.blueprint import ROW_ID, routes
from ivr.console.clock import ConsoleClock
from ivr.console.i18n import translate
from ivr.console.listing import FLAGS, Filters, day, has_flag, number, paginate, within
from ivr.console.masking import privacy
from ivr.console.parts import ConsoleParts
from ivr.console.roles import REVIEW, requires
from ivr.flows import ReadingStatus
from ivr.store.models import Account, Meter, Reading

STATUSES = tuple(ReadingStatus)
SHOWN = {"queue": review.queue, "flagged": review.flagged}  # any other `show` lists every reading
READING_FILTERS = ("show", "start", "end", "status", "flag", "account", "unmask")
HISTORY = 6


def readings_query(clock: ConsoleClock, f: Filters) -> Select:
    """The review queue (by default), the flagged accepted readings or all readings, narrowed by the
    filters."""
    shown = SHOWN.get(f.get("show", "queue"))
    query = shown() if shown else select(Reading).order_by(Reading.received_at.desc(), Reading.id.desc())
    query = query.join(Reading.meter).join(Meter.account)
    query = query.options(joinedload(Reading.meter).joinedload(Meter.account), joinedload(Reading.call))
    query = query.where(*within(clock, Reading.received_at, day(f.get("start")), day(f.get("end"))))
    if f.get("status") in STATUSES:
        query = query.where(Reading.status == f.get("status"))
    if f.get("flag") in FLAGS:
        query = query.where(has_flag(f.get("flag")))
    if f.get("account"):
        query = query.where(Account.number.startswith(f.get("account"), autoescape=True))
    return query


@routes.get("/readings")
def readings(parts: ConsoleParts) -> str:
    """List the readings waiting for review, or all readings."""
    f = Filters.parse(request.args, READING_FILTERS)
    page = paginate(parts.session(), readings_query(parts.clock, f), number(request.args.get("page")))
    pd = privacy(parts, "readings", [review.subject(r) for r in page.items], f.values)
    return render_template("console/readings.html", page=page, f=f, pd=pd, statuses=STATUSES, flags=FLAGS)


def history(s: Session, reading: Reading) -> list[Reading]:
    """The latest readings of the same meter and zone, this one included."""
    query = (
        select(Reading)
        .where(Reading.meter_id == reading.meter_id, Reading.zone == reading.zone)
        .order_by(Reading.received_at.desc(), Reading.id.desc())
        .limit(HISTORY)
    )
    return list(s.scalars(query))


@routes.get(f"/readings/<{ROW_ID}:reading_id>")
def reading(parts: ConsoleParts, reading_id: int) -> str:
    """Show one reading: values, history, the turn it came from, the decisions taken."""
    found = parts.session().get(Reading, reading_id) or abort(404)
    pd = privacy(parts, review.subject(found), [review.subject(found)])
    trail = audit.trail(parts.session(), review.subject(found))
    return render_template(
        "console/reading.html",
        reading=found,
        pd=pd,
        trail=trail,
        history=history(parts.session(), found),
        decidable=review.decidable(found),
        audible=partial(audible, parts.recordings()),
    )


@routes.post(f"/readings/<{ROW_ID}:reading_id>/<any(approve, correct, reject):decision>")
@requires(REVIEW)
def decide(parts: ConsoleParts, reading_id: int, decision: str) -> Response:
    """Approve, correct or reject a reading, then go back to it."""
    form = request.form
    if not form.get("value", "").isascii():
        abort(400)  # '²' or '٣' pass isdigit(); the form's numeric field sends ASCII digits only
    try:
        with parts.transaction() as s:
            found = review.locked(s, reading_id) or abort(404)
            if decision == "correct":
                review.correct(
                    parts, s, found, current_user.name, form.get("value", ""), form.get("reason", "")[:500]
                )
            else:
                getattr(review, decision)(parts, s, found, current_user.name, form.get("note", "")[:500])
    except review.ReviewError as e:
        flash(translate(str(e)), "error")
        return redirect(url_for("console.reading", reading_id=reading_id), 303)
    flash(translate(f"review.done.{decision}"), "ok")
    return redirect(url_for("console.reading", reading_id=reading_id), 303)
