"""What every list page shares: query-string filters, date ranges and pagination."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import abort
from sqlalchemy import ColumnElement, Select, func, literal, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from ivr.console.clock import ConsoleClock
from ivr.flows import Flag
from ivr.store.models import Reading

PAGE_SIZE = 25
FLAGS = tuple(Flag)
DAYS = (date(1900, 1, 1), date(2999, 12, 31))  # wide, yet far from datetime's ends


def day(text: str | None) -> date | None:
    """A YYYY-MM-DD query parameter, or None when it is missing or malformed; 400 for a day no
    hotline has seen, such as 9999-12-31."""
    try:
        found = date.fromisoformat((text or "").strip())
    except ValueError:
        return None
    if not DAYS[0] <= found <= DAYS[1]:
        abort(400)
    return found


def number(text: str | None, default: int = 1) -> int:
    try:
        return max(1, int(text or default))
    except ValueError:
        return default


def within(clock: ConsoleClock, column, start: date | None, end: date | None) -> list[ColumnElement]:  # noqa: ANN001
    """Conditions for a timestamp column to fall on the utility's days start..end, both included."""
    conditions = []
    if start:
        conditions.append(column >= clock.day_start(start))
    if end:
        conditions.append(column < clock.day_start(end + timedelta(days=1)))
    return conditions


def has_flag(flag: str) -> ColumnElement:
    """Whether a reading carries a flag (flags are stored ';'-joined)."""
    return (literal(";") + Reading.flags + literal(";")).contains(f";{flag};")


@dataclass
class Filters:
    """The query string of a list page, parsed; `link()` builds the same page with changes."""

    values: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, args: MultiDict, names: tuple[str, ...]) -> Filters:
        return cls({n: args.get(n, "").strip()[:64] for n in names if args.get(n, "").strip()})

    def get(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def link(self, **changes: object) -> dict[str, str]:
        """The query parameters of this page with some changed; None or "" removes one."""
        merged = dict(self.values)
        for name, value in changes.items():
            if value is None or value == "":
                merged.pop(name, None)
            else:
                merged[name] = str(value)
        return merged


@dataclass
class Page:
    """One page of a list, with how many there are."""

    items: list
    number: int
    total: int
    size: int = PAGE_SIZE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))


def paginate(session: Session, query: Select, page: int, size: int = PAGE_SIZE) -> Page:
    """Run one page of a query and count the whole of it."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = min(page, max(1, -(-total // size)))
    items = list(session.scalars(query.limit(size).offset((page - 1) * size)).unique())
    return Page(items, page, total, size)
