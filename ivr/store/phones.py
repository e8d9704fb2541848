"""Personal data: phone numbers normalised to E.164, and numbers and addresses masked."""

from __future__ import annotations

import re
from functools import cache

import phonenumbers

from ivr.locales import texts

DEFAULT_REGION = "RU"
# Caller IDs Twilio sends when the number is withheld (anonymous, restricted, unavailable, ...).
HIDDEN_IDS = {"+266696687", "+7378742833", "+86282452253", "+8656696", "+2562533"}


def normalise(raw: str | None, region: str = DEFAULT_REGION) -> str | None:
    """Return the E.164 form of a human-written number, or None if it is not a real number."""
    text = (raw or "").strip()
    if not text or text in HIDDEN_IDS or not any(c.isdigit() for c in text):
        return None
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None if e164 in HIDDEN_IDS else e164


# A +7 number (Russia, Kazakhstan) as it is mostly written. Whether one is valid is settled by its
# first seven national digits (neither country's patterns look further), so a long list is checked
# with phonenumbers once per prefix: an accounts file of a million numbers in seconds, not minutes.
PLUS7 = re.compile(r"(?:\+7|7|8)([3-9]\d{9})")
LAYOUT = str.maketrans("", "", " ()-.")
MAX_PREFIXES = 100_000
_valid_prefixes: dict[str, bool] = {}


def normalise_many(raw: str) -> str | None:
    """normalise(raw), the same answer, for numbers in bulk."""
    plus7 = PLUS7.fullmatch(raw.strip().translate(LAYOUT))
    if plus7 is None:
        return normalise(raw)
    national = plus7[1]
    valid = _valid_prefixes.get(national[:7])
    if valid is None:
        if len(_valid_prefixes) >= MAX_PREFIXES:
            _valid_prefixes.clear()
        valid = _valid_prefixes[national[:7]] = normalise("+7" + national) is not None
    return "+7" + national if valid else None


# Retention's pseudonyms start so (ivr/retention): never a number or an address, shown as they are.
PSEUDONYM = "anon:"


def mask(number: str | None) -> str:
    """Hide the middle of a number: +7 916 ***-**-67."""
    if not number:
        return "—"
    if number.startswith(PSEUDONYM):
        return number
    digits = "".join(c for c in number if c.isdigit())
    if len(digits) < 6:
        return "***"
    if number.startswith("+7") and len(digits) == 11:
        return f"+7 {digits[1:4]} ***-**-{digits[-2:]}"
    return f"+{digits[:2]} ***{digits[-2:]}"


def mask_email(address: str | None) -> str:
    """Keep the first letter and the domain: i***@example.com."""
    name, at, domain = (address or "").strip().partition("@")
    return f"{name[:1]}***@{domain}" if at and name else "—"


def _house() -> re.Pattern:
    return _house_in(texts.addresses())


@cache
def _house_in(packs: tuple[texts.Addresses, ...]) -> re.Pattern:
    """Where the house starts: a pack's house word and a number ("д. 1", "дом 1", "кв. 5", "apt 4"),
    at the start of a comma part or after a space inside one ("ул. Ленина д. 5"); or a bare number
    like "12а"."""
    words = "|".join(sorted({re.escape(w) for pack in packs for w in pack.house})) or "(?!)"
    return re.compile(
        rf"(?:^|\s)(?:{words})\.?\s*\d"
        r"|^\d+\s*[^\W\d_]?$",  # a bare number only as a whole part: "ул. 8 Марта" is a street
        re.IGNORECASE,
    )


def mask_address(address: str | None) -> str:
    """Keep the city and street, hide the house and flat: 'ул. Ленина, ***'."""
    parts = [p.strip() for p in (address or "").split(",") if p.strip()]
    if not parts:
        return "—"
    kept = []
    for part in parts:
        house = _house().search(part)
        if house:
            street = part[: house.start()].strip()
            kept += [street] if street else []
            break
        kept.append(part)
    else:  # no house marker found: hide the last part anyway
        kept = kept[:-1]
    if not kept:
        kept = parts[0].split()[:1]
    return ", ".join(kept + ["***"])
