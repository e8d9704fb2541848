"""The outbox: a notice is a row written in the transaction that decided it, sent after the commit.

A deliverer (`ivr outbox send`) claims one due row at a time with a lease (claimed_until), so two
deliverers on two nodes never send it at once; sends it through its channel's notifier; and marks it
sent in the transaction right after the provider's answer. A failure for now is tried again after a
backoff, a refusal for good (Undeliverable) never. So every notice goes out at least once, and a
second copy only when a deliverer dies (or its send timed out) after the provider took the notice and
before that commit: the lease runs out and the next deliverer sends it again.
"""

from __future__ import annotations

import logging
import random
import signal
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from ivr import metrics
from ivr.calls import storage
from ivr.calls.channels import Notifier, Undeliverable
from ivr.clock import Clock
from ivr.store import database
from ivr.store.models import Message, Notice

log = logging.getLogger(__name__)
LEASE = timedelta(seconds=60)  # a claimed notice is the deliverer's alone for this long
BACKOFF = timedelta(seconds=30)  # the wait after the first failed try, doubled after each further one
MAX_BACKOFF = timedelta(hours=1)
ATTEMPTS = 10  # tries before a notice is given up: about four hours of backoff
POLL_S = 1.0  # how often `--loop` looks for due notices when it found none


class Kind(StrEnum):
    EXPIRED = "expired"  # readings that waited for «ДА» were not stored
    REPLY = "reply"  # the answer to a message, on a channel whose replies are not the webhook's answer


class SendTimeout(Exception):
    """The notifier did not answer in time: the notice may or may not have gone out."""


def enqueue(s: Session, channel: str, recipient: str, text: str, now: datetime, kind: Kind,
            message_id: int | None = None) -> Notice:  # fmt: skip
    """Put a notice into the outbox in the caller's transaction: it goes out only if that commits."""
    notice = Notice(channel=channel, recipient=recipient, text=text, kind=kind, message_id=message_id,
                    created_at=now, due_at=now, attempts=0)  # fmt: skip
    s.add(notice)
    return notice


def backoff(attempts: int, jitter: Callable[[], float] = random.random) -> timedelta:
    """The wait after a notice's `attempts`-th failed try: 30 s, 1 min, 2 min … at most an hour, each
    stretched by up to a quarter at random, so that notices that failed together spread out."""
    return min(BACKOFF * 2 ** (attempts - 1), MAX_BACKOFF) * (1 + jitter() / 4)


