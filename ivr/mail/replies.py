"""Letters the hotline writes: a reply in the customer's thread, and the notice of expired readings.

Both say Auto-Submitted (RFC 3834), so well-behaved auto-responders do not answer them; a reply's
Message-ID follows from the letter it answers, so a reply sent twice (see docs/DESIGN.md) is one
letter to mail clients that drop duplicates.
"""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import formatdate

from ivr.mail.letters import REPLY_SUBJECT, Letter
from ivr.mail.servers import outbox
from ivr.mail.settings import MailSettings


def reply(letter: Letter, text: str, sender: str) -> EmailMessage:
    subject = letter.subject if REPLY_SUBJECT.match(letter.subject) else f"Re: {letter.subject}".strip()
    message = _letter(sender, letter.sender, subject if letter.subject else _first_line(text), text)
    message["In-Reply-To"] = letter.message_id
    message["References"] = f"{letter.references} {letter.message_id}".strip()
    message["Auto-Submitted"] = "auto-replied"
    digest = hashlib.sha256(letter.message_id.encode()).hexdigest()[:32]
    message["Message-ID"] = f"<reply-{digest}@{sender.rpartition('@')[2] or 'ivr.invalid'}>"
    return message


def notify(channel: str, sender: str, text: str) -> None:
    """`ivr messages expire`'s notifier for e-mail: tell the sender their readings were not stored."""
    from ivr.runtime import config

    settings: MailSettings = config().mail
    settings.ready(reading=False)
    message = _letter(settings.sender or "", sender, _first_line(text), text)
    message["Auto-Submitted"] = "auto-generated"
    with outbox(settings) as smtp:
        smtp.send_message(message)


def _letter(sender: str, to: str, subject: str, text: str) -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Date"] = formatdate()
    message["X-Auto-Response-Suppress"] = "All"  # Exchange's way to ask for no out-of-office reply
    message.set_content(text)
    return message


def _first_line(text: str) -> str:
    line = (text.strip().splitlines() or [""])[0]
    return line if len(line) <= 70 else line[:69] + "…"
