"""The dashboard: how the hotline did over a period."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask import render_template, request
from sqlalchemy import case, extract, func, select
from sqlalchemy.orm import Session

from ivr.channels import TRAITS
from ivr.console import charts
from ivr.console import outcomes as call_outcomes
from ivr.console.blueprint import routes
from ivr.console.clock import ConsoleClock
from ivr.console.i18n import translate
from ivr.console.listing import day, within
from ivr.console.parts import ConsoleParts
from ivr.flows import Channel, ReadingStatus, question_order
from ivr.store.models import Call, Reading, Turn

DEFAULT_DAYS = 30
LONGEST_DAYS = 366  # one bar a day stays readable up to a year
NO_MATCH = ("no-match", "no-audio", "bad-audio", "no-model")
CURRENT = Reading.status != ReadingStatus.SUPERSEDED  # a superseded reading was given again: count it once


@dataclass
class Step:
    """How callers fared at one question."""

    question: str
    asked: int = 0
    no_input: int = 0
    no_match: int = 0
    keypad: int = 0
    transfer: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # transfers here by why, most first

    def share(self, count: int) -> float:
        return count / self.asked if self.asked else 0.0


@dataclass
class Summary:
    """The figures of one period."""

    calls: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    duration: float | None = None
    confidence: float | None = None
    funnel: list[Step] = field(default_factory=list)
    per_day: list[tuple[date, int]] = field(default_factory=list)
    channels: dict[str, int] = field(default_factory=dict)  # readings per channel, every channel listed

    def rate(self, outcome: str) -> float:
        return self.outcomes.get(outcome, 0) / self.calls if self.calls else 0.0


def period(args, today: date) -> tuple[date, date]:  # noqa: ANN001
    """The chosen days of the utility's calendar, both included; the last 30 days by default."""
    end = day(args.get("end")) or today
    start = day(args.get("start")) or end - timedelta(days=DEFAULT_DAYS - 1)
    start, end = (start, end) if start <= end else (end, start)
    return max(start, end - timedelta(days=LONGEST_DAYS - 1)), end


def summarise(s: Session, clock: ConsoleClock, start: date, end: date) -> Summary:
    """Count calls, outcomes, durations, confidence and the per-question funnel."""
    in_period = within(clock, Call.started_at, start, end)
    outcome = call_outcomes.column()
    outcomes = dict(s.execute(select(outcome, func.count()).where(*in_period).group_by(outcome)).all())
    summary = Summary(calls=sum(outcomes.values()), outcomes=outcomes)
    summary.duration = s.scalar(select(func.avg(Call.duration_s)).where(*in_period))
    turns = select(Turn).join(Call).where(*in_period).subquery()
    summary.confidence = s.scalar(select(func.avg(turns.c.confidence)))
    summary.funnel = funnel(s, turns)
    summary.per_day = readings_per_day(s, clock, start, end)
    summary.channels = readings_per_channel(s, clock, start, end)
    return summary


def funnel(s: Session, turns) -> list[Step]:  # noqa: ANN001
    """No-input, no-match, keypad answers and transfers per question, in the flow's order."""

    def count(condition):  # noqa: ANN001, ANN202
        return func.sum(case((condition, 1), else_=0))

    rows = s.execute(
        select(
            turns.c.question,
            func.count(),
            count(turns.c.outcome == "no-input"),
            count(turns.c.outcome.in_(NO_MATCH)),
            count(turns.c.outcome == "keys"),
            count(turns.c.decision == "transfer"),
        ).group_by(turns.c.question)
    ).all()
    steps = {q: Step(q, *(int(n or 0) for n in rest)) for q, *rest in rows}
    for question, reason, n in transfer_reasons(s, turns):
        steps[question].reasons[reason or "unknown"] = n
    known = question_order()
    order = [q for q in known if q in steps] + sorted(q for q in steps if q not in known)
    return [steps[q] for q in order]


def transfer_reasons(s: Session, turns) -> list[tuple[str, str | None, int]]:  # noqa: ANN001
    """Transfers per question and the reason stored on their call, most frequent first."""
    n = func.count().label("n")
    return s.execute(
        select(turns.c.question, Call.end_reason, n)
        .join(Call, Call.id == turns.c.call_id)
        .where(turns.c.decision == "transfer")
        .group_by(turns.c.question, Call.end_reason)
        .order_by(n.desc(), Call.end_reason.asc().nulls_last())
    ).all()


def readings_per_day(s: Session, clock: ConsoleClock, start: date, end: date) -> list[tuple[date, int]]:
    """Current readings received on each day of the utility's calendar, days without any included.

    Counted per UTC hour, then each hour put on its local day: exact for every zone a whole number
    of hours from UTC, as all of Russia's are.
    """
    utc_day, hour = func.date(Reading.received_at), extract("hour", Reading.received_at)
    rows = s.execute(
        select(utc_day, hour, func.count())
        .where(CURRENT, *within(clock, Reading.received_at, start, end))
        .group_by(utc_day, hour)
    ).all()
    counts: Counter[date] = Counter()
    for utc, at, n in rows:
        moment = datetime.combine(date.fromisoformat(str(utc)), time(int(at)))
        counts[clock.local(moment).date()] += n
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    return [(d, counts[d]) for d in days]


def readings_per_channel(s: Session, clock: ConsoleClock, start: date, end: date) -> dict[str, int]:
    """Current readings received by voice and by each text channel in the period."""
    rows = s.execute(
        select(Reading.channel, func.count())
        .where(CURRENT, *within(clock, Reading.received_at, start, end))
        .group_by(Reading.channel)
    ).all()
    return {**dict.fromkeys((Channel.IVR, *TRAITS), 0), **dict(rows)}


@routes.get("/dashboard")
def dashboard(parts: ConsoleParts) -> str:
    """Show the period's figures and charts."""
    start, end = period(request.args, parts.clock.today())
    summary = summarise(parts.session(), parts.clock, start, end)
    series = [(d.strftime("%d.%m"), n) for d, n in summary.per_day]
    title = translate(
        "dashboard.chart", start=f"{start:%d.%m.%Y}", end=f"{end:%d.%m.%Y}", total=sum(n for _, n in series)
    )
    drawn = [charts.bars(series, title, width) for width in (charts.WIDE, charts.NARROW)]
    return render_template("console/dashboard.html", start=start, end=end, s=summary, charts=drawn)
