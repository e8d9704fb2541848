"""Take one text message once, whatever its channel: read the template, judge, store, reply.

A channel is known by its traits (ivr/calls/channels.py), never by its name."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from ivr import flows, metrics
from ivr.calls import outbox, senders, storage
from ivr.calls.channels import Replies, Traits, Verify
from ivr.calls.storage import storable
from ivr.clock import Clock
from ivr.flows import MessageStatus, Rules, Say, TextKind
from ivr.locales import replies
from ivr.locales.lexicon import read_text
from ivr.settings.text import TextLimits
from ivr.store import database
from ivr.store.directory import StoreDirectory
from ivr.store.models import Message
from ivr.store.phones import normalise
from ivr.store.readings import VerdictChanged, save_meter

log = logging.getLogger(__name__)
ATTEMPTS = 3  # judgements of one message, each after another submission changed its meter's verdict
# A «ДА» that arrived by the deadline is taken within this: a webhook's budget is 9 s, and a letter's
# transaction is bounded by the database's timeouts. The expiry run waits this long past a deadline.
IN_FLIGHT = timedelta(seconds=30)


@dataclass(frozen=True)
class Contact:
    """A contact card a sender shared: the phone their readings are verified against when it is their
    own (the channel knows whose card it is); another's is refused and forgotten."""

    phone: str
    own: bool


@dataclass(frozen=True)
class Incoming:
    channel: str  # the name of one of the service's channels
    external_id: str  # Twilio's MessageSid, or the e-mail's Message-ID
    sender: str  # as the channel gives it: +7…, whatsapp:+7…, an e-mail address, a chat id
    body: str
    received_at: datetime  # naive UTC
    locale_hint: str | None = None  # the reply language when the text itself does not tell
    media: bool = False  # it came with pictures or other parts: refused, unread
    automatic: bool = False  # an auto-reply, bounce or list mail: recorded as ignored, never answered
    contact: Contact | None = None  # a contact card shared instead of words (Telegram's)


@dataclass(frozen=True)
class Outgoing:
    text: str  # the reply; empty when none is due (a sender already told of the rate limit)
    locale: str
    status: str  # a MessageStatus
    duplicate: bool = False  # a delivery seen before: the stored reply, nothing changed
    replied: bool = True  # the reply went out (replied_at is set); False for one the channel sends later


