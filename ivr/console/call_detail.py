"""One call, turn by turn, with the caller's audio and the readings it produced."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from flask import abort, render_template
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ivr.console.audio import audible
from ivr.console.blueprint import routes
from ivr.console.masking import privacy
from ivr.console.parts import ConsoleParts
from ivr.store.models import Call, Meter, Reading, Turn


@dataclass(frozen=True)
class Word:
    """One recognised word and how sure the recogniser was of it."""

    text: str
    conf: float

    @property
    def shade(self) -> int:
        """0..9, for the CSS class that fades unsure words."""
        return max(0, min(9, int(self.conf * 10)))

    @property
    def level(self) -> str:
        return "low" if self.conf < 0.5 else "mid" if self.conf < 0.8 else "high"


def words(turn: Turn) -> list[Word]:
    """The words of a voice answer; the whole text at the turn's confidence when none are kept."""
    kept = [
        Word(str(w.get("word", "")), float(w.get("conf") or 0.0))
        for w in (turn.words or [])
        if isinstance(w, dict)
    ]
    if kept or not turn.heard:
        return kept
    return [Word(t, turn.confidence if turn.confidence is not None else 1.0) for t in turn.heard.split()]


def waited(turn: Turn) -> float | None:
    """Seconds from the question to the answer."""
    if turn.answered_at is None:
        return None
    return round((turn.answered_at - turn.asked_at).total_seconds(), 1)


def call_by_sid(s: Session, sid: str) -> Call:
    query = select(Call).where(Call.sid == sid).options(selectinload(Call.turns), selectinload(Call.account))
    return s.scalars(query).first() or abort(404)


@routes.get("/calls/<sid>")
def call(parts: ConsoleParts, sid: str) -> str:
    """Show the whole conversation of one call."""
    found = call_by_sid(parts.session(), sid)
    pd = privacy(parts, f"call:{found.sid}", [f"call:{found.sid}"])
    readings = (
        parts.session()
        .scalars(
            select(Reading)
            .where(Reading.call_id == found.id)
            .options(selectinload(Reading.meter).selectinload(Meter.account))
            .order_by(Reading.id)
        )
        .all()
    )
    address = found.account.address if found.account else None
    return render_template(
        "console/call.html",
        call=found,
        pd=pd,
        readings=readings,
        address=address,
        words=words,
        waited=waited,
        audible=partial(audible, parts.recordings()),
    )
