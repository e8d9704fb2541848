"""Telegram Bot API updates read into what the hotline takes from them. Pure, and never raises.

https://core.telegram.org/bots/api#update: an update carries one of message, edited_message,
callback_query, ...; only a new message in a private chat is a reading, a command or a shared contact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from enum import StrEnum

MAX_TEXT = 4096  # Telegram's own limit on a message's text; anything longer is cut to it, unread
# A bot command at the start of a message: /start, /help@utility_bot, with an optional payload.
COMMAND = re.compile(r"/([A-Za-z0-9_]{1,32})(?:@\w+)?(?:\s|$)")
# Parts of a message that are no text the template can be read from: refused like an MMS.
MEDIA = ("photo", "document", "video", "voice", "audio", "sticker", "animation", "video_note",
         "location", "venue", "poll", "dice", "game", "story")  # fmt: skip


class Kind(StrEnum):
    TEXT = "text"  # words: the template, «ДА», a keyword
    COMMAND = "command"  # /start, /help: the bot's button, answered with the template
    CONTACT = "contact"  # a contact card shared with the bot
    MEDIA = "media"  # a picture, a file, a sticker, ...: refused unread
    IGNORED = "ignored"  # an edit, a group's or channel's post, a button's callback: nothing to take


@dataclass(frozen=True)
class Update:
    update_id: int
    kind: Kind
    chat_id: str = ""  # where the reply goes: a private chat's id is its user's
    from_id: str = ""  # who sent it
    text: str = ""  # the text, or a media's caption
    language: str | None = None  # the sender's Telegram language (from.language_code), e.g. ru
    contact_phone: str | None = None
    contact_user_id: str | None = None  # the Telegram user the contact card is of, when they have one

    @property
    def own_contact(self) -> bool:
        """The sender shared their own number (the keyboard's request_contact button), not another's."""
        return (
            self.kind == Kind.CONTACT and bool(self.contact_user_id) and self.contact_user_id == self.from_id
        )


def parse(data: object) -> Update | None:
    """Read one update; None when it is not an update at all (no whole update_id)."""
    if not isinstance(data, dict):
        return None
    update_id = data.get("update_id")
    if not isinstance(update_id, int) or isinstance(update_id, bool) or update_id < 0:
        return None
    message = data.get("message")
    if not isinstance(message, dict):  # edited_message, channel_post, callback_query, my_chat_member, ...
        return Update(update_id, Kind.IGNORED)
    chat, sender = _dict(message.get("chat")), _dict(message.get("from"))
    chat_id, from_id = _id(chat.get("id")), _id(sender.get("id"))
    # A group's chat is not one person's: a reading there would be read by the group, and its sender
    # could never be verified against the chat the reply goes to.
    if chat.get("type") != "private" or not chat_id or not from_id or sender.get("is_bot") is True:
        return Update(update_id, Kind.IGNORED)
    text = message.get("text") if isinstance(message.get("text"), str) else message.get("caption")
    text = text[:MAX_TEXT] if isinstance(text, str) else ""
    language = sender.get("language_code")
    base = Update(update_id, Kind.TEXT, chat_id, from_id, text,
                  language[:2].lower() if isinstance(language, str) else None)  # fmt: skip
    contact = message.get("contact")
    if isinstance(contact, dict):
        phone = contact.get("phone_number")
        return replace(base, kind=Kind.CONTACT, contact_phone=phone if isinstance(phone, str) else None,
                     contact_user_id=_id(contact.get("user_id")) or None)  # fmt: skip
    if any(key in message for key in MEDIA) or not isinstance(message.get("text"), str):
        return replace(base, kind=Kind.MEDIA)
    if COMMAND.match(text):
        return replace(base, kind=Kind.COMMAND)
    return base


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _id(value: object) -> str:
    """A user's or chat's id as text: a whole number (a bool is no id), or "" for anything else."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else ""
