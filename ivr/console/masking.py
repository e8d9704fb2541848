"""Personal data on console pages: masked by default, shown only on request, each time audited."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import takewhile

from flask import abort, request
from flask_login import current_user

from ivr.console import audit
from ivr.console.roles import UNMASK, may
from ivr.store import database
from ivr.store.phones import mask as mask_phone

# Where the house starts: "д. 1", "дом 1", "кв. 5", "корп. 2", "apt 4", or a bare number like "12а".
HOUSE = re.compile(
    r"^(д|дом|влд|корп|к|стр|строение|кв|квартира|house|bldg|building|apt|flat|unit)\.?\s*\d"
    r"|^\d+\s*[а-яa-z]?$",
    re.IGNORECASE,
)


def mask_address(address: str | None) -> str:
    """Keep the city and street, hide the house and flat: 'ул. Ленина, ***'."""
    parts = [p.strip() for p in (address or "").split(",") if p.strip()]
    if not parts:
        return "—"
    kept = list(takewhile(lambda p: not HOUSE.match(p), parts))
    if len(kept) == len(parts):  # no house marker found: hide the last part anyway
        kept = kept[:-1]
    if not kept:
        kept = parts[0].split()[:1]
    return ", ".join(kept + ["***"])


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


def privacy(subject: str) -> Privacy:
    """Show personal data when ?unmask=1 asks and the role allows; audit every such view."""
    if request.args.get("unmask") != "1":
        return Privacy(False)
    if not may(UNMASK):
        abort(403)
    with database.transaction() as s:
        audit.record(s, current_user.name, "unmask", subject, note=request.path)
    return Privacy(True)
