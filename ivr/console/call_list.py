"""The calls list: filters, sorting, pagination."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, session, url_for
from sqlalchemy import Select, exists, func, or_, select
from sqlalchemy.orm import Session, selectinload
from werkzeug.wrappers import Response

from ivr.console import outcomes
from ivr.console.blueprint import routes
from ivr.console.clock import ConsoleClock
from ivr.console.listing import FLAGS, Filters, day, has_flag, number, paginate, within
from ivr.console.masking import privacy
from ivr.console.parts import ConsoleParts
from ivr.console.roles import UNMASK, may
from ivr.store.models import Account, Call, Reading, Turn

# by_number=1: filter by the caller number kept in the session. The number itself never goes into
# a URL, where access logs and browser histories would keep it.
CALL_FILTERS = (
    "start", "end", "outcome", "flag", "account", "by_number", "sort", "order", "unmask"
)  # fmt: skip
NUMBER = "calls_number"
SORTS = {"time": Call.started_at, "duration": Call.duration_s}


def digits(text: str) -> str:
    return "".join(c for c in text if "0" <= c <= "9")[:20]


def searched_number(f: Filters) -> str:
    """The caller number the list is filtered by, if any; only those who may unmask search by it."""
    found = session.get(NUMBER, "") if f.get("by_number") else ""
    if found and not may(UNMASK):
        abort(403)  # a search by number would confirm a masked number digit by digit
    return found


def calls_query(clock: ConsoleClock, f: Filters, caller: str = "") -> Select:
    """The calls that match the filters and the caller number, in the chosen order."""
    query = select(Call).outerjoin(Account, Call.account_id == Account.id)
    query = query.where(*within(clock, Call.started_at, day(f.get("start")), day(f.get("end"))))
    if f.get("outcome") in outcomes.OUTCOMES:
        query = query.where(outcomes.column() == f.get("outcome"))
    if f.get("flag") in FLAGS:
        query = query.where(exists().where(Reading.call_id == Call.id, has_flag(f.get("flag"))))
    if f.get("account"):
        query = query.where(Account.number.startswith(f.get("account"), autoescape=True))
    if caller:
        query = query.where(or_(Call.caller_e164.contains(caller), Call.caller.contains(caller)))
    column = SORTS.get(f.get("sort"), Call.started_at)
    ordered = column.asc() if f.get("order") == "asc" else column.desc()
    return query.order_by(ordered.nulls_last(), Call.id.desc())


def counts(s: Session, call_ids: list[int]) -> tuple[dict[int, int], dict[int, list[Reading]]]:
    """Turns per call and the readings of each call, for one page of calls."""
    turns = dict(
        s.execute(
            select(Turn.call_id, func.count()).where(Turn.call_id.in_(call_ids)).group_by(Turn.call_id)
        ).all()
    )
    readings: dict[int, list[Reading]] = {}
    for r in s.scalars(select(Reading).where(Reading.call_id.in_(call_ids)).order_by(Reading.id)):
        readings.setdefault(r.call_id, []).append(r)
    return turns, readings


@routes.get("/")
def index(parts: ConsoleParts) -> Response:
    """The console opens on the calls list."""
    return redirect(url_for("console.calls"))


@routes.get("/calls")
def calls(parts: ConsoleParts) -> str:
    """List calls, newest first, masked unless asked otherwise."""
    f = Filters.parse(request.args, CALL_FILTERS)
    caller = searched_number(f)
    query = calls_query(parts.clock, f, caller).options(selectinload(Call.account))
    page = paginate(parts.session(), query, number(request.args.get("page")))
    pd = privacy(parts, "calls", [f"call:{c.sid}" for c in page.items], {**f.values, "caller": caller})
    turns, readings = counts(parts.session(), [c.id for c in page.items])
    return render_template(
        "console/calls.html",
        page=page,
        f=f,
        pd=pd,
        caller=caller,
        turns=turns,
        readings=readings,
        outcomes=outcomes.OUTCOMES,
        flags=FLAGS,
    )


@routes.post("/calls")
def search_calls(parts: ConsoleParts) -> Response:
    """Take the filter form: the caller number into the session, the rest into the list's URL."""
    f = Filters.parse(request.form, CALL_FILTERS)
    caller = digits(request.form.get("caller", ""))
    if caller and not may(UNMASK):
        abort(403)
    if caller:
        session[NUMBER] = caller
    else:
        session.pop(NUMBER, None)
    return redirect(url_for("console.calls", **f.link(by_number=1 if caller else None)), 303)
