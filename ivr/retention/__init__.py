"""Retention (152-FZ): caller audio and caller numbers are kept only as long as the settings say.

`ivr retention run` deletes caller audio older than IVR_RETAIN_AUDIO_DAYS and replaces the numbers
of calls and the senders of messages older than IVR_RETAIN_CALLER_DAYS with keyed pseudonyms, and
deletes the notices sent (or given up) to them.
Readings and their history are billing records and are kept. Work goes in batches of BATCH rows,
each its own transaction, so memory stays flat and a run cut short resumes where it stopped.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam, delete, or_, select, update
from sqlalchemy.orm import sessionmaker

from ivr.clock import Clock
from ivr.config import Config
from ivr.recordings import Recordings
from ivr.retention.lock import Lease
from ivr.retention.pseudonyms import PREFIX, pseudonym, replace
from ivr.store import audit
from ivr.store.models import AuditEvent, Call, Message, Notice, SenderPhone, Turn

log = logging.getLogger(__name__)
BATCH = 1000


@dataclass
class Counts:
    audio: int = 0  # turns whose audio was deleted
    calls: int = 0  # calls whose numbers were pseudonymised
    messages: int = 0  # messages whose sender was pseudonymised
    contacts: int = 0  # phones senders shared (sender_phones) that were forgotten
    notices: int = 0  # notices done with (sent or given up) that were deleted, recipient and all
    failed: int = 0  # audio the store would not delete; tried again next run

    def __str__(self) -> str:
        return (
            f"audio={self.audio} calls={self.calls} messages={self.messages} contacts={self.contacts} "
            f"notices={self.notices} failed={self.failed}"
        )


def cutoff(now: datetime, days: int, tz: ZoneInfo) -> datetime:
    """The newest moment (naive UTC) that is `days` days old: days of the utility's calendar, so that
    a record made at 10:00 local time is N days old at 10:00 local time N days later, clock changes
    or not. A record at or before the cutoff is older than N days; one a second later is not."""
    local = now.replace(tzinfo=UTC).astimezone(tz).replace(tzinfo=None)
    return (local - timedelta(days=days)).replace(tzinfo=tz).astimezone(UTC).replace(tzinfo=None)


def run(sessions: sessionmaker, config: Config, store: Recordings, clock: Clock) -> Counts | None:
    """One retention run; None when another node's run holds the lock. Writes one audit entry."""
    now = clock.now()
    lease = Lease(sessions, "retention", clock)
    if not lease.take():
        return None
    try:
        counts, notes = Counts(), []
        if config.retain_audio_days is not None:
            before = cutoff(now, config.retain_audio_days, config.timezone)
            notes.append(f"audio up to {before:%Y-%m-%d %H:%M:%S} UTC")
            _remove_audio(sessions, store, before, now, counts, lease)
        if config.retain_caller_days is not None:
            before = cutoff(now, config.retain_caller_days, config.timezone)
            notes.append(f"numbers up to {before:%Y-%m-%d %H:%M:%S} UTC")
            _pseudonymise_calls(sessions, str(config.pseudonym_key), before, counts, lease)
            _pseudonymise_messages(sessions, str(config.pseudonym_key), before, counts, lease)
            _forget_contacts(sessions, before, counts)
            _forget_notices(sessions, before, counts)
        with sessions() as s, s.begin():
            audit.record(
                s, now, "retention", "retention-run", "retention", new=str(counts), note="; ".join(notes)
            )
        return counts
    finally:
        lease.release()


def _remove_audio(sessions, store, before, now, counts, lease) -> None:  # noqa: ANN001
    after = 0
    while True:
        with sessions() as s:
            rows = s.execute(
                select(Turn.id, Turn.recording_path)
                .where(Turn.id > after, Turn.asked_at <= before, Turn.recording_path.is_not(None),
                       Turn.recording_removed_at.is_(None))
                .order_by(Turn.id).limit(BATCH)
            ).all()  # fmt: skip
        if not rows:
            return
        after, removed = rows[-1].id, []
        for turn_id, key in rows:
            try:
                # The audio goes before its mark: a run cut short between the two leaves the turn
                # unmarked, and the next run finds nothing to delete and marks it.
                store.delete(key)
                removed.append(turn_id)
            except OSError as error:  # RecordingsError, or the folder's own errors
                counts.failed += 1
                log.error("retention: turn %s audio not deleted: %s", turn_id, error)
        with sessions() as s, s.begin():
            if removed:
                s.execute(update(Turn).where(Turn.id.in_(removed)).values(recording_removed_at=now)
                          .execution_options(synchronize_session=False))  # fmt: skip
        counts.audio += len(removed)
        lease.renew()


