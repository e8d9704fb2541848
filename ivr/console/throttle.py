"""Login rate limit, counted in the database so that every gunicorn worker sees every attempt."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from ivr.runtime import config
from ivr.store.models import LoginAttempt, utcnow


def _key(name: str) -> str:
    return name.strip().lower()[:64]  # "Anna" and "anna " are one target for a guesser


def _window() -> timedelta:
    return timedelta(seconds=config().login_window_s)


def blocked(session: Session, name: str, ip: str, now: datetime | None = None) -> bool:
    """Whether this name and address used up their failed attempts for the window."""
    since = (now or utcnow()) - _window()
    failures = session.scalar(
        select(func.count())
        .select_from(LoginAttempt)
        .where(LoginAttempt.name == _key(name), LoginAttempt.ip == ip[:64], LoginAttempt.at > since)
    )
    return failures >= config().login_max_failures


def failed(session: Session, name: str, ip: str, now: datetime | None = None) -> None:
    """Count a failed attempt, and forget the ones that no longer count."""
    now = now or utcnow()
    session.execute(delete(LoginAttempt).where(LoginAttempt.at <= now - _window()))
    session.add(LoginAttempt(name=_key(name), ip=ip[:64], at=now))


def succeeded(session: Session, name: str, ip: str) -> None:
    """A good password wipes the slate for this name and address."""
    session.execute(
        delete(LoginAttempt).where(LoginAttempt.name == _key(name), LoginAttempt.ip == ip[:64])
    )
