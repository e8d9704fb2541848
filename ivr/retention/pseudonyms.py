"""Keyed pseudonyms for callers' numbers and senders: stable, so statistics per caller survive.

HMAC-SHA256 under IVR_PSEUDONYM_KEY: the same number gives the same pseudonym on every node and run,
and without the key nobody can test a guessed number against it.
"""

from __future__ import annotations

import hashlib
import hmac

from ivr.store.phones import PSEUDONYM as PREFIX  # so a pseudonym is never pseudonymised again


def pseudonym(key: str, identity: str) -> str:
    """'anon:' and 15 hex digits (60 bits): 20 characters, the width of calls.caller_e164."""
    return PREFIX + hmac.new(key.encode(), identity.encode(), hashlib.sha256).hexdigest()[:15]


def replace(text: str | None, found: dict[str, str]) -> str | None:
    """Text with every original in `found` replaced by its pseudonym, longest first."""
    if not text:
        return text
    for original in sorted(found, key=len, reverse=True):
        if original:
            text = text.replace(original, found[original])
    return text