class Deliverer:
    """Sends due notices through their channels' notifiers, one claimed row at a time."""

    def __init__(self, sessions: sessionmaker, clock: Clock, notifiers: Mapping[str, Notifier],
                 mask: Callable[[str, str], str], lease: timedelta = LEASE) -> None:  # fmt: skip
        self.sessions, self.clock, self.notifiers, self.mask = sessions, clock, notifiers, mask
        # A send must end well inside the lease, or a second deliverer could take the notice meanwhile.
        self.lease, self.timeout = lease, lease.total_seconds() / 3

    def leased(self, lease: timedelta) -> Deliverer:
        """The same deliverer with another lease (`ivr outbox send --lease`)."""
        return Deliverer(self.sessions, self.clock, self.notifiers, self.mask, lease)

    def backlog(self) -> dict[str, int]:
        """How many notices wait to be sent, and how many were given up: what /metrics shows of the
        outbox, from the database, whichever process sends them."""
        waiting = Notice.sent_at.is_(None) & Notice.failed_at.is_(None)
        query = select(func.count().filter(waiting), func.count().filter(Notice.failed_at.is_not(None)))
        with self.sessions() as s:
            counts = s.execute(query).one()
        return {"waiting": counts[0], "failed": counts[1]}

    def deliver_due(self) -> int:
        """Send every notice due now (not those that fall due meanwhile); how many went out."""
        until, sent = self.clock.now(), 0
        while (notice := self._claim(until)) is not None:
            sent += self._send(notice)
        return sent

    def run(self, stop: threading.Event) -> None:
        """Send notices as they fall due until `stop` is set; a database down for now is waited out."""
        while not stop.is_set():
            try:
                notice = self._claim(self.clock.now())
                if notice is not None:
                    self._send(notice)
                    continue
            except storage.StorageUnavailable as error:
                log.warning("outbox: the database is unavailable (%s); trying again", error)
            stop.wait(POLL_S)

    def _claim(self, now: datetime) -> Notice | None:
        """The next due notice, leased to this deliverer; a notice whose tries are spent is given up
        on the way (its last try never came back: a deliverer died in it)."""
        claimable = (Notice.sent_at.is_(None), Notice.failed_at.is_(None), Notice.due_at <= now,
                     or_(Notice.claimed_until.is_(None), Notice.claimed_until <= now))  # fmt: skip
        # PostgreSQL skips a row another deliverer holds; the UPDATE's own condition then makes the
        # claim safe anywhere (SQLite reads outside the writer's lock, so two may read one row).
        query = select(Notice).where(*claimable).order_by(Notice.due_at, Notice.id).limit(1)

        def work(s: Session) -> Notice | None:
            while (notice := s.scalars(query.with_for_update(skip_locked=True)).first()) is not None:
                spent = notice.attempts >= ATTEMPTS
                values = ({"failed_at": now, "last_error": notice.last_error or f"no answer after {ATTEMPTS} attempts"}
                          if spent else {"attempts": Notice.attempts + 1, "claimed_until": now + self.lease})  # fmt: skip
                taken = s.execute(update(Notice).where(Notice.id == notice.id, *claimable).values(**values)
                                  .execution_options(synchronize_session=False)).rowcount  # fmt: skip
                s.refresh(notice)
                if taken and spent:
                    _counted(s, notice, "failed")
                elif taken:
                    return notice
            return None

        return storage.run(self.sessions, work)

    def _send(self, notice: Notice) -> int:
        who = self.mask(notice.channel, notice.recipient)
        notifier = self.notifiers.get(notice.channel)
        try:
            if notifier is None:
                raise Undeliverable(f"no notifier for the {notice.channel} channel")
            with _deadline(self.timeout):
                answer = notifier.send(notice.recipient, notice.text)  # some give the provider's id
        except Undeliverable as error:
            log.warning("notice %s (%s) to %s refused for good: %s", notice.id, notice.kind, who, error)
            self._failed(notice, self._error(notice, error), retry=False)
            return 0
        except Exception as error:  # noqa: BLE001 - any other failure is for now: tried again
            log.warning("notice %s (%s) to %s failed, attempt %d: %s", notice.id, notice.kind, who,
                        notice.attempts, error)  # fmt: skip
            # A provider may say how long to wait (Telegram's 429 retry_after): never sooner than that.
            wait = getattr(error, "retry_after", None)
            self._failed(notice, self._error(notice, error), retry=notice.attempts < ATTEMPTS,
                         wait=timedelta(seconds=wait) if isinstance(wait, (int, float)) else None)  # fmt: skip
            return 0
        self._sent(notice, answer if isinstance(answer, str) else None)
        log.info("notice %s (%s) sent to %s on %s", notice.id, notice.kind, who, notice.channel)
        return 1

    def _sent(self, notice: Notice, provider_id: str | None) -> None:
        def work(s: Session) -> None:
            now = self.clock.now()
            done = s.execute(update(Notice).where(Notice.id == notice.id, Notice.sent_at.is_(None))
                             .values(sent_at=now, claimed_until=None, provider_id=provider_id)
                             .execution_options(synchronize_session=False))  # fmt: skip
            if not done.rowcount:  # another deliverer sent it too, after this one's lease ran out
                log.warning("notice %s was sent twice: its lease ran out during the send", notice.id)
            if notice.kind == Kind.REPLY and notice.message_id is not None:
                s.execute(update(Message).where(Message.id == notice.message_id, Message.replied_at.is_(None))
                          .values(replied_at=now).execution_options(synchronize_session=False))  # fmt: skip
            _counted(s, notice, "sent")

        storage.run(self.sessions, work)

    def _failed(self, notice: Notice, error: str, retry: bool, wait: timedelta | None = None) -> None:
        def work(s: Session) -> None:
            now = self.clock.now()
            due = now + max(backoff(notice.attempts), wait or timedelta(0))
            values = {"due_at": due} if retry else {"failed_at": now}
            s.execute(update(Notice).where(Notice.id == notice.id, Notice.sent_at.is_(None))
                      .values(claimed_until=None, last_error=error, **values)
                      .execution_options(synchronize_session=False))  # fmt: skip
            _counted(s, notice, "retried" if retry else "failed")

        storage.run(self.sessions, work)

    def _error(self, notice: Notice, error: Exception) -> str:
        masked = self.mask(notice.channel, notice.recipient)
        return f"{type(error).__name__}: {error}".replace(notice.recipient, masked)[:500]


def _counted(s: Session, notice: Notice, outcome: str) -> None:
    database.after_commit(s, lambda: metrics.notices.labels(notice.channel, notice.kind, outcome).inc())


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise SendTimeout in the send after `seconds`, however the notifier waits (a server that
    trickles its answer defeats a socket's timeout). Only the main thread gets signals: elsewhere
    (tests' threads) the notifier's own timeouts bound the send."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expired(_signum: int, _frame: object) -> None:
        raise SendTimeout(f"no answer within {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
