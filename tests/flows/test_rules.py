"""The reading judgement, table by table: one function for the read-back, the store and the console."""

from datetime import date

import pytest

from ivr.flows import Flag, ReadingStatus
from ivr.flows.model import ZoneInfo
from ivr.flows.rules import Rules, consumption, heard, judge, rejudge

TODAY = date(2026, 11, 17)
MONTH_AGO = date(2026, 10, 18)  # 30 days
WINDOW = (15, 20)  # Moscow's


def z(previous, on=MONTH_AGO, daily=None):
    return ZoneInfo(1, previous, on, daily)


@pytest.mark.parametrize(
    "digits, width, zone, refused, outcome, consumption, flags",
    [
        ("1234", 6, z(1000), None, "accept", 234, ()),
        ("001234", 6, z(1000), None, "accept", 234, ()),  # leading zeros allowed
        ("1234567", 6, z(1000), None, "invalid", None, ()),  # longer than the display
        ("", 6, z(1000), None, "invalid", None, ()),
        ("12a", 6, z(1000), None, "invalid", None, ()),
        ("٣", 6, z(1000), None, "invalid", None, ()),  # a digit, but not one a keypad sends
        ("1000", 6, z(1000), None, "accept", 0, ("ZERO",)),
        ("999", 6, z(1000), None, "lower", -1, ()),
        ("999", 6, z(1000), 999, "special", -1, ("NEGATIVE",)),  # same lower value twice
        ("998", 6, z(1000), 999, "lower", -2, ()),  # a different lower value is refused again
        # rollover at the display's width: previous >= 90% of 10^digits, new <= 10%
        ("00020", 5, z(99500), None, "special", 520, ("ROLLOVER",)),
        ("10000", 5, z(90000), None, "special", 20000, ("ROLLOVER", "HIGH")),
        ("10001", 5, z(90000), None, "lower", -79999, ()),  # just above 10%: not a rollover
        ("00020", 5, z(89999), None, "lower", -89979, ()),  # just below 90%: not a rollover
        ("0005", 4, z(9995), None, "special", 10, ("ROLLOVER",)),
        # high use: > 50 kWh/day with no history (30 days -> 1500)
        ("2500", 6, z(1000), None, "accept", 1500, ()),
        ("2501", 6, z(1000), None, "special", 1501, ("HIGH",)),
        # > 2x the expected use from history (10/day * 30 * 2 = 600)
        ("1600", 6, z(1000, daily=10.0), None, "accept", 600, ()),
        ("1601", 6, z(1000, daily=10.0), None, "special", 601, ("HIGH",)),
        ("5", 6, z(None, on=None), None, "accept", None, ()),  # no previous reading at all
    ],
)
def test_reading_rules(digits, width, zone, refused, outcome, consumption, flags):
    verdict = judge(digits, width, zone, TODAY, WINDOW, (), refused)
    special = verdict.confirmation is not None
    assert (verdict.outcome if not special else "special", verdict.consumption, verdict.flags) == (
        outcome,
        consumption,
        flags,
    )


def test_rules_are_configurable():
    strict = Rules(no_history_daily_kwh=10.0)
    assert judge("1400", 6, z(1000), TODAY, WINDOW, rules=strict).flags == ("HIGH",)


def test_the_day_decides_the_days_the_window_and_the_period():
    """The region's day: one day more of use raises the limit; past the window counts next month."""
    on_17th = judge("2575", 6, z(1000, on=date(2026, 10, 17)), date(2026, 11, 17), WINDOW)
    on_18th = judge("2575", 6, z(1000, on=date(2026, 10, 17)), date(2026, 11, 18), WINDOW)
    assert (on_17th.days, on_17th.flags) == (31, (Flag.HIGH,))  # 1575 > 31 * 50
    assert (on_18th.days, on_18th.flags) == (32, ())  # 1575 <= 32 * 50
    assert (on_18th.period, on_18th.status) == ("2026-11", ReadingStatus.ACCEPTED)
    late = judge("1100", 6, z(1000), date(2026, 11, 21), WINDOW)
    assert (late.flags, late.period) == ((Flag.OUT_OF_WINDOW,), "2026-12")
    new_year = judge("1100", 6, z(1000), date(2026, 12, 31), (23, 25))
    assert new_year.period == "2027-01"


def test_status_confirmation_and_review_come_with_the_verdict():
    lower = judge("999", 6, z(1000), TODAY, WINDOW, (Flag.LOW_CONFIDENCE,), 999)
    assert lower.flags == (Flag.NEGATIVE, Flag.LOW_CONFIDENCE)
    assert (lower.status, lower.review, lower.confirmation) == (
        ReadingStatus.PENDING_REVIEW,
        True,
        Flag.NEGATIVE,
    )
    stranger = judge("1100", 6, z(1000), TODAY, WINDOW, (Flag.UNVERIFIED_SENDER,))
    assert (stranger.review, stranger.confirmation) == (False, None)
    held = judge(
        "1100",
        6,
        z(1000),
        TODAY,
        WINDOW,
        (Flag.UNVERIFIED_SENDER,),
        rules=Rules(unverified_sender_review=True),
    )
    assert held.review


def test_judged_again_it_keeps_what_the_channel_knew_and_what_the_caller_insisted_on():
    first = judge("999", 6, z(1000), TODAY, WINDOW, (Flag.LOW_CONFIDENCE,), 999)
    again = rejudge(999, first.flags, 6, z(1000), TODAY, WINDOW)
    assert again.heard == first.heard == heard(first.flags, first.period, first.consumption)
    moved = rejudge(999, first.flags, 6, z(900), TODAY, WINDOW)  # another call saved 900 meanwhile
    assert moved.heard != first.heard and moved.flags == (Flag.LOW_CONFIDENCE,)


def test_use_wraps_past_zero_on_a_rollover_and_only_then():
    assert consumption(99_500, 20, 5) == (520, True)
    assert consumption(1000, 900, 6) == (-100, False)
    assert consumption(None, 900, 6) == (None, False)
    assert consumption(95, 5, 2, Rules(rollover_top=0.99)) == (-90, False)
