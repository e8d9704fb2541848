"""A named lease in the `locks` table: one holder at a time, on SQLite and PostgreSQL alike.

The holder takes the row with one conditional UPDATE; on PostgreSQL a second taker waits for the
first's row lock, then re-reads the row and finds it held. A crashed holder's lease runs out.
"""

from __future__ import annotations

import os
import socket
import uuid
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.orm import sessionmaker

from ivr.clock import Clock
from ivr.store.models import Lock

LEASE = timedelta(minutes=15)  # renewed after every batch, so only a dead run's lease lapses


class Lease:
    def __init__(self, sessions: sessionmaker, name: str, clock: Clock) -> None:
        self.sessions, self.name, self.clock = sessions, name, clock
        self.holder = f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def take(self) -> bool:
        """Take the lease if it is free or lapsed; False when another run holds it."""
        now = self.clock.now()
        free = or_(Lock.holder.is_(None), Lock.until < now)
        return self._update(free, holder=self.holder, until=now + LEASE)

    def renew(self) -> None:
        if not self._update(Lock.holder == self.holder, until=self.clock.now() + LEASE):
            raise RuntimeError(f"lock {self.name} lost: another run took it over")

    def release(self) -> None:
        self._update(Lock.holder == self.holder, holder=None, until=None)

    def _update(self, condition, **values) -> bool:  # noqa: ANN001, ANN003
        with self.sessions() as s, s.begin():
            done = s.execute(update(Lock).where(Lock.name == self.name, condition).values(**values)
                             .execution_options(synchronize_session=False))  # fmt: skip
            return done.rowcount == 1