def _pseudonymise_calls(sessions, key: str, before, counts, lease) -> None:  # noqa: ANN001
    calls = Call.__table__
    pending = or_(and_(Call.caller != "", Call.caller.not_like(f"{PREFIX}%")),
                  and_(Call.caller_e164.is_not(None), Call.caller_e164.not_like(f"{PREFIX}%")))  # fmt: skip
    change = (update(calls).where(calls.c.id == bindparam("_id"))
              .values(caller=bindparam("_caller"), caller_e164=bindparam("_e164"), state=bindparam("_state"),
                      account_snapshot=None))  # fmt: skip
    after = 0
    while True:
        with sessions() as s, s.begin():
            rows = s.execute(
                select(Call.id, Call.sid, Call.caller, Call.caller_e164, Call.state)
                .where(Call.id > after, Call.started_at <= before, pending)
                .order_by(Call.id)
                .limit(BATCH)
            ).all()
            if not rows:
                return
            after, found, changes = rows[-1].id, {}, []
            for row in rows:
                new = pseudonym(key, row.caller_e164 or row.caller)
                e164 = row.caller_e164 and new
                found.update({row.caller: new, **({row.caller_e164: e164} if row.caller_e164 else {})})
                # The flow's state keeps the caller's E.164 too, for the account lookup.
                state = {**(row.state or {}), **({"caller": new} if (row.state or {}).get("caller") else {})}
                changes.append(
                    {"_id": row.id, "_caller": new if row.caller else "", "_e164": e164, "_state": state}
                )
            s.connection().execute(change, changes)
            # Audit entries about these calls may quote the number (e.g. what a supervisor saw).
            subjects = [f"call:{row.sid}" for row in rows]
            for event in s.scalars(select(AuditEvent).where(AuditEvent.subject.in_(subjects))):
                event.old, event.new, event.note = (
                    replace(v, found) for v in (event.old, event.new, event.note)
                )
        counts.calls += len(rows)
        lease.renew()


def _forget_contacts(sessions, before, counts) -> None:  # noqa: ANN001
    """A phone shared that long ago is forgotten: its sender's readings are unverified until they
    share it again (a pseudonym could never match an account's number)."""
    with sessions() as s, s.begin():
        counts.contacts += s.execute(delete(SenderPhone).where(SenderPhone.shared_at <= before)).rowcount


def _forget_notices(sessions, before, counts) -> None:  # noqa: ANN001
    """A notice holds its recipient in full: once done with, it is kept no longer than its number."""
    done = Notice.sent_at.is_not(None) | Notice.failed_at.is_not(None)
    with sessions() as s, s.begin():
        counts.notices += s.execute(delete(Notice).where(Notice.created_at <= before, done)).rowcount


def _pseudonymise_messages(sessions, key: str, before, counts, lease) -> None:  # noqa: ANN001
    table = Message.__table__
    change = (update(table).where(table.c.id == bindparam("_id"))
              .values(sender=bindparam("_new"), sender_key=bindparam("_new"), body=bindparam("_body"),
                      reply=bindparam("_reply")))  # fmt: skip
    after = 0
    while True:
        with sessions() as s, s.begin():
            rows = s.execute(
                select(Message.id, Message.sender, Message.sender_key, Message.body, Message.reply)
                .where(
                    Message.id > after,
                    Message.received_at <= before,
                    Message.sender_key.not_like(f"{PREFIX}%"),
                )
                .order_by(Message.id)
                .limit(BATCH)
            ).all()
            if not rows:
                return
            after, changes = rows[-1].id, []
            for row in rows:
                new = pseudonym(key, row.sender_key)
                found = {row.sender: new, row.sender_key: new}
                changes.append({"_id": row.id, "_new": new, "_body": replace(row.body, found) or "",
                                "_reply": replace(row.reply, found) or ""})  # fmt: skip
            s.connection().execute(change, changes)
        counts.messages += len(rows)
        lease.renew()
