"""The reading rules, table by table."""

from datetime import date

import pytest

from ivr.flows.model import ZoneInfo
from ivr.flows.rules import Rules, check_reading, consumption, regraded

TODAY = date(2026, 11, 17)
MONTH_AGO = date(2026, 10, 18)  # 30 days


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
    verdict = check_reading(digits, width, zone, TODAY, refused)
    assert (verdict.outcome, verdict.consumption, verdict.flags) == (outcome, consumption, flags)


def test_rules_are_configurable():
    strict = Rules(no_history_daily_kwh=10.0)
    assert check_reading("1400", 6, z(1000), TODAY, rules=strict).flags == ("HIGH",)


def test_use_wraps_past_zero_on_a_rollover_and_only_then():
    assert consumption(99_500, 20, 5) == (520, True)
    assert consumption(1000, 900, 6) == (-100, False)
    assert consumption(None, 900, 6) == (None, False)
    assert consumption(95, 5, 2, Rules(rollover_top=0.99)) == (-90, False)


def test_flags_that_follow_from_the_use_are_set_again_and_the_others_kept():
    assert regraded(["ROLLOVER", "HIGH", "LOW_CONFIDENCE"], 0, False) == ("HIGH", "ZERO", "LOW_CONFIDENCE")
    assert regraded(["ZERO"], -5, False) == ("NEGATIVE",)
    assert regraded(["OUT_OF_WINDOW", "NEGATIVE"], 520, True) == ("ROLLOVER", "OUT_OF_WINDOW")
    assert regraded(["HIGH", "LOW_CONFIDENCE"], 99, False, high=False) == ("LOW_CONFIDENCE",)
    assert regraded(["LOW_CONFIDENCE"], 9999, False, high=True) == ("HIGH", "LOW_CONFIDENCE")
