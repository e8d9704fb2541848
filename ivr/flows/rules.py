"""Reading rules: is a meter reading plausible, and what flags does it carry."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the model imports Rules for its Context
    from ivr.flows.model import ZoneInfo


NEGATIVE = "NEGATIVE"
ROLLOVER = "ROLLOVER"
HIGH = "HIGH"
ZERO = "ZERO"
OUT_OF_WINDOW = "OUT_OF_WINDOW"
LOW_CONFIDENCE = "LOW_CONFIDENCE"
# Flags that ask for the special confirmation instead of a plain read-back.
SUSPICIOUS = (NEGATIVE, ROLLOVER, HIGH)


@dataclass(frozen=True)
class Rules:
    rollover_top: float = 0.9  # previous at or above this share of 10^digits ...
    rollover_bottom: float = 0.1  # ... and new at or below this share: the display wrapped
    high_factor: float = 2.0  # times the expected use from history
    no_history_daily_kwh: float = 50.0
    low_confidence: float = 0.75  # voice answers below this are flagged for review


@dataclass(frozen=True)
class Verdict:
    """accept (read back), special (suspicious: special confirmation), lower or invalid."""

    outcome: str
    value: int | None = None
    consumption: int | None = None
    flags: tuple[str, ...] = ()


def check_reading(
    digits: str,
    display_digits: int,
    zone: "ZoneInfo",
    today: date,
    refused_lower: int | None = None,
    rules: Rules = Rules(),
) -> Verdict:
    """Judge one zone's reading against the previous one and the history."""
    if not digits.isdigit() or len(digits) > display_digits:
        return Verdict("invalid")
    value = int(digits)
    if zone.previous is None:
        return Verdict("accept", value)
    flags: list[str] = []
    consumption = value - zone.previous
    if consumption < 0:
        span = 10**display_digits
        if zone.previous >= rules.rollover_top * span and value <= rules.rollover_bottom * span:
            consumption += span
            flags.append(ROLLOVER)
        elif refused_lower == value:
            # The caller insists on a lower value: take it, but only for a supervisor's review.
            return Verdict("special", value, consumption, (NEGATIVE,))
        else:
            return Verdict("lower", value, consumption)
    if consumption == 0:
        flags.append(ZERO)
    elif _too_high(consumption, zone, today, rules):
        flags.append(HIGH)
    outcome = "special" if any(f in SUSPICIOUS for f in flags) else "accept"
    return Verdict(outcome, value, consumption, tuple(flags))


def _too_high(consumption: int, zone: "ZoneInfo", today: date, rules: Rules) -> bool:
    if zone.previous_on is None:
        return False
    days = max(1, (today - zone.previous_on).days)
    if zone.daily_use and zone.daily_use > 0:
        return consumption > rules.high_factor * zone.daily_use * days
    return consumption > rules.no_history_daily_kwh * days
