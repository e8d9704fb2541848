"""One call, turn by turn, with the caller's audio and the readings it produced."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask import abort, render_template, send_file
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response

from ivr.console.blueprint import ROW_ID, bp
from ivr.console.masking import privacy
from ivr.runtime import config
from ivr.store import database
from ivr.store.models import Call, Meter, Reading, Turn

WAV_HEADER = 44


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


def call_by_sid(sid: str) -> Call:
    query = select(Call).where(Call.sid == sid).options(selectinload(Call.turns), selectinload(Call.account))
    return database.session().scalars(query).first() or abort(404)


@bp.get("/calls/<sid>")
def call(sid: str) -> str:
    """Show the whole conversation of one call."""
    found = call_by_sid(sid)
    pd = privacy(f"call:{found.sid}", [f"call:{found.sid}"])
    readings = (
        database.session()
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
        audible=audio_file,
    )


def audio_file(turn: Turn | None) -> Path | None:
    """The audio of a turn: a WAV file with sound in it, inside the recordings folder."""
    if turn is None or not turn.recording_path:
        return None
    folder = Path(config().recordings_dir).resolve()
    path = (folder / turn.recording_path).resolve()
    if not path.is_relative_to(folder) or not path.is_file():
        return None
    with path.open("rb") as f:  # a header alone, or what a failed download left, plays as 0:00
        head = f.read(WAV_HEADER + 1)
    sound = len(head) > WAV_HEADER and head[:4] == b"RIFF" and head[8:12] == b"WAVE"
    return path if sound else None


@bp.get(f"/audio/<{ROW_ID}:turn_id>.wav")
def audio(turn_id: int) -> Response:
    """Stream what the caller said in one turn, to logged-in users only."""
    turn = database.session().get(Turn, turn_id) or abort(404)
    path = audio_file(turn) or abort(404)
    return send_file(path, mimetype="audio/wav", conditional=True, max_age=0)
