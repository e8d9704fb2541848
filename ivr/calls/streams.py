"""A call's media stream as every worker sees it: asked for, live or lost, and what it listens for.

The socket lives in one process while any worker may take the call's webhooks, so the stream's
health is kept on the Call row, where the service renders the next question from it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from ivr.store import database
from ivr.store.models import Account, Call, Turn

STARTING, LIVE, LOST = "starting", "live", "lost"
# The account numbers' lengths are read at most this often: over a million accounts the query takes
# 0.3-0.7 s on PostgreSQL, at every onset of speech at the account question. Accounts change only by
# import, and a length a minute late costs only the pause that ends a number of an unknown length.
ACCOUNT_LENGTHS_S = 60.0


@dataclass(frozen=True)
class Listening:
    """The question a streamed call waits on, and what a complete spoken answer to it looks like."""

    seq: int
    kind: str
    locale: str
    lengths: tuple[int, ...] = ()  # a number this long is complete: the meter's display, accounts on file


class CallStreams:
    """Record the stream's health on its call, and tell the stream what the call waits for."""

    def __init__(self, sessions: sessionmaker) -> None:
        self.sessions = sessions
        self.account_lengths: tuple[float, tuple[int, ...]] | None = None  # (read at, lengths)

    def started(self, sid: str) -> str | None:
        """Claim the call for a stream: mark it live and return its locale.

        None when no live call waits for its stream: a call with a stream live already, on whatever
        worker, or lost, keeps it so. The one UPDATE is the claim: of two starts at once, on any
        workers, the row lock lets one through, and the other finds the call live.
        """

        def work(s: Session) -> str | None:
            done = s.execute(update(Call).where(Call.sid == sid, Call.listen == STARTING,
                                                Call.ended_at.is_(None))
                             .values(listen=LIVE).execution_options(synchronize_session=False))  # fmt: skip
            return s.scalar(select(Call.locale).where(Call.sid == sid)) if done.rowcount == 1 else None

        return database.run(self.sessions, work)

    def lost(self, sid: str) -> None:
        """The stream dropped or fell behind: the call's next questions are asked with <Record>."""
        database.run(self.sessions, lambda s: s.execute(
            update(Call).where(Call.sid == sid, Call.listen == LIVE)
            .values(listen=LOST).execution_options(synchronize_session=False)))  # fmt: skip

    def listening(self, sid: str) -> Listening | None:
        """The voice question the call waits on now; None when it waits for keys or has ended."""
        with self.sessions() as s:
            row = s.execute(
                select(Call.seq, Call.locale, Call.state, Call.account_snapshot, Turn.kind,
                       Turn.mode, Turn.question)
                .join(Turn, (Turn.call_id == Call.id) & (Turn.seq == Call.seq))
                .where(Call.sid == sid, Call.ended_at.is_(None), Call.outcome.is_(None))
            ).first()  # fmt: skip
            if row is None or row.mode != "voice":
                return None
            return Listening(row.seq, row.kind, row.locale, self._lengths(s, row))

    def _lengths(self, s: Session, row) -> tuple[int, ...]:  # noqa: ANN001
        """How many digits make a complete number at this question."""
        if row.question == "reading" and row.account_snapshot:
            meters = row.account_snapshot.get("meters") or []
            index = (row.state or {}).get("meter", 0)
            return (meters[index]["digits"],) if index < len(meters) else ()
        if row.question == "account":
            read = self.account_lengths
            if read is None or time.monotonic() - read[0] > ACCOUNT_LENGTHS_S:
                read = (
                    time.monotonic(),
                    tuple(sorted(s.scalars(select(func.length(Account.number)).distinct()))),
                )
                self.account_lengths = read  # one assignment: threads share it without a lock
            return read[1]
        return ()
