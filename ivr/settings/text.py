"""The text channels' limits (every channel of the registry): a settings type below `ivr.config`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TextLimits:
    confirm_minutes: int = 60  # IVR_TEXT_CONFIRM_MINUTES: how long a rollover or high use waits for «ДА»
    rate_limit: int = 10  # IVR_TEXT_RATE_LIMIT messages per sender ...
    rate_window_minutes: int = 60  # ... in IVR_TEXT_RATE_WINDOW_MINUTES
    max_chars: int = 480  # IVR_TEXT_MAX_CHARS: longer messages are refused unread
