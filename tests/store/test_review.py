"""Supervisor corrections judged by the reading rules: use, rollover and flags worked out again."""

from datetime import datetime

import pytest

from ivr.flows import Rules
from ivr.flows.regions import load
from ivr.store import review
from ivr.store.review import ReviewError
from tests.conftest import store_readings
from tests.sessions import transaction

pytestmark = pytest.mark.both_databases
NOW = datetime(2026, 11, 17, 9)  # 12:00 in Moscow, 31 days after the imported readings


def saved(s, serial, value, flags=()):
    [reading] = store_readings(s, serial, [value], NOW, told=flags)
    return reading


def correct(s, reading, actor, value, reason, rules):  # noqa: ANN001, ANN201
    return review.correct(s, reading, actor, value, reason, rules, NOW, load(None))


def test_a_correction_to_a_high_value_raises_the_high_flag(app):
    with app.app_context(), transaction() as s:
        reading = saved(s, "M-1", 1100, ("LOW_CONFIDENCE",))
        correct(s, reading, "supervisor", "9999", "said 9999", Rules())
        assert (reading.consumption, reading.flags) == (8999, "HIGH;LOW_CONFIDENCE")


def test_a_correction_judges_high_by_the_deployments_rules(app):
    with app.app_context(), transaction() as s:
        reading = saved(s, "M-1", 1100)
        correct(s, reading, "supervisor", "1400", "said 1400", Rules(no_history_daily_kwh=5.0))
        assert (reading.consumption, reading.flags) == (400, "HIGH")


def test_a_correction_past_the_display_width_is_a_rollover(app):
    with app.app_context(), transaction() as s:
        reading = saved(s, "M-4", 99600)
        correct(s, reading, "supervisor", "00020", "wrapped", Rules())
        # Yakutia's window is the 1st to the 10th: the 17th was outside it, and still is
        assert (reading.value, reading.consumption, reading.flags) == (20, 520, "ROLLOVER;OUT_OF_WINDOW")


@pytest.mark.parametrize("value", ["²", "12a", "1234567"])
def test_a_correction_that_is_not_a_reading_of_the_display_is_refused(app, value):
    with app.app_context(), transaction() as s:
        reading = saved(s, "M-1", 1100)
        with pytest.raises(ReviewError, match="review.bad_value"):
            correct(s, reading, "supervisor", value, "x", Rules())
        assert reading.value == 1100
