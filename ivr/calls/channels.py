"""What the message service knows of a text channel: its traits, read as data, never its name.

The registry (ivr/channels.py) holds one Traits per channel; MessageService is handed them when built.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from ivr.store.phones import normalise

ELLIPSIS = "…"


class Verify(StrEnum):
    """How a sender is matched to the account a text names; unmatched readings are flagged
    UNVERIFIED_SENDER."""

    PHONE = "phone"  # the sender key is a phone number, matched against the account's phones
    CONTACT = "contact"  # the phone the sender shared with us (a contact card, Incoming.contact)
    NONE = "none"  # nothing about the sender can be matched (an e-mail address): always flagged


class Replies(StrEnum):
    """Who sends a channel's reply to a text, and when."""

    INLINE = "inline"  # it rides on the webhook's answer (Twilio's TwiML)
    OUTBOX = "outbox"  # queued with the message, sent by the outbox after the commit (ivr/calls/outbox.py)
    ADAPTER = "adapter"  # the adapter sends it itself (e-mail's poller, which answers in the letter's thread)


@dataclass(frozen=True)
class Traits:
    name: str  # the channel as stored on messages and readings: at most 16 characters
    key: Callable[[str], str]  # the sender normalised: one person, one key (rate limit, «ДА», match)
    stored: Callable[[str], str]  # the sender as stored on the message
    mask: Callable[[str], str]  # the sender (or its key) for logs and the console
    verify: Verify
    replies: Replies
    max_chars: int  # replies longer than this are cut
    label: str  # the console's name for it when the console's locale has no `channel.<name>`

    def cut(self, text: str) -> str:
        """The reply within max_chars: cut at the last line or word that fits, marked with «…»."""
        if len(text) <= self.max_chars:
            return text
        room = text[: self.max_chars - len(ELLIPSIS)]
        for sep in ("\n", " "):
            if (at := room.rfind(sep)) > self.max_chars // 2:
                room = room[:at]
                break
        return room.rstrip() + ELLIPSIS


class Undeliverable(Exception):
    """The provider refused the notice for good (no such number, the bot blocked): never retried.
    Any other exception from a notifier is a failure for now, worth another try."""


class Notifier(Protocol):
    """Sends a notice on its own, outside any webhook's answer: raises when it did not go out. It may
    return the provider's id of the message (the outbox keeps it as provider_id)."""

    def send(self, recipient: str, text: str) -> str | None: ...


def phone(sender: str) -> str:
    """A phone number's key: E.164, or the sender as written when it is no real number."""
    return normalise(sender) or sender.strip()


def address(sender: str) -> str:
    """An e-mail address's key: lower-cased."""
    return sender.strip().lower()
