"""Typed SQLAlchemy models: accounts, phones, meters, readings, calls, turns, messages, the outbox, users,
audit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    pass


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    address: Mapped[str] = mapped_column(Text)
    region: Mapped[str] = mapped_column(String(120))
    phones: Mapped[list[Phone]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="Phone.id"
    )
    meters: Mapped[list[Meter]] = relationship(
        back_populates="account", cascade="all, delete-orphan", order_by="Meter.position"
    )


class Phone(Base):
    __tablename__ = "phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    e164: Mapped[str] = mapped_column(String(20), index=True)
    raw: Mapped[str] = mapped_column(String(64))
    account: Mapped[Account] = relationship(back_populates="phones")


class Meter(Base):
    __tablename__ = "meters"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    serial: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer)  # import order within the account
    zones: Mapped[int] = mapped_column(Integer)
    digits: Mapped[int] = mapped_column(Integer)
    # Last accepted readings per zone, as imported or as taken by the hotline.
    last_t1: Mapped[int | None] = mapped_column(BigInteger)
    last_t2: Mapped[int | None] = mapped_column(BigInteger)
    last_t3: Mapped[int | None] = mapped_column(BigInteger)
    last_read_on: Mapped[date | None]
    # Set when an accounts import no longer lists the meter: the hotline stops asking for it,
    # its readings stay. Cleared when a later import lists it again.
    retired_at: Mapped[datetime | None]
    account: Mapped[Account] = relationship(back_populates="meters")

    def last(self, zone: int) -> int | None:
        return getattr(self, f"last_t{zone}")

    def set_last(self, zone: int, value: int | None) -> None:
        setattr(self, f"last_t{zone}", value)


class Call(Base):
    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64), unique=True)
    caller: Mapped[str] = mapped_column(String(64), default="")  # From, as Twilio sent it
    caller_e164: Mapped[str | None] = mapped_column(String(20), index=True)
    called: Mapped[str] = mapped_column(String(64), default="")
    locale: Mapped[str] = mapped_column(String(8))
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    state: Mapped[dict[str, Any]] = mapped_column(JSON)
    # seq numbers the question the call waits on; webhooks carry it so retries are recognised.
    seq: Mapped[int] = mapped_column(Integer, default=0)
    last_twiml: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="in-progress")
    outcome: Mapped[str | None] = mapped_column(String(20), index=True)
    started_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]
    duration_s: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Webhooks of this call that failed in a row; the second sends the caller to a person.
    errors: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    end_reason: Mapped[str | None] = mapped_column(String(32))  # why it was transferred
    # A transfer put the caller through to an operator; without one to dial the line apologised.
    operator_dialled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The caller's audio stream (IVR_LISTEN=stream): starting, live or lost; None on <Record> calls.
    listen: Mapped[str | None] = mapped_column(String(8))
    # The call's account as the flow saw it: loaded once, dropped when the call ends.
    account_snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    turns: Mapped[list[Turn]] = relationship(back_populates="call", order_by="Turn.seq")
    account: Mapped[Account | None] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Turn(Base):
    """One question asked and the caller's answer to it."""

    __tablename__ = "turns"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    question: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    mode: Mapped[str] = mapped_column(String(8))  # voice or keypad
    prompt_id: Mapped[str] = mapped_column(String(48))
    prompt_text: Mapped[str] = mapped_column(Text, default="")
    asked_at: Mapped[datetime] = mapped_column()
    answered_at: Mapped[datetime | None]
    heard: Mapped[str | None] = mapped_column(Text)  # recognised text
    keys: Mapped[str | None] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None]
    words: Mapped[list[Any] | None] = mapped_column(JSON)
    asr_seconds: Mapped[float | None]
    recording_path: Mapped[str | None] = mapped_column(Text)  # a key in the recordings store
    recording_removed_at: Mapped[datetime | None]  # when retention deleted the audio
    outcome: Mapped[str | None] = mapped_column(String(24))  # answered, no-input, no-match, ...
    decision: Mapped[str | None] = mapped_column(String(48))  # where the flow went next
    call: Mapped[Call] = relationship(back_populates="turns")


