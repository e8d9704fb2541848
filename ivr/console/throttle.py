"""Login rate limit, counted in the database so that every gunicorn worker sees every attempt.

An attempt is counted before its password is checked, and the count and the new row are one locked
step: forty tries at once still check at most the limit of passwords. A good password then takes the
name's count back. One address may fail ADDRESS_FACTOR times the per-name limit over all names it
tries, so a guesser cannot spread over names, nor over addresses for one name.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from ivr.store.models import LoginAttempt

if TYPE_CHECKING:
    from ivr.console.parts import LoginLimits

ADDRESS_FACTOR = 4  # an office behind one NAT address has several people who mistype
LOCK = int.from_bytes(hashlib.sha256(b"ivr console logins").digest()[:8], "big", signed=True)


def key(name: str) -> str:
    return name.strip().lower()[:64]  # "Anna" and "anna " are one target for a guesser


def admit(session: Session, name: str, ip: str, now: datetime, limits: LoginLimits) -> bool:
    """Count an attempt as failed before its password is checked; False when over a limit.

    Run it in a transaction of its own, committed before the password is checked.
    """
    if session.get_bind().dialect.name == "postgresql":
        # Held to the end of the transaction; logins are rare, so one lock for all of them will do.
        session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": LOCK})
    # On SQLite this write comes first, and so takes the database's write lock before the counting.
    session.execute(delete(LoginAttempt).where(LoginAttempt.at <= now - limits.window))
    attempt = LoginAttempt(name=key(name), ip=ip[:64], at=now)
    session.add(attempt)
    session.flush()
    per_name, per_address = limits.max_failures, limits.max_failures * ADDRESS_FACTOR
    if (
        _count(session, LoginAttempt.name == attempt.name) <= per_name
        and _count(session, LoginAttempt.ip == attempt.ip) <= per_address
    ):
        return True
    session.delete(attempt)  # a refused attempt checks no password, so it is no failure either
    return False


def _count(session: Session, condition) -> int:  # noqa: ANN001
    return session.scalar(select(func.count()).select_from(LoginAttempt).where(condition))


def succeeded(session: Session, name: str) -> None:
    """A good password proves the name's owner: their failures, from anywhere, no longer count."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.name == key(name)))
