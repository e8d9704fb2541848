"""The utility's time zone (IVR_TIMEZONE): times are stored in UTC, supervisors see local ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from ivr.runtime import config
from ivr.store.models import utcnow


def zone() -> ZoneInfo:
    return config().timezone


def local(moment: datetime) -> datetime:
    """A stored time as the utility's clocks showed it."""
    return moment.replace(tzinfo=UTC).astimezone(zone())


def shown(moment: datetime | None, form: str = "%d.%m.%Y %H:%M:%S") -> str:
    """A stored time for a page, in the utility's zone."""
    return "—" if moment is None else local(moment).strftime(form)


def stamp(moment: datetime | None) -> str:
    """A stored time for a CSV file: ISO 8601 in the utility's zone, with its UTC offset."""
    return "" if moment is None else local(moment.replace(microsecond=0)).isoformat()


def day_start(day: date) -> datetime:
    """The stored (naive UTC) time at which a day of the utility's calendar begins."""
    return datetime.combine(day, time.min, zone()).astimezone(UTC).replace(tzinfo=None)


def today() -> date:
    return local(utcnow()).date()


def label() -> str:
    """The zone as supervisors know it: 'Europe/Moscow (MSK, UTC+3)'."""
    now = local(utcnow())
    minutes = int(now.utcoffset().total_seconds() // 60)
    offset = f"UTC{'+' if minutes >= 0 else '-'}{abs(minutes) // 60}"
    offset += f":{abs(minutes) % 60:02d}" if minutes % 60 else ""
    name = now.tzname() or ""
    return f"{zone().key} ({name}, {offset})" if name[:1].isalpha() else f"{zone().key} ({offset})"
