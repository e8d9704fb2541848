"""Submission windows by region: the built-in table, overridable by IVR_REGIONS_FILE."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

BUILT_IN: dict[str, tuple[int, int]] = {
    "Москва": (15, 20),
    "Алтайский край": (21, 23),
    "Воронежская область": (22, 26),
    "Забайкальский край": (20, 23),
    "Ивановская область": (21, 24),
    "Иркутская область": (23, 25),
    "Костромская область": (23, 26),
    "Липецкая область": (1, 25),
    "Санкт-Петербург": (23, 25),
    "Тверская область": (15, 25),
    "Якутия": (1, 10),
}
DEFAULT_WINDOW = (23, 25)


class RegionsFileError(ValueError):
    """A regions file row is wrong; the message names the line and field."""


@dataclass(frozen=True)
class Regions:
    windows: dict[str, tuple[int, int]]

    def window(self, region: str) -> tuple[int, int]:
        return self.windows.get(region.strip(), DEFAULT_WINDOW)

    def in_window(self, region: str, day: date) -> bool:
        start, end = self.window(region)
        return start <= day.day <= end

    def period(self, region: str, day: date) -> str:
        """The billing month a reading taken on `day` counts for."""
        _, end = self.window(region)
        if day.day > end:  # after this month's window: it counts for the next period
            year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
            return f"{year:04d}-{month:02d}"
        return f"{day.year:04d}-{day.month:02d}"


def load(path: str | None) -> Regions:
    """Built-in windows, overridden row by row by a `region,start_day,end_day` CSV."""
    windows = dict(BUILT_IN)
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
            windows[row["region"].strip()] = _window(path, reader.line_num, row)
    return Regions(windows)


def _window(path: str, line: int, row: dict) -> tuple[int, int]:
    days = []
    for field in ("start_day", "end_day"):
        try:
            day = int(row[field])
        except (TypeError, ValueError):
            raise RegionsFileError(f"{path}: line {line}: {field}: not a day number") from None
        if not 1 <= day <= 31:
            raise RegionsFileError(f"{path}: line {line}: {field}: {day} is not 1..31")
        days.append(day)
    if days[0] > days[1]:
        raise RegionsFileError(f"{path}: line {line}: start_day: after end_day")
    return days[0], days[1]
