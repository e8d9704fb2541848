"""The one clock: `now` in UTC, and the day of the utility or of any region.

Times are stored as naive UTC. Days are never UTC days: a reading at 00:30 in Moscow belongs to
Moscow's day, and a Yakutsk caller's to Yakutsk's. This is the only module that reads the wall
clock (ruff's TID251 bans it everywhere else); tests and QA replays give it a fixed source.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, tzinfo

Source = Callable[[], datetime]  # naive UTC


def wall() -> datetime:
    """The real time, naive UTC: what a database column stores."""
    return datetime.now(UTC).replace(tzinfo=None)


def local(moment: datetime, zone: tzinfo) -> datetime:
    """A stored (naive UTC) time as the clocks of `zone` showed it."""
    return moment.replace(tzinfo=UTC).astimezone(zone)


def day_of(moment: datetime, zone: tzinfo) -> date:
    return local(moment, zone).date()


def day_start(day: date, zone: tzinfo) -> datetime:
    """The stored (naive UTC) time at which `day` begins in `zone`."""
    return datetime.combine(day, time.min, zone).astimezone(UTC).replace(tzinfo=None)


class Clock:
    """`now()` for what is stored, `today()` for the utility's calendar (IVR_TIMEZONE); a region's
    day is `Regions.day(region, clock.now())`."""

    def __init__(self, utility: tzinfo, source: Source = wall) -> None:
        self.utility = utility
        self.source = source

    def now(self) -> datetime:
        return self.source()

    def today(self) -> date:
        return day_of(self.now(), self.utility)

    def local(self, moment: datetime) -> datetime:
        return local(moment, self.utility)


def server_today(zone: tzinfo | None = None) -> date:
    """Today on the wall clock in `zone` (Moscow by default): for a server started as a process of
    its own, which runs on the real clock (or libfaketime's)."""
    from zoneinfo import ZoneInfo

    return day_of(wall(), zone or ZoneInfo("Europe/Moscow"))
