"""A letter as the hotline reads it: who sent it, its id, and the few lines that may hold a template.

Headers and bodies are decoded from their declared charset (utf-8, cp1251, koi8-r, ...); HTML is
reduced to its text; quoted replies (`>`) and the signature (below `-- `) are dropped.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parseaddr

from ivr import flows
from ivr.locales.lexicon import read_text
from ivr.mail import loops

FIRST_LINES = 5  # the template is at the top; the rest is greetings, quotes and signatures
FALLBACK_CHARS = 200  # what is passed on when no line is a template: enough to be answered with it
# Subjects of replies and forwards repeat an earlier subject (maybe our own): never a new submission.
REPLY_SUBJECT = re.compile(r"^\s*(re|fwd?|aw|sv|ответ|отв|пересл)\s*(\[\d+\])?\s*:", re.IGNORECASE)
BLOCKS = re.compile(r"<(script|style|head)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
QUOTES = re.compile(r"<blockquote\b.*?</blockquote\s*>", re.IGNORECASE | re.DOTALL)
BREAKS = re.compile(r"<\s*(br|/p|/div|/li|/tr|/h\d)\b[^>]*>", re.IGNORECASE)
TAGS = re.compile(r"<[^>]*>")
# Where a quoted letter starts in replies that do not prefix it with ">".
QUOTE_HEADER = re.compile(r"^(-+ ?(original message|исходное сообщение|пересылаемое сообщение).*|"
                          r"(on|в|\d).{0,80}(wrote|написал\(а\)|написал|пишет):\s*)$", re.IGNORECASE)  # fmt: skip


@dataclass(frozen=True)
class Letter:
    message_id: str  # its Message-ID, or a hash of the letter when it has none
    sender: str  # the From address
    subject: str
    lines: tuple[str, ...]  # the body's first lines, without quotes and signature
    media: bool  # attachments or other non-text parts
    automatic: str | None  # why it must not be answered (an auto-reply, bounce, list mail), or None
    references: str  # the letter's References, for the reply's thread

    def text(self) -> str:
        """What to read: the body's first lines together, one of them alone, or the subject when it
        is no reply's; the first that is a template or a keyword. Otherwise the top of the body."""
        subject = "" if REPLY_SUBJECT.match(self.subject) else self.subject
        for candidate in ("\n".join(self.lines), *self.lines, subject):
            if candidate.strip() and read_text(candidate).kind != flows.TextKind.UNKNOWN:
                return candidate
        return ("\n".join(self.lines) or subject)[:FALLBACK_CHARS]


def read(raw: bytes, own_address: str = "") -> Letter:
    message = BytesParser(policy=policy.default).parsebytes(raw)
    sender = _address(message)
    message_id = str(message.get("Message-ID", "")).strip()
    if not message_id:  # the same letter fetched again hashes the same
        message_id = f"<sha256-{hashlib.sha256(raw).hexdigest()[:40]}@ivr.invalid>"
    automatic = loops.automatic(message, sender)
    if own_address and sender.lower() == own_address.lower():
        automatic = "sent by the hotline itself"
    return Letter(message_id, sender, _header(message, "Subject"), tuple(_lines(_body(message))),
                  _has_media(message), automatic, _header(message, "References"))  # fmt: skip


def _address(message: EmailMessage) -> str:
    """The From address; the display name (decoded, maybe in Cyrillic) is no part of it."""
    try:
        addresses = message["From"].addresses if message["From"] is not None else ()
    except (AttributeError, ValueError, LookupError):  # a From the header parser could not read
        return parseaddr(str(message.get_all("From", [""])[0]))[1]
    return addresses[0].addr_spec if addresses else ""


def _header(message: EmailMessage, name: str) -> str:
    try:
        return " ".join(str(message.get(name, "")).split())
    except (ValueError, LookupError):  # a broken encoded word: what we could read
        return " ".join(str(message.get_all(name, [""])[0]).split())


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeError):  # an unknown or wrong charset: read it as best we can
        content = part.get_payload(decode=True).decode("utf-8", "replace")
    return _html_text(content) if part.get_content_subtype() == "html" else content


def _html_text(markup: str) -> str:
    markup = QUOTES.sub("", BLOCKS.sub("", markup))
    return html.unescape(TAGS.sub("", BREAKS.sub("\n", markup))).replace("\xa0", " ")


def _lines(body: str) -> list[str]:
    lines = []
    for line in body.splitlines():
        if line.rstrip() == "--" or QUOTE_HEADER.match(line.strip()):  # the signature, or a quote
            break
        if line.strip() and not line.lstrip().startswith(">"):
            lines.append(line.strip())
    return lines[:FIRST_LINES]


def _has_media(message: EmailMessage) -> bool:
    return any(part.get_content_maintype() != "text" or part.get_content_disposition() == "attachment"
               for part in message.walk() if not part.is_multipart())  # fmt: skip
