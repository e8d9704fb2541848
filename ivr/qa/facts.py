"""What the database recorded of one call: its outcome, turns and readings."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from ivr.store.models import Call, Reading, Turn


@dataclass(frozen=True)
class SavedReading:
    meter: str
    zone: str
    value: int
    status: str
    flags: tuple[str, ...]

    def describe(self) -> str:
        flags = ";".join(self.flags) or "no flags"
        return f"{self.meter} {self.zone} = {self.value} ({self.status}, {flags})"


@dataclass(frozen=True)
class Facts:
    call: Call
    turns: dict[int, Turn]  # by seq, the number the question's webhooks carry
    readings: tuple[SavedReading, ...]

    @property
    def outcome(self) -> str | None:
        return self.call.outcome


def call_facts(session: Session, sid: str) -> Facts | None:
    """Load a call with its turns and the readings it saved; None if there is no such call."""
    call = (
        session.scalars(select(Call).where(Call.sid == sid).options(joinedload(Call.turns))).unique().first()
    )
    if call is None:
        return None
    saved = session.scalars(
        select(Reading).where(Reading.call_id == call.id)
        .options(joinedload(Reading.meter)).order_by(Reading.id)
    ).all()  # fmt: skip
    readings = tuple(SavedReading(r.meter.serial, f"T{r.zone}", r.value, r.status,
                                  tuple(r.flag_list)) for r in saved)  # fmt: skip
    return Facts(call, {t.seq: t for t in call.turns}, readings)
