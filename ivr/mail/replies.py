"""Letters the hotline writes: a reply in the customer's thread, and the notice of expired readings.

Both say Auto-Submitted (RFC 3834), so well-behaved auto-responders do not answer them; a reply's
Message-ID follows from the letter it answers, so a reply sent twice (see docs/DESIGN.md) is one
letter to mail clients that drop duplicates.
"""

from __future__ import annotations

import hashlib
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from ivr.calls.channels import Undeliverable
from ivr.mail.letters import REPLY_SUBJECT, Letter
from ivr.mail.servers import outbox
from ivr.settings.mail import MailSettings
from ivr.store.phones import mask_email

PERMANENT = 500  # a server that refuses a recipient with 5xx will refuse again


def reply(letter: Letter, text: str, sender: str) -> EmailMessage:
    subject = letter.subject if REPLY_SUBJECT.match(letter.subject) else f"Re: {letter.subject}".strip()
    message = _letter(sender, letter.sender, subject if letter.subject else _first_line(text), text)
    message["In-Reply-To"] = letter.message_id
    message["References"] = f"{letter.references} {letter.message_id}".strip()
    message["Auto-Submitted"] = "auto-replied"
    digest = hashlib.sha256(letter.message_id.encode()).hexdigest()[:32]
    message["Message-ID"] = f"<reply-{digest}@{sender.rpartition('@')[2] or 'ivr.invalid'}>"
    return message


@dataclass(frozen=True)
class MailNotifier:
    """The e-mail channel's notices (readings that expired): a letter of their own, through SMTP."""

    settings: MailSettings

    def send(self, recipient: str, text: str) -> None:
        self.settings.ready(reading=False)
        message = _letter(self.settings.sender or "", recipient, _first_line(text), text)
        message["Auto-Submitted"] = "auto-generated"
        try:
            with outbox(self.settings) as smtp:
                smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as refused:
            if min(code for code, _ in refused.recipients.values()) >= PERMANENT:
                raise Undeliverable(f"SMTP refused {mask_email(recipient)} for good") from None
            raise


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
