"""Readings stored by builds that counted days on the UTC date, judged again on the region's day.

Before one clock, the store took a reading's day, and the meter's `last_read_on`, from the UTC
date of `received_at`: every reading made 00:00-03:00 in Moscow, and more east of it, got its
`days` one short, sometimes a wrong HIGH, and a `last_read_on` a day early, which gave the next
reading a `previous_on` a day early and a day too many. Here each reading is
judged again as the hotline judges it now (`rejudge`, on the region's day of `received_at`,
against the stored previous reading and the history as it stood then), oldest first, so a later
reading's history already holds the corrected days.

What is corrected: `days` (and `previous_on`, where it is the UTC date of the reading compared
with), and the use and flags where they change. A reading's value, status and period are never
changed here: they may have been billed. A reading whose status or period
would differ is listed for a supervisor, its flags left as they are (they belong with them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from ivr.flows import ReadingStatus, Regions, Rules, ZoneInfo, rejudge
from ivr.store import audit
from ivr.store.directory import COUNTED
from ivr.store.models import Meter, Reading
from ivr.store.review import OPEN


@dataclass(frozen=True)
class Change:
    """One stored field judged again: applied, or (`held`) listed for a supervisor."""

    subject: str  # "reading 17 (M-1 zone 1)", "meter M-1": ids and serials, no personal data
    key: str  # the audit trail's subject: "reading:17", "meter:M-1"
    field: str
    old: object
    new: object
    held: bool = False

    def line(self) -> str:
        shown = f"{self.subject}: {self.field} {_shown(self.old)} -> {_shown(self.new)}"
        return f"{shown} (left for a supervisor)" if self.held else shown


def _shown(value: object) -> str:
    return "-" if value in (None, "") else str(value)


def run(
    sessions: sessionmaker,
    regions: Regions,
    rules: Rules,
    serials: tuple[str, ...],
    apply: bool,
    now: datetime,
    report: Callable[[Change], None],
) -> str:
    """Judge the meters again one by one, each in a short transaction of its own, and say the summary.

    With `apply`, each meter is locked as the hotline locks it, and its corrections and their audit
    events are committed together; a dry run takes no locks and writes nothing. Either way a meter's
    changes are reported once its transaction has ended: calls and texts save meanwhile.
    """
    with sessions() as s:
        chosen = meter_ids(s, serials)
    changes: list[Change] = []
    for meter_id in chosen:
        with sessions() as s:  # closed without a commit, it is rolled back
            found = recompute(s, regions, rules, meter_id, lock=apply)
            if apply:
                audited(s, found, now, "cli")
                s.commit()
        for change in found:
            report(change)
        changes += found
    done = summary(len(chosen), changes)
    if apply:
        with sessions() as s, s.begin():
            audit.record(s, now, "cli", "readings-recompute", "readings", new=done)
    return done


def meter_ids(session: Session, serials: tuple[str, ...] = ()) -> list[int]:
    """All meters, or those of `serials`, by id. A serial not found is a LookupError naming it."""
    query = select(Meter.id, Meter.serial).order_by(Meter.id)
    found = session.execute(query.where(Meter.serial.in_(serials)) if serials else query).all()
    missing = sorted(set(serials) - {serial for _, serial in found})
    if missing:
        raise LookupError(f"no meter with serial {', '.join(missing)}")
    return [meter_id for meter_id, _ in found]


def recompute(session: Session, regions: Regions, rules: Rules, meter_id: int, lock: bool) -> list[Change]:
    """Correct one meter and its readings in the session, and say what changed.

    `lock` takes the meter's row lock as `save_meter` does, for a run that writes; without it the
    reads are plain. Nothing is flushed here (the history is taken from the readings in memory), so
    a dry run, rolled back, has written nothing; a commit writes it all.
    """
    query = select(Meter).options(joinedload(Meter.account)).where(Meter.id == meter_id)
    with session.no_autoflush:
        meter = session.scalars(query.with_for_update(of=Meter) if lock else query).one()
        readings = session.scalars(
            select(Reading).where(Reading.meter_id == meter.id).order_by(Reading.received_at, Reading.id)
        ).all()
        changes = [c for r in readings for c in _reading(session, meter, r, readings, regions, rules)]
        return changes + _last_read_on(meter, readings, regions)


def _reading(
    session: Session, meter: Meter, r: Reading, readings: Sequence[Reading], regions: Regions, rules: Rules
) -> list[Change]:
    region = meter.account.region
    subject, key = f"reading {r.id} ({meter.serial} zone {r.zone})", f"reading:{r.id}"
    changes = []
    previous_on = _previous_on(session, meter, r, regions)
    if previous_on != r.previous_on:
        changes.append(Change(subject, key, "previous_on", r.previous_on, previous_on))
        r.previous_on = previous_on
    zone = ZoneInfo(r.zone, r.previous, r.previous_on, _daily_use(readings, r))
    day = regions.day(region, r.received_at)
    verdict = rejudge(r.value, r.flag_list, meter.digits, zone, day, regions.window(region), rules)
    if verdict.outcome != "accept":  # e.g. the display's digits changed by a later import
        return [*changes, Change(subject, key, "judgement", "accept", verdict.outcome, held=True)]
    if verdict.days != r.days:
        changes.append(Change(subject, key, "days", r.days, verdict.days))
        r.days = verdict.days
    judged = r.status in OPEN and r.reviewed_by is None  # a supervisor's decision stands
    held = (verdict.period != r.period) or (judged and verdict.status != r.status)
    found = [("period", r.period, verdict.period), ("status", r.status, verdict.status)] if held else []
    found += [
        ("consumption", r.consumption, verdict.consumption),
        ("flags", r.flags, ";".join(verdict.flags)),
    ]
    for field, old, new in found:
        if old != new:
            changes.append(Change(subject, key, field, old, new, held))
            if not held:
                setattr(r, field, new)
    return changes


def _daily_use(readings: Sequence[Reading], r: Reading) -> float | None:
    """`daily_uses` for `r`'s zone as it stood when `r` came, over the meter's readings in memory:
    the earlier ones already hold their corrected days, though nothing has been written."""
    history = [
        (h.consumption, h.days)
        for h in readings
        if h.zone == r.zone and h.status == ReadingStatus.ACCEPTED and h.period != r.period
        and h.consumption is not None and h.days is not None and h.days > 0 and h.received_at < r.received_at
    ]  # fmt: skip
    return float(sum(c for c, _ in history)) / sum(d for _, d in history) if history else None


def _previous_on(session: Session, meter: Meter, r: Reading, regions: Regions) -> date | None:
    """The region's day of the reading `r` was compared with, where the old build stored that
    reading's UTC date (the meter's `last_read_on` then); any other `previous_on` stays."""
    source = session.scalars(
        select(Reading)
        .where(Reading.meter_id == meter.id, Reading.zone == r.zone, Reading.value == r.previous)
        .where(Reading.received_at < r.received_at, Reading.period != r.period, Reading.status.in_(COUNTED))
        .order_by(Reading.received_at.desc(), Reading.id.desc())
        .limit(1)
    ).first()
    if source is None or r.previous_on != source.received_at.date():
        return r.previous_on
    return regions.day(meter.account.region, source.received_at)


def _last_read_on(meter: Meter, readings: list[Reading], regions: Regions) -> list[Change]:
    """The region's day of the newest accepted reading, where the old build stored its UTC date.

    Any other `last_read_on` came from an accounts import or a review, and stays.
    """
    accepted = [r for r in readings if r.status == ReadingStatus.ACCEPTED]
    if not accepted:
        return []
    newest = max(accepted, key=lambda r: (r.received_at, r.id))
    day = regions.day(meter.account.region, newest.received_at)
    if meter.last_read_on != newest.received_at.date() or meter.last_read_on == day:
        return []
    change = Change(f"meter {meter.serial}", f"meter:{meter.serial}", "last_read_on", meter.last_read_on, day)
    meter.last_read_on = day
    return [change]


def audited(session: Session, changes: list[Change], now: datetime, actor: str) -> None:
    """Record each applied change in the audit trail."""
    for c in changes:
        if not c.held:
            audit.record(session, now, actor, "recompute", c.key, f"{c.field}={c.old}", f"{c.field}={c.new}")


def summary(checked: int, changes: list[Change]) -> str:
    """One line: how much was (or would be) corrected, and how much waits for a supervisor."""
    applied = [c for c in changes if not c.held]
    readings = {c.subject for c in applied if c.subject.startswith("reading")}
    meters = {c.subject for c in applied if c.subject.startswith("meter")}
    held = {c.subject for c in changes if c.held}
    return (f"{checked} meter(s) checked: {len(readings)} reading(s) and {len(meters)} meter(s) corrected, "
            f"{len(held)} reading(s) left for a supervisor")  # fmt: skip
