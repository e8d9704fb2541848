"""The review queue, and the supervisor's decisions taken with the deployment's reading rules."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from ivr.console.parts import ConsoleParts
from ivr.flows import ReadingStatus
from ivr.store import review
from ivr.store.models import Reading
from ivr.store.review import ReviewError, decidable, locked, subject

__all__ = [
    "ReviewError",
    "approve",
    "correct",
    "decidable",
    "flagged",
    "locked",
    "queue",
    "reject",
    "subject",
]


def queue() -> Select:
    """The readings the reading judgement held for a supervisor (stored pending_review), oldest first.

    Keyed on the stored status, not on flags: which flags hold a reading is the judgement's rule alone.
    """
    return (
        select(Reading)
        .where(Reading.status == ReadingStatus.PENDING_REVIEW)
        .order_by(Reading.received_at, Reading.id)
    )


def flagged() -> Select:
    """Readings that carry a flag yet were accepted as they are: a second look if wanted, newest first."""
    return (
        select(Reading)
        .where(Reading.status == ReadingStatus.ACCEPTED, Reading.flags != "")
        .order_by(Reading.received_at.desc(), Reading.id.desc())
    )


def approve(parts: ConsoleParts, session: Session, reading: Reading, actor: str, note: str = "") -> None:
    review.approve(session, reading, actor, note, parts.clock.now(), parts.regions)


def reject(parts: ConsoleParts, session: Session, reading: Reading, actor: str, note: str = "") -> None:
    review.reject(session, reading, actor, note, parts.clock.now(), parts.regions)


def correct(
    parts: ConsoleParts, session: Session, reading: Reading, actor: str, value: str, reason: str
) -> None:
    """Replace a misheard value, judged by the rules (IVR_RULE_*) the hotline applies."""
    review.correct(session, reading, actor, value, reason, parts.rules, parts.clock.now(), parts.regions)
