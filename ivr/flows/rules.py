"""Reading rules: is a meter reading plausible, how much was used, and what flags does it carry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ivr.flows.terms import Flag, ReadingStatus

if TYPE_CHECKING:  # the model imports Rules for its Context
    from ivr.flows.model import ZoneInfo

# Flags that ask for the special confirmation instead of a plain read-back.
SUSPICIOUS = (Flag.NEGATIVE, Flag.ROLLOVER, Flag.HIGH)
# Flags that follow from the use alone, so they change whenever the use is computed again.
USE_FLAGS = (Flag.NEGATIVE, Flag.ROLLOVER, Flag.ZERO)


@dataclass(frozen=True)
class Rules:
    rollover_top: float = 0.9  # previous at or above this share of 10^digits ...
    rollover_bottom: float = 0.1  # ... and new at or below this share: the display wrapped
    high_factor: float = 2.0  # times the expected use from history
    no_history_daily_kwh: float = 50.0
    low_confidence: float = 0.75  # voice answers below this are flagged for review
    confirm_margin: float = 0.3  # a voice «да» at a read-back must beat other answers by this much
    # A text from a number or address not on the account is flagged UNVERIFIED_SENDER: accepted
    # (False), or held for a supervisor's review like a NEGATIVE one (True).
    unverified_sender_review: bool = False


def consumption(
    previous: int | None, value: int, digits: int, rules: Rules = Rules()
) -> tuple[int | None, bool]:
    """Use since the previous reading, and whether the display rolled over past zero on the way."""
    if previous is None:
        return None, False
    used = value - previous
    span = 10**digits
    if used < 0 and previous >= rules.rollover_top * span and value <= rules.rollover_bottom * span:
        return used + span, True
    return used, False


def too_high(used: int, days: int | None, daily_use: float | None, rules: Rules = Rules()) -> bool:
    """More use over `days` than the history (or, without one, a household) makes likely."""
    if days is None:
        return False
    days = max(1, days)
    if daily_use and daily_use > 0:
        return used > rules.high_factor * daily_use * days
    return used > rules.no_history_daily_kwh * days


def regraded(
    flags: Iterable[str], used: int | None, rolled: bool, high: bool | None = None
) -> tuple[Flag, ...]:
    """The flags with those that follow from the use set again from a newly computed use.

    HIGH is set again too when `high` says so, and kept as it was when it is None. The flags
    come in the order check_reading and the flow give them.
    """
    changed = {*USE_FLAGS, *((Flag.HIGH,) if high is not None else ())}
    new = {Flag(f) for f in flags if f not in changed}
    new |= {Flag.NEGATIVE} if used is not None and used < 0 else set()
    new |= {Flag.ROLLOVER} if rolled else set()
    new |= {Flag.ZERO} if used == 0 else set()
    new |= {Flag.HIGH} if high else set()
    return tuple(f for f in Flag if f in new)


def status_for(flags: Iterable[str], rules: Rules = Rules()) -> ReadingStatus:
    """NEGATIVE readings wait for a supervisor, and unverified senders' when the rule says so;
    everything else is accepted, flags visible."""
    flags = set(flags)
    held = Flag.NEGATIVE in flags or (Flag.UNVERIFIED_SENDER in flags and rules.unverified_sender_review)
    return ReadingStatus.PENDING_REVIEW if held else ReadingStatus.ACCEPTED


@dataclass(frozen=True)
class Verdict:
    """accept (read back), special (suspicious: special confirmation), lower or invalid."""

    outcome: str
    value: int | None = None
    consumption: int | None = None
    flags: tuple[Flag, ...] = ()


def check_reading(
    digits: str,
    display_digits: int,
    zone: ZoneInfo,
    today: date,
    refused_lower: int | None = None,
    rules: Rules = Rules(),
) -> Verdict:
    """Judge one zone's reading against the previous one and the history."""
    if not (digits.isascii() and digits.isdigit()) or len(digits) > display_digits:
        return Verdict("invalid")
    value = int(digits)
    used, rolled = consumption(zone.previous, value, display_digits, rules)
    if used is None:
        return Verdict("accept", value)
    flags: list[Flag] = [Flag.ROLLOVER] if rolled else []
    if used < 0:
        if refused_lower == value:
            # The caller insists on a lower value: take it, but only for a supervisor's review.
            return Verdict("special", value, used, (Flag.NEGATIVE,))
        return Verdict("lower", value, used)
    days = (today - zone.previous_on).days if zone.previous_on else None
    if used == 0:
        flags.append(Flag.ZERO)
    elif too_high(used, days, zone.daily_use, rules):
        flags.append(Flag.HIGH)
    outcome = "special" if any(f in SUSPICIOUS for f in flags) else "accept"
    return Verdict(outcome, value, used, tuple(flags))


def pick_reading(
    readings: Sequence[str], digits: int | None = None, previous: int | str | None = None
) -> tuple[tuple[str, ...], str | None]:
    """Weigh the digit strings a spoken reading may mean: those the display allows, best first,
    and the one to read back.

    A reading longer than the display is impossible; when none fits, the first (joined) one is
    given back for check_reading to refuse. Spellings of one number ("052" and "52", an "oh"
    that may be a hesitation) are one reading, as the display shows it. With a previous reading,
    the one closest at or above it wins; below it counts only as a rollover past all nines, so it
    ranks far back. The pick is None when several fit equally: ask for it digit by digit.
    """
    if not readings:
        return (), None
    numbers: dict[int, str] = {}
    for reading in readings:
        if digits is None or len(reading) <= digits:
            if int(reading) not in numbers or len(reading) == digits:
                numbers[int(reading)] = reading
    fits = list(numbers.values())
    if not fits:
        return (), readings[0]
    if previous is not None:
        start, span = int(previous), 10**digits if digits else None

        def distance(reading: str) -> float:
            used = int(reading) - start
            return used if used >= 0 else (used + span if span else float("inf"))

        fits.sort(key=distance)
        if len(fits) == 1 or distance(fits[0]) < distance(fits[1]):
            return tuple(fits), fits[0]
    return tuple(fits), fits[0] if len(fits) == 1 else None
