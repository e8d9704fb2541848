"""The review queue, and the supervisor's decisions taken with the deployment's reading rules."""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from ivr.console import clock
from ivr.console.listing import REVIEW_FLAGS, has_flag
from ivr.runtime import runtime
from ivr.store import review
from ivr.store.models import Reading
from ivr.store.review import OPEN, ReviewError, locked, subject

__all__ = ["OPEN", "ReviewError", "approve", "correct", "locked", "queue", "reject", "subject"]


def queue() -> Select:
    """Flagged readings that no supervisor has decided on yet, oldest first."""
    return (
        select(Reading)
        .where(Reading.status.in_(OPEN), Reading.reviewed_at.is_(None))
        .where(or_(*(has_flag(f) for f in REVIEW_FLAGS)))
        .order_by(Reading.received_at, Reading.id)
    )


def approve(session: Session, reading: Reading, actor: str, note: str = "") -> None:
    review.approve(session, reading, actor, note, clock.now(), runtime().regions)


def reject(session: Session, reading: Reading, actor: str, note: str = "") -> None:
    review.reject(session, reading, actor, note, clock.now(), runtime().regions)


def correct(session: Session, reading: Reading, actor: str, value: str, reason: str) -> None:
    """Replace a misheard value, judged by the rules (IVR_RULE_*) the hotline applies."""
    rt = runtime()
    review.correct(session, reading, actor, value, reason, rt.config.rules, clock.now(), rt.regions)
