"""Turn rows: the question asked, the caller's answer to it, and the readings given in it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ivr import flows
from ivr.calls.answers import Answer
from ivr.store.models import Call, Turn
from ivr.store.phones import mask_address

if TYPE_CHECKING:
    from ivr.calls.service import Renderer


def asked(call: Call, ask: flows.Ask, actions: list[flows.Action], renderer: Renderer, at: datetime) -> Turn:
    """The Turn for the question the call now waits on, with the prompt as the caller heard it."""
    says = [*(a for a in actions if isinstance(a, flows.Say)), flows.Say(ask.prompt, ask.params)]
    text = " ".join(renderer.text(s.prompt, _masked(s.params)) for s in says).strip()
    return Turn(call_id=call.id, seq=call.seq, question=ask.question, kind=ask.kind.name,
                mode="keypad" if ask.keypad else "voice", prompt_id=ask.prompt,
                prompt_text=text, asked_at=at)  # fmt: skip


def record_answer(s: Session, call: Call, answer: Answer, decision: str, at: datetime) -> None:
    """Write the answer into the question's Turn: one UPDATE, no read."""
    s.execute(
        update(Turn)
        .where(Turn.call_id == call.id, Turn.seq == call.seq)
        .values(answered_at=at, outcome=answer.outcome, heard=answer.heard, keys=answer.keys,
                confidence=answer.confidence, words=answer.words, asr_seconds=answer.asr_seconds,
                recording_path=answer.recording_path, value=answer.value, decision=decision)
        .execution_options(synchronize_session=False)
    )  # fmt: skip


def reading_turns(s: Session, call: Call, save: flows.SaveMeter) -> dict[int, int]:
    """Map each saved zone to the Turn where the caller gave its reading."""
    seqs = {zr.zone: zr.turn for zr in save.readings if zr.turn is not None}
    if not seqs:
        return {}
    ids = dict(s.execute(select(Turn.seq, Turn.id).where(Turn.call_id == call.id,
                                                       Turn.seq.in_(set(seqs.values())))).all())  # fmt: skip
    return {zone: ids[seq] for zone, seq in seqs.items() if seq in ids}


def _masked(params: dict) -> dict:
    # The stored prompt keeps no address: it outlives the account's, and may be another's.
    if "address" in params:
        return {**params, "address": mask_address(params["address"])}
    return dict(params)