class MessageService:
    """The only place that takes a text message, runs the text flow and saves its readings."""

    def __init__(self, sessions: sessionmaker, regions: flows.Regions, rules: Rules, locale: str,
                 clock: Clock, channels: Mapping[str, Traits], limits: TextLimits = TextLimits()) -> None:  # fmt: skip
        self.sessions, self.regions, self.rules = sessions, regions, rules
        self.locale, self.limits, self.clock, self.channels = locale, limits, clock, channels

    def receive(self, incoming: Incoming) -> Outgoing:
        """Answer a message once; every further delivery of it gets the same reply."""
        traits = self.channels[incoming.channel]
        key = storable(traits.key(incoming.sender))

        def work(s: Session) -> Outgoing:
            values = {"channel": incoming.channel, "external_id": storable(incoming.external_id)[:255],
                      "sender": storable(traits.stored(incoming.sender))[:320], "sender_key": key[:320],
                      "locale": self.locale, "body": storable(incoming.body[: self.limits.max_chars]),
                      "body_chars": len(incoming.body) if len(incoming.body) > self.limits.max_chars else None,
                      "reply": "",
                      "status": MessageStatus.REJECTED, "received_at": incoming.received_at}  # fmt: skip
            senders.one_at_a_time(s, key)
            inserted = s.execute(database.insert_ignoring(s, Message, values).returning(Message.id)).first()
            message = s.scalars(select(Message).where(Message.channel == incoming.channel,
                                Message.external_id == values["external_id"])).one()  # fmt: skip
            if not inserted:  # Twilio retried, or another worker took it first
                replied = message.replied_at is not None or not message.reply
                return Outgoing(message.reply, message.locale, message.status, True, replied)
            status, says, locale = self._answer_or_refuse(s, message, incoming)
            message.status, message.locale = status, locale
            message.reply = traits.cut(replies.load(locale).text(says)) if says else ""
            if says and traits.replies == Replies.INLINE:
                message.replied_at = incoming.received_at
            elif says and traits.replies == Replies.OUTBOX:  # else the adapter sends it
                outbox.enqueue(s, incoming.channel, message.sender, message.reply, self.clock.now(),
                               outbox.Kind.REPLY, message.id)  # fmt: skip
            s.flush()
            database.after_commit(s, lambda: log.info("%s %s from %s: %s", incoming.channel,
                                  message.id, traits.mask(key), status))  # fmt: skip
            database.after_commit(s, lambda: metrics.messages.labels(incoming.channel, status).inc())
            return Outgoing(message.reply, locale, status, replied=message.replied_at is not None or not says)

        return storage.run(self.sessions, work)

    def _answer_or_refuse(self, s: Session, m: Message, incoming: Incoming) -> tuple[str, list[Say], str]:
        """A message the parser or the rules fail on is refused with the template and recorded, so that
        it is never taken again and the sender's next message is read; only the database's own
        failures for now go up, to be tried again."""
        try:
            with s.begin_nested():
                return self._answer(s, m, incoming)
        except Exception as error:
            if database.transient(error):
                raise
            log.exception("%s %s could not be read: refused with the template", incoming.channel, m.id)
            return MessageStatus.REJECTED, [Say("template")], incoming.locale_hint or self.locale

    def _answer(self, s: Session, m: Message, incoming: Incoming) -> tuple[str, list[Say], str]:
        text = read_text(incoming.body) if len(incoming.body) <= self.limits.max_chars else None
        last = senders.last(s, m)
        locale = (text and text.locale) or incoming.locale_hint or (last and last.locale) or self.locale
        if incoming.automatic:
            return MessageStatus.IGNORED, [], locale
        if text is None:
            return MessageStatus.REJECTED, [Say("too_long")], locale
        if incoming.media:
            return MessageStatus.REJECTED, [Say("media")], locale
        if text.kind == TextKind.CONFIRM and senders.waiting(s, m) is not None:
            # Readings that wait for this «ДА» would expire: it is taken even at the rate limit.
            status, says = self._confirm(s, m)
            return status, says, locale
        since = m.received_at - timedelta(minutes=self.limits.rate_window_minutes)
        if senders.count_since(s, m, since) >= self.limits.rate_limit:
            told = senders.rate_limited_since(s, m, since)  # one polite reply per window, not a loop
            return MessageStatus.RATE_LIMITED, [] if told else [Say("rate_limited")], locale
        if incoming.contact is not None:
            return MessageStatus.CONTACT, [self._share(s, m, incoming.contact)], locale
        if text.kind in (TextKind.HELP, TextKind.UNKNOWN):
            return MessageStatus.HELP, [Say("template")], locale
        if text.kind in (TextKind.STOP, TextKind.START):
            return MessageStatus(text.kind.value), [Say(text.kind.value)], locale
        if text.kind == TextKind.CONFIRM:
            status, says = self._confirm(s, m)
            return status, says, locale
        result = self._take(s, m, text)
        return result.status, result.says, locale

    def _take(self, s: Session, m: Message, text: flows.Text) -> flows.TextResult:
        """Judge the message's readings and store them, or keep them waiting for «ДА». A verdict
        that changes under the meter's lock (another submission saved it meanwhile) is judged
        again from the start, so the reply always tells what was stored."""
        sender = self._phone(s, m)
        for _ in range(ATTEMPTS):
            ctx = self._context(s, m.received_at)
            result = flows.take_text(text, sender, ctx, senders.refused_lower(senders.last(s, m)),
                                     self.limits.confirm_minutes)  # fmt: skip
            try:
                with s.begin_nested():
                    self._save(s, m, result.saves)
                break
            except VerdictChanged as changed:
                log.info("message %s: %s; judged again", m.id, changed)
        else:
            raise RuntimeError(f"message {m.id}: the meters' verdicts kept changing")
        m.account_id = ctx.directory.ids.get(result.account or "")
        senders.drop_waiting(s, m)  # a newer submission replaces one that waits for «ДА»
        if result.lower:
            m.pending = {"lower": result.lower}
        if result.held:
            m.pending = flows.held_json(result.held)
            m.expires_at = m.received_at + timedelta(minutes=self.limits.confirm_minutes)
        return result

    def _phone(self, s: Session, m: Message) -> str | None:
        """The sender's phone to match against the account's, or None when it cannot be known."""
        verify = self.channels[m.channel].verify
        if verify == Verify.PHONE:
            return m.sender_key
        return senders.shared_phone(s, m.channel, m.sender_key) if verify == Verify.CONTACT else None

    def _share(self, s: Session, m: Message, contact: Contact) -> Say:
        """Keep the sender's own number, replacing an earlier one: their next readings are verified
        against it. Another's card, or no real number, is refused and nothing of it is kept."""
        number = normalise(contact.phone) if contact.own else None
        if number is None:
            return Say("contact_refused")
        senders.share_phone(s, m.channel, m.sender_key, number, self.clock.now())
        return Say("contact_saved", {"phone": number})

    def _confirm(self, s: Session, m: Message) -> tuple[str, list[Say]]:
        """«ДА»: store the readings the sender's last message left waiting, if still in time."""
        waiting = senders.waiting(s, m)
        if waiting is None:
            return MessageStatus.REFUSED, [Say("confirm_nothing")]
        if waiting.expires_at is None or waiting.expires_at <= m.received_at:
            waiting.status = MessageStatus.EXPIRED
            return MessageStatus.EXPIRED, [Say("confirm_expired")]
        saves = flows.texts_from_held(waiting.pending, self.rules)
        try:
            with s.begin_nested():
                self._save(s, waiting, saves)
        except VerdictChanged as changed:
            # Not what the sender said «ДА» to: their message is judged anew, and they hear the
            # new verdict (a new «ДА» request, or the readings stored or refused).
            log.info("message %s: %s; judged again", waiting.id, changed)
            result = self._take(s, m, read_text(waiting.body))
            return result.status, result.says
        waiting.status, m.account_id = MessageStatus.STORED, waiting.account_id
        return MessageStatus.CONFIRMED, flows.stored_says(saves, self.rules)

    def expire(self) -> int:
        """Mark readings whose «ДА» never came as expired and, in the same transaction, put a notice
        for each sender who has not opted out into the outbox (`ivr outbox send` sends it). Returns
        how many expired.

        Each sender's are expired in a transaction of their own, under the sender's lock. A «ДА» that
        arrived in time and is taken after that still stores them (senders.waiting); IN_FLIGHT after
        the deadline, no such «ДА» is left to come, so nobody is told of an expiry that was undone."""
        now = self.clock.now() - IN_FLIGHT
        expired = 0
        for key in storage.run(self.sessions, lambda s: senders.due(s, now)):

            def work(s: Session, key: str = key) -> int:
                rows = senders.expire(s, key, now)
                for m in (m for m in rows if not senders.opted_out(s, m)):
                    text = replies.load(m.locale).text([Say("expired_notice")])
                    outbox.enqueue(s, m.channel, m.sender, text, self.clock.now(), outbox.Kind.EXPIRED, m.id)
                return len(rows)

            expired += storage.run(self.sessions, work)
        return expired

    def replied(self, channel: str, external_id: str) -> None:
        """Record that a reply the channel sends on its own (an e-mail, once SMTP took it) went out now."""
        storage.run(self.sessions, lambda s: s.execute(
            update(Message).where(Message.channel == channel, Message.external_id == storable(external_id)[:255])
            .values(replied_at=self.clock.now()).execution_options(synchronize_session=False)))  # fmt: skip

    def _save(self, s: Session, m: Message, saves: tuple[flows.SaveMeter, ...]) -> None:
        for save in saves:
            save_meter(s, save, self.regions, m.received_at, message_id=m.id, channel=m.channel)

    def _context(self, s: Session, now: datetime) -> flows.Context:
        return flows.Context(StoreDirectory(s, self.regions, now), self.regions, now, self.locale, self.rules)
