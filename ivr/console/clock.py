"""The console's view of the app's one clock: times are stored in UTC, supervisors see them in the
utility's zone (IVR_TIMEZONE), labelled."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo

from ivr import clock
from ivr.clock import Clock


@dataclass(frozen=True)
class ConsoleClock:
    clock: Clock  # the app's one clock, as the composition root built it

    @property
    def zone(self) -> tzinfo:
        return self.clock.utility

    def now(self) -> datetime:
        return self.clock.now()

    def today(self) -> date:
        return self.clock.today()

    def local(self, moment: datetime) -> datetime:
        """A stored time as the utility's clocks showed it."""
        return clock.local(moment, self.zone)

    def shown(self, moment: datetime | None, form: str = "%d.%m.%Y %H:%M:%S") -> str:
        """A stored time for a page, in the utility's zone."""
        return "—" if moment is None else self.local(moment).strftime(form)

    def stamp(self, moment: datetime | None) -> str:
        """A stored time for a CSV file: ISO 8601 in the utility's zone, with its UTC offset."""
        return "" if moment is None else self.local(moment.replace(microsecond=0)).isoformat()

    def day_start(self, day: date) -> datetime:
        """The stored (naive UTC) time at which a day of the utility's calendar begins."""
        return clock.day_start(day, self.zone)

    def label(self) -> str:
        """The zone as supervisors know it: 'Europe/Moscow (MSK, UTC+3)'."""
        now = self.local(self.clock.now())
        minutes = int(now.utcoffset().total_seconds() // 60)
        offset = f"UTC{'+' if minutes >= 0 else '-'}{abs(minutes) // 60}"
        offset += f":{abs(minutes) % 60:02d}" if minutes % 60 else ""
        name = now.tzname() or ""
        key = getattr(self.zone, "key", str(self.zone))
        return f"{key} ({name}, {offset})" if name[:1].isalpha() else f"{key} ({offset})"