class Reading(Base):
    __tablename__ = "readings"

    id: Mapped[int] = mapped_column(primary_key=True)
    meter_id: Mapped[int] = mapped_column(ForeignKey("meters.id", ondelete="CASCADE"), index=True)
    zone: Mapped[int] = mapped_column(Integer)
    value: Mapped[int] = mapped_column(BigInteger)
    previous: Mapped[int | None] = mapped_column(BigInteger)
    previous_on: Mapped[date | None]
    consumption: Mapped[int | None] = mapped_column(BigInteger)
    days: Mapped[int | None] = mapped_column(Integer)  # since the previous reading
    period: Mapped[str] = mapped_column(String(7), index=True)  # YYYY-MM it counts for
    status: Mapped[str] = mapped_column(String(16), index=True)
    flags: Mapped[str] = mapped_column(String(120), default="")
    channel: Mapped[str] = mapped_column(String(16), default="ivr")
    confidence: Mapped[float | None]
    received_at: Mapped[datetime] = mapped_column(index=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"))
    turn_id: Mapped[int | None] = mapped_column(ForeignKey("turns.id", ondelete="SET NULL"))
    # A text reading's message (any text channel); call_id is None then.
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))
    # The last supervisor decision on a flagged reading; the audit trail keeps every one.
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None]
    meter: Mapped[Meter] = relationship()
    call: Mapped[Call | None] = relationship()
    turn: Mapped[Turn | None] = relationship()
    message: Mapped[Message | None] = relationship()

    @property
    def flag_list(self) -> list[str]:
        return [f for f in self.flags.split(";") if f]


class Message(Base):
    """One text (SMS, WhatsApp or e-mail) and what the hotline answered; see docs/DESIGN.md."""

    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("channel", "external_id", name="uq_messages_channel_external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # a registry entry's name (ivr/channels.py)
    external_id: Mapped[str] = mapped_column(String(255))  # MessageSid or Message-ID
    sender: Mapped[str] = mapped_column(String(320))  # as received, without a whatsapp: prefix
    # E.164 number or lower-cased e-mail address: the rate limit, «ДА» and the account match use it.
    sender_key: Mapped[str] = mapped_column(String(320), index=True)
    locale: Mapped[str] = mapped_column(String(8))
    body: Mapped[str] = mapped_column(Text, default="")
    # A body longer than IVR_TEXT_MAX_CHARS is stored cut there; this is its length as received.
    body_chars: Mapped[int | None]
    reply: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(24), index=True)  # a MessageStatus
    account_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id", ondelete="SET NULL"))
    received_at: Mapped[datetime] = mapped_column(index=True)
    replied_at: Mapped[datetime | None]
    pending: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # readings waiting for «ДА»
    expires_at: Mapped[datetime | None]
    account: Mapped[Account | None] = relationship()


class SenderPhone(Base):
    """The phone a sender of a channel that knows no phone number shared with us (Telegram's contact):
    their readings are verified against it, as an SMS sender's are against their number."""

    __tablename__ = "sender_phones"

    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    sender_key: Mapped[str] = mapped_column(String(320), primary_key=True)
    phone: Mapped[str] = mapped_column(String(32))  # E.164
    shared_at: Mapped[datetime] = mapped_column(index=True)


class Notice(Base):
    """A notice waiting in the outbox, written in the transaction that decided it and sent after its
    commit by `ivr outbox send`, at least once (ivr/calls/outbox.py)."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_due", "sent_at", "failed_at", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(320))  # in full, as messages.sender; masked in logs
    text: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # an outbox.Kind: expired, reply
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column()
    due_at: Mapped[datetime] = mapped_column()  # the next try, after the backoff of a failed one
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # tries begun, a deliverer's death included
    claimed_until: Mapped[datetime | None]  # a deliverer's lease: nobody else sends it until then
    sent_at: Mapped[datetime | None]  # the provider took it
    failed_at: Mapped[datetime | None]  # given up: refused for good, or out of attempts
    last_error: Mapped[str | None] = mapped_column(String(500))  # masked
    provider_id: Mapped[str | None] = mapped_column(String(64))  # the provider's id, when it gave one


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))
    # Raised at logout: console sessions carry it, so copies of a logged-out cookie stop working.
    session_epoch: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column()


class AuditEvent(Base):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(100), index=True)  # e.g. reading:12, call:CA..
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class Lock(Base):
    """A named lease that works on SQLite and PostgreSQL alike: one retention run at a time."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    holder: Mapped[str | None] = mapped_column(String(64))
    until: Mapped[datetime | None]


class LoginAttempt(Base):
    """A console login attempt, a failure until its password proves right; kept in the database so
    that every worker counts the same attempts."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_name_ip_at", "name", "ip", "at"),
        Index("ix_login_attempts_ip_at", "ip", "at"),  # failures per address, over all names
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column()


class Upload(Base):
    """An accounts file uploaded in the console, from its preview to its confirmation (ivr/store/uploads.py)."""

    __tablename__ = "uploads"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    actor: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(255))  # the file's name, as the browser sent it
    partial: Mapped[bool]  # the file holds only some accounts: the others' meters stay
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(index=True)
