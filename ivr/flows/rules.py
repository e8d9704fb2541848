"""Reading rules: the one judgement of a meter reading (its use, flags, status, confirmation and
review), made alike for the read-back, the store under the meter's lock and the console.

A new flag or rule is one change here: `judge` sets it, SUSPICIOUS says whether it asks for the
special confirmation, `status_for` whether it waits for a supervisor.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ivr.flows.regions import in_window, period_of
from ivr.flows.terms import Flag, ReadingStatus

if TYPE_CHECKING:  # the model imports Rules for its Context
    from ivr.flows.model import ZoneInfo

# Flags that ask for the special confirmation instead of a plain read-back; the first one found.
SUSPICIOUS = (Flag.NEGATIVE, Flag.ROLLOVER, Flag.HIGH)
# Flags the channel knows of the answer, not of the reading: they stay through every judgement again.
TOLD = (Flag.LOW_CONFIDENCE, Flag.UNVERIFIED_SENDER)


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


def confirmation(flags: Iterable[str]) -> Flag | None:
    """The special confirmation a reading with these flags asks for; None for the plain read-back."""
    flags = set(flags)
    return next((f for f in SUSPICIOUS if f in flags), None)


def status_for(flags: Iterable[str], rules: Rules = Rules()) -> ReadingStatus:
    """NEGATIVE readings wait for a supervisor, and unverified senders' when the rule says so;
    everything else is accepted, flags visible."""
    flags = set(flags)
    held = Flag.NEGATIVE in flags or (Flag.UNVERIFIED_SENDER in flags and rules.unverified_sender_review)
    return ReadingStatus.PENDING_REVIEW if held else ReadingStatus.ACCEPTED


@dataclass(frozen=True)
class Judgement:
    """The whole verdict on one zone's reading; the read-back, the store and the console share it.

    outcome: "accept" (read back, then stored), "lower" (refused: lower than the previous one)
    or "invalid" (not a reading of this display).
    """

    outcome: str
    value: int | None = None
    consumption: int | None = None
    days: int | None = None  # of use since the previous reading, in the region's days
    period: str = ""  # the billing month it counts for
    flags: tuple[Flag, ...] = ()
    status: ReadingStatus = ReadingStatus.ACCEPTED

    @property
    def confirmation(self) -> Flag | None:
        return confirmation(self.flags)

    @property
    def review(self) -> bool:
        """It goes to a supervisor's review queue."""
        return self.status == ReadingStatus.PENDING_REVIEW

    @property
    def heard(self) -> tuple:
        """What the caller was told: a stored verdict must equal the one read back. The use is told
        with a special confirmation only."""
        use = self.consumption if self.confirmation else None
        return self.outcome, self.flags, self.status, self.confirmation, self.period, use


def judge(
    digits: str,
    display: int,
    zone: ZoneInfo,
    day: date,
    window: tuple[int, int],
    told: Iterable[str] = (),
    refused_lower: int | None = None,
    rules: Rules = Rules(),
) -> Judgement:
    """Judge one zone's reading on `day`, the region's day, against the previous one and the history.

    `told` are the flags the channel knows (LOW_CONFIDENCE, UNVERIFIED_SENDER); `refused_lower` the
    lower value this caller was refused before: given again, it is taken for a supervisor's review.
    """
    if not (digits.isascii() and digits.isdigit()) or len(digits) > display:
        return Judgement("invalid")
    value = int(digits)
    used, rolled = consumption(zone.previous, value, display, rules)
    days = (day - zone.previous_on).days if zone.previous_on and used is not None else None
    flags = {Flag(f) for f in told}
    flags |= {Flag.ROLLOVER} if rolled else set()
    flags |= {Flag.OUT_OF_WINDOW} if not in_window(window, day) else set()
    if used is not None and used < 0:
        if refused_lower != value:
            return Judgement("lower", value, used, days, period_of(window, day))
        flags.add(Flag.NEGATIVE)  # the caller insists on a lower value
    elif used == 0:
        flags.add(Flag.ZERO)
    elif used is not None and too_high(used, days, zone.daily_use, rules):
        flags.add(Flag.HIGH)
    ordered = tuple(f for f in Flag if f in flags)
    return Judgement("accept", value, used, days, period_of(window, day), ordered, status_for(ordered, rules))


def rejudge(value: int, heard: Iterable[str], display: int, zone: ZoneInfo, day: date,
          window: tuple[int, int], rules: Rules = Rules()) -> Judgement:  # fmt: skip
    """A reading judged again (under the meter's lock, or corrected by a supervisor), given the
    flags it was judged with: what the channel knew stays, and a lower value insisted on stays so."""
    heard = set(heard)
    insisted = value if Flag.NEGATIVE in heard else None
    return judge(str(value), display, zone, day, window, [f for f in TOLD if f in heard], insisted, rules)


def heard(flags: Iterable[str], period: str, use: int | None, rules: Rules = Rules()) -> tuple:
    """What a caller was told of a reading read back with these flags (and this use, with a special
    confirmation), as Judgement.heard says it."""
    ordered = tuple(f for f in Flag if f in set(flags))
    special = confirmation(ordered)
    return "accept", ordered, status_for(ordered, rules), special, period, use if special else None


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
