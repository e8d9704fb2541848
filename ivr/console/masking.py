"""Personal data on console pages: masked by default, shown only on request, each time audited."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from flask import abort, request
from flask_login import current_user

from ivr.channels import TRAITS
from ivr.console import audit
from ivr.console.parts import ConsoleParts
from ivr.console.roles import UNMASK, may
from ivr.logs import PHONE, address_pattern
from ivr.store.phones import mask as mask_phone
from ivr.store.phones import mask_address, normalise

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def mask_email(address: str | None) -> str:
    """Keep the first letter and the domain: i***@example.ru."""
    name, _, domain = (address or "").partition("@")
    return f"{name[:1]}***@{domain}" if domain else "***"


def scrub_text(text: str) -> str:
    """A sender's text with phone numbers, e-mail and addresses masked. Only real numbers
    count as phones: «100001 12345 6789», an account and its readings, stays readable."""
    text = EMAIL.sub(lambda m: mask_email(m.group()), text)
    text = PHONE.sub(lambda m: mask_phone(e164) if (e164 := normalise(m.group())) else m.group(), text)
    return address_pattern().sub(lambda m: mask_address(m.group().rstrip(" ,.-")) + " ", text).rstrip()


@dataclass(frozen=True)
class Privacy:
    """How one page shows phone numbers and addresses."""

    revealed: bool = False

    def phone(self, number: str | None) -> str:
        return (number or "—") if self.revealed else mask_phone(number)

    def address(self, address: str | None) -> str:
        return (address or "—") if self.revealed else mask_address(address)

    def text(self, text: str | None, address: str | None) -> str:
        """A prompt that may read the caller's address out, with the address masked."""
        if self.revealed or not text or not address:
            return text or ""
        return text.replace(address, mask_address(address))

    def message(self, text: str | None, address: str | None = None) -> str:
        """A text a sender wrote: their numbers, e-mail and addresses masked, the account's too."""
        if self.revealed or not text:
            return text or ""
        return scrub_text(self.text(text, address))

    def sender(self, sender: str | None, channel: str) -> str:
        """A message's sender, masked as its channel's registry entry says: wholly, for a channel the
        registry no longer knows."""
        if self.revealed or not sender:
            return sender or "—"
        traits = TRAITS.get(channel)
        return traits.mask(sender) if traits else "***"


def privacy(parts: ConsoleParts, subject: str, seen: Iterable[str] = (),
            filters: Mapping[str, str] | None = None) -> Privacy:  # fmt: skip
    """Show personal data when ?unmask=1 asks and the role allows.

    Every such view is audited: who, the page with its filters, and the records it showed
    (`seen`, e.g. call:CA… or reading:12), so that one can tell whose data was looked at.
    """
    if request.args.get("unmask") != "1":
        return Privacy(False)
    if not may(UNMASK):
        abort(403)
    asked = {k: v for k, v in (filters or {}).items() if k != "unmask" and v}
    where = f"{request.path}?{urlencode(sorted(asked.items()))}" if asked else request.path
    with parts.transaction() as s:
        shown = " ".join(seen) or None
        audit.record(s, parts.clock.now(), current_user.name, "unmask", subject, new=shown, note=where)
    return Privacy(True)
