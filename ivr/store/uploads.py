"""Accounts files uploaded in the console, kept from their preview to their confirmation: in the
database, so that any node behind the balancer takes the confirmation."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from ivr.store.models import Upload

KEPT = timedelta(hours=1)  # a file not confirmed by then is dropped: it holds callers' phones and addresses


def keep(s: Session, actor: str, name: str, partial: bool, data: bytes, now: datetime) -> str:
    """Store the file for its uploader; the token that confirms it."""
    drop_stale(s, now)
    token = secrets.token_urlsafe(32)
    s.add(Upload(token=token, actor=actor, name=name[:255], partial=partial, data=data, created_at=now))
    return token


def kept(s: Session, token: str, actor: str) -> Upload | None:
    """The file this uploader kept under the token; nobody else's."""
    return s.scalars(select(Upload).where(Upload.token == token, Upload.actor == actor)).first()


def discard(s: Session, upload_id: int) -> None:
    s.execute(delete(Upload).where(Upload.id == upload_id))


def drop_stale(s: Session, now: datetime) -> None:
    s.execute(delete(Upload).where(Upload.created_at < now - KEPT))
