"""Regions: their submission windows and time zones; the built-in table, overridable by
IVR_REGIONS_FILE. A region's day (its window, the period a reading counts for, the days of use) is
the day on the region's own clocks."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# Region: (first day, last day of the submission window, the region's IANA time zone).
BUILT_IN: dict[str, tuple[int, int, str]] = {
    "Москва": (15, 20, "Europe/Moscow"),
    "Алтайский край": (21, 23, "Asia/Barnaul"),
    "Воронежская область": (22, 26, "Europe/Moscow"),
    "Забайкальский край": (20, 23, "Asia/Chita"),
    "Ивановская область": (21, 24, "Europe/Moscow"),
    "Иркутская область": (23, 25, "Asia/Irkutsk"),
    "Костромская область": (23, 26, "Europe/Moscow"),
    "Липецкая область": (1, 25, "Europe/Moscow"),
    "Санкт-Петербург": (23, 25, "Europe/Moscow"),
    "Тверская область": (15, 25, "Europe/Moscow"),
    "Якутия": (1, 10, "Asia/Yakutsk"),
}
DEFAULT_WINDOW = (23, 25)
MOSCOW = ZoneInfo("Europe/Moscow")


class RegionsFileError(ValueError):
    """A regions file row is wrong; the message names the line and field."""


def in_window(window: tuple[int, int], day: date) -> bool:
    start, end = window
    return start <= day.day <= end


def period_of(window: tuple[int, int], day: date) -> str:
    """The billing month a reading taken on `day` counts for."""
    if day.day > window[1]:  # after this month's window: it counts for the next period
        year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
        return f"{year:04d}-{month:02d}"
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class Regions:
    windows: dict[str, tuple[int, int]]
    zones: dict[str, tzinfo] = field(default_factory=dict)
    default_zone: tzinfo = MOSCOW  # IVR_TIMEZONE: for regions without a zone of their own

    def window(self, region: str) -> tuple[int, int]:
        return self.windows.get(region.strip(), DEFAULT_WINDOW)

    def zone(self, region: str | None) -> tzinfo:
        return self.zones.get((region or "").strip(), self.default_zone)

    def day(self, region: str | None, now: datetime) -> date:
        """The region's day at `now` (naive UTC)."""
        return now.replace(tzinfo=UTC).astimezone(self.zone(region)).date()

    def in_window(self, region: str, day: date) -> bool:
        return in_window(self.window(region), day)

    def period(self, region: str, day: date) -> str:
        return period_of(self.window(region), day)


def load(path: str | None, default_zone: tzinfo = MOSCOW) -> Regions:
    """Built-in windows and zones, overridden row by row by a `region,start_day,end_day[,timezone]`
    CSV. A region with no zone, in the file or the table, lives on IVR_TIMEZONE."""
    windows = {region: (start, end) for region, (start, end, _) in BUILT_IN.items()}
    zones: dict[str, tzinfo] = {region: ZoneInfo(name) for region, (_, _, name) in BUILT_IN.items()}
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except UnicodeDecodeError as error:
            raise RegionsFileError(f"{path}: not UTF-8 (byte {error.start}); save it as CSV UTF-8") from None
        reader = csv.DictReader(io.StringIO(text))
        missing = {"region", "start_day", "end_day"} - set(reader.fieldnames or [])
        if missing:
            raise RegionsFileError(f"{path}: line 1: missing columns {sorted(missing)}")
        for row in reader:
            region = row["region"].strip()
            windows[region] = _window(path, reader.line_num, row)
            if (row.get("timezone") or "").strip():
                zones[region] = _zone(path, reader.line_num, row["timezone"].strip())
    return Regions(windows, zones, default_zone)


def _zone(path: str, line: int, name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise RegionsFileError(f"{path}: line {line}: timezone: {name!r} is not an IANA time zone") from None


def _window(path: str, line: int, row: dict) -> tuple[int, int]:
    days = []
    for name in ("start_day", "end_day"):
        try:
            day = int(row[name])
        except (TypeError, ValueError):
            raise RegionsFileError(f"{path}: line {line}: {name}: not a day number") from None
        if not 1 <= day <= 31:
            raise RegionsFileError(f"{path}: line {line}: {name}: {day} is not 1..31")
        days.append(day)
    if days[0] > days[1]:
        raise RegionsFileError(f"{path}: line {line}: start_day: after end_day")
    return days[0], days[1]
