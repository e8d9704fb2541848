"""The channel registry: every text channel the hotline takes readings by, one entry each.

An entry says all the rest of the hotline knows of its channel: its traits (how a sender is keyed,
stored, masked and verified, how its replies go out and how long they may be), its notifier built from
the settings, and the webhook its messages come in on. The message service, the console and
`ivr messages expire` read these; none of them names a channel. A new channel is its adapter, one
entry here and its settings (docs/DESIGN.md, "Channels").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from flask import Blueprint

from ivr.calls.channels import Notifier, Replies, Traits, Verify, address, phone
from ivr.config import Config
from ivr.mail import poll
from ivr.mail.replies import MailNotifier
from ivr.runtime import Runtime
from ivr.store.phones import mask, mask_email
from ivr.telegram import bot_api, webhook
from ivr.telephony import messaging
from ivr.telephony.notices import TwilioNotifier

TWILIO_CHARS = 1600  # the longest body Twilio sends, on SMS (as concatenated parts) and WhatsApp


@dataclass(frozen=True)
class Entry:
    traits: Traits
    notifier: Callable[[Config], Notifier]  # sends its notices, with the settings' credentials
    # Builds the blueprint its messages come in on, with the app's parts (registered, and exempt from
    # the console's CSRF token: the channel checks its own signature); None when another entry's
    # serves it too, or none does.
    webhook: Callable[[Runtime], Blueprint] | None = None


def _twilio(channel: str, prefix: str = "") -> Callable[[Config], Notifier]:
    return lambda c: TwilioNotifier(
        channel, c.account_sid, c.auth_token, c.twilio_from, c.twilio_api_url, prefix
    )


def _phone(sender: str) -> str:
    return phone(messaging.bare(sender))


ENTRIES: tuple[Entry, ...] = (
    Entry(Traits(messaging.SMS, key=_phone, stored=messaging.bare, mask=mask, verify=Verify.PHONE,
                 replies=Replies.INLINE, max_chars=TWILIO_CHARS, label="SMS"),
          _twilio(messaging.SMS), messaging.blueprint),
    # The same Twilio webhook as SMS: its senders carry the whatsapp: prefix.
    Entry(Traits(messaging.WHATSAPP, key=_phone, stored=messaging.bare, mask=mask, verify=Verify.PHONE,
                 replies=Replies.INLINE, max_chars=TWILIO_CHARS, label="WhatsApp"),
          _twilio(messaging.WHATSAPP, messaging.PREFIX)),
    # Polled by `ivr mail poll`, which sends the replies itself; anyone can write any From:, so an
    # address proves nothing.
    Entry(Traits(poll.CHANNEL, key=address, stored=str.strip, mask=mask_email, verify=Verify.NONE,
                 replies=Replies.ADAPTER, max_chars=20_000, label="e-mail"),
          lambda c: MailNotifier(c.mail)),
    # A chat id knows no phone: a sender is verified by the contact they shared, their own.
    Entry(Traits(webhook.CHANNEL, key=webhook.key, stored=str.strip, mask=bot_api.mask, verify=Verify.CONTACT,
                 replies=Replies.OUTBOX, max_chars=bot_api.MAX_CHARS, label="Telegram"),
          bot_api.notifier, webhook.blueprint),
)  # fmt: skip

TRAITS: Mapping[str, Traits] = {entry.traits.name: entry.traits for entry in ENTRIES}


def mask(channel: str, recipient: str) -> str:
    """A recipient as its channel masks it for logs (one the registry no longer knows: wholly)."""
    return TRAITS[channel].mask(recipient) if channel in TRAITS else "***"


def notifiers(config: Config) -> dict[str, Notifier]:
    """Every channel's notifier, with the credentials of these settings."""
    return {entry.traits.name: entry.notifier(config) for entry in ENTRIES}


def webhooks(rt: Runtime) -> list[Blueprint]:
    return [entry.webhook(rt) for entry in ENTRIES if entry.webhook is not None]
