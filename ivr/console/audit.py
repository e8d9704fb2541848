"""The audit trail: who did what to which record, when, and what it was before."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ivr.store.audit import record
from ivr.store.models import AuditEvent

__all__ = ["record", "trail"]


def trail(session: Session, subject: str) -> list[AuditEvent]:
    """Every event about one subject, oldest first."""
    query = select(AuditEvent).where(AuditEvent.subject == subject)
    return list(session.scalars(query.order_by(AuditEvent.at, AuditEvent.id)))
