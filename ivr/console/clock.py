"""The console's view of the app's one clock: times are stored in UTC, supervisors see them in the
utility's zone (IVR_TIMEZONE), labelled."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

from ivr import clock
from ivr.runtime import runtime


def zone() -> tzinfo:
    return runtime().clock.utility


def now() -> datetime:
    return runtime().clock.now()


def local(moment: datetime) -> datetime:
    """A stored time as the utility's clocks showed it."""
    return clock.local(moment, zone())


def shown(moment: datetime | None, form: str = "%d.%m.%Y %H:%M:%S") -> str:
    """A stored time for a page, in the utility's zone."""
    return "—" if moment is None else local(moment).strftime(form)


def stamp(moment: datetime | None) -> str:
    """A stored time for a CSV file: ISO 8601 in the utility's zone, with its UTC offset."""
    return "" if moment is None else local(moment.replace(microsecond=0)).isoformat()


def day_start(day: date) -> datetime:
    """The stored (naive UTC) time at which a day of the utility's calendar begins."""
    return clock.day_start(day, zone())


def today() -> date:
    return runtime().clock.today()


def label() -> str:
    """The zone as supervisors know it: 'Europe/Moscow (MSK, UTC+3)'."""
    now = local(runtime().clock.now())
    minutes = int(now.utcoffset().total_seconds() // 60)
    offset = f"UTC{'+' if minutes >= 0 else '-'}{abs(minutes) // 60}"
    offset += f":{abs(minutes) % 60:02d}" if minutes % 60 else ""
    name = now.tzname() or ""
    key = getattr(zone(), "key", str(zone()))
    return f"{key} ({name}, {offset})" if name[:1].isalpha() else f"{key} ({offset})"
