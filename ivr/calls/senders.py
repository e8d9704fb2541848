"""What the database knows of one sender: the rate limit, opt-outs, readings waiting for «ДА», the phone
they shared."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Row, case, func, select, update
from sqlalchemy.orm import Session

from ivr.flows import MessageStatus
from ivr.store.models import Message, SenderPhone


def one_at_a_time(s: Session, sender_key: str) -> None:
    """Queue this sender's concurrent messages behind each other until the transaction ends, so two
    workers count the rate limit and find a «ДА»'s readings alike (SQLite's writes queue anyway)."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(select(func.pg_advisory_xact_lock(func.hashtext(sender_key))))


def _theirs(m: Message):  # noqa: ANN202
    return (Message.sender_key == m.sender_key) & (Message.id != m.id)


def count_since(s: Session, m: Message, since: datetime) -> int:
    """The sender's messages since then that were answered (those refused for the limit do not count,
    so a sender who stops for a window is heard again; nor do auto-replies, which are never answered)."""
    query = select(func.count()).where(_theirs(m), Message.received_at > since,
                                       Message.status.not_in((MessageStatus.RATE_LIMITED, MessageStatus.IGNORED)))  # fmt: skip
    return s.scalar(query) or 0


def rate_limited_since(s: Session, m: Message, since: datetime) -> bool:
    query = select(Message.id).where(_theirs(m), Message.received_at > since,
                                     Message.status == MessageStatus.RATE_LIMITED, Message.reply != "")  # fmt: skip
    return s.scalars(query.limit(1)).first() is not None


def last(s: Session, m: Message) -> Row | None:
    """The sender's previous message: the language they were answered in (digits alone tell none),
    and the lower values it was refused for (the same again goes to review)."""
    query = select(Message.locale, Message.status, Message.pending).where(_theirs(m))
    return s.execute(query.order_by(Message.id.desc()).limit(1)).first()


def opted_out(s: Session, m: Message) -> bool:
    """Whether the sender's last STOP or START was a STOP."""
    query = (select(Message.status).where(Message.sender_key == m.sender_key)
             .where(Message.status.in_((MessageStatus.STOP, MessageStatus.START)))
             .order_by(Message.id.desc()).limit(1))  # fmt: skip
    return s.scalars(query).first() == MessageStatus.STOP


def waiting(s: Session, m: Message) -> Message | None:
    """The sender's newest message whose readings wait for «ДА», locked; or whose readings the expiry
    run marked expired although this message («ДА») arrived before their deadline: it is in time."""
    in_time = (Message.status == MessageStatus.EXPIRED) & (Message.expires_at > m.received_at)
    query = (select(Message).where(_theirs(m), (Message.status == MessageStatus.AWAITING_CONFIRMATION) | in_time)
             .order_by(Message.id.desc()).limit(1).with_for_update())  # fmt: skip
    return s.scalars(query).first()


def drop_waiting(s: Session, m: Message) -> None:
    """A newer submission replaces readings still waiting for «ДА»: they will never be stored. Their
    deadline ends with it, so that no later «ДА» counts as in time for them."""
    deadline = case((Message.expires_at > m.received_at, m.received_at), else_=Message.expires_at)
    s.execute(update(Message).where(_theirs(m), Message.status == MessageStatus.AWAITING_CONFIRMATION)
              .values(status=MessageStatus.EXPIRED, expires_at=deadline)
              .execution_options(synchronize_session=False))  # fmt: skip


def due(s: Session, now: datetime) -> list[str]:
    """The senders whose readings waited for «ДА» until before now, in the order they sent them."""
    query = (select(Message.sender_key).where(Message.status == MessageStatus.AWAITING_CONFIRMATION,
                                              Message.expires_at <= now)
             .group_by(Message.sender_key).order_by(func.min(Message.id)))  # fmt: skip
    return list(s.scalars(query))


def expire(s: Session, sender_key: str, now: datetime) -> list[Message]:
    """Mark the sender's readings that waited for «ДА» until before now expired, under the sender's
    lock, which a «ДА» holds while it is taken: the two never interleave."""
    one_at_a_time(s, sender_key)
    query = (select(Message).where(Message.sender_key == sender_key, Message.expires_at <= now,
                                   Message.status == MessageStatus.AWAITING_CONFIRMATION).with_for_update())  # fmt: skip
    rows = list(s.scalars(query))
    for m in rows:
        m.status = MessageStatus.EXPIRED
    return rows


def refused_lower(last: Row | None) -> dict[str, int]:
    """Lower values the sender's previous message was refused for."""
    if last is None or last.status != MessageStatus.REFUSED or not last.pending:
        return {}
    return {k: int(v) for k, v in last.pending.get("lower", {}).items()}


def shared_phone(s: Session, channel: str, sender_key: str) -> str | None:
    """The phone the sender shared with us on this channel, if any."""
    shared = s.get(SenderPhone, (channel, sender_key))
    return shared.phone if shared else None


def share_phone(s: Session, channel: str, sender_key: str, phone: str, now: datetime) -> None:
    """Keep the phone the sender shared, replacing an earlier one (two at once queue: the later wins)."""
    one_at_a_time(s, sender_key)
    shared = s.get(SenderPhone, (channel, sender_key))
    if shared is None:
        s.add(SenderPhone(channel=channel, sender_key=sender_key, phone=phone, shared_at=now))
    else:
        shared.phone, shared.shared_at = phone, now
