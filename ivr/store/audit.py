"""The audit trail's writing side: who did what to which record, and what it was before."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ivr.store.models import AuditEvent


def record(
    session: Session,
    at: datetime,
    actor: str,
    action: str,
    subject: str,
    old: object = None,
    new: object = None,
    note: str | None = None,
) -> AuditEvent:
    """Add one audit event to the session."""
    event = AuditEvent(
        at=at,
        actor=actor,
        action=action,
        subject=subject,
        old=None if old is None else str(old),
        new=None if new is None else str(new),
        note=note or None,
    )
    session.add(event)
    return event
