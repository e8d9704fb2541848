"""What the caller hears is what is stored: for any reading, previous value, day, time zone and
history, the read-back's confirmation and the closing's words agree with the stored flags and
status. The flow runs on the keypad through the store's directory; the store saves under its lock."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from ivr.flows import Context, Keys, ReadingStatus, SaveMeter, Start, advance, rules, start
from ivr.flows.regions import BUILT_IN, load
from ivr.store.directory import StoreDirectory
from ivr.store.models import Account, Meter
from ivr.store.readings import save_meter
from tests.sessions import transaction

REGIONS = load(None)


@st.composite
def cases(draw):  # noqa: ANN001, ANN201
    digits = draw(st.integers(4, 7))
    span = 10**digits
    previous = draw(st.integers(0, span - 1))
    near = st.integers(max(0, previous - 3000), min(span - 1, previous + 5000))
    value = draw(st.one_of(near, st.integers(0, span - 1)))
    return {
        "digits": digits,
        "previous": previous,
        "value": value,
        "days": draw(st.integers(0, 120)),
        "now": draw(st.datetimes(datetime(2026, 1, 1), datetime(2028, 12, 31))),
        "region": draw(st.sampled_from([*BUILT_IN, "Нигде"])),
    }


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=cases())
def test_the_read_back_and_the_stored_verdict_agree(app, case):
    now, region = case["now"], case["region"]
    with app.app_context(), transaction() as s:
        meter = s.scalars(select(Meter).where(Meter.serial == "M-1")).one()
        s.get(Account, meter.account_id).region = region
        meter.digits, meter.last_t1 = case["digits"], case["previous"]
        meter.last_read_on = before = REGIONS.day(region, now) - timedelta(days=case["days"])
        s.flush()
        ctx = Context(StoreDirectory(s, REGIONS, now), REGIONS, now)
        state, _ = start(Start("+79161234567"), ctx, keypad=True)
        for keys in ("1", "1", f"{case['value']:0{case['digits']}d}"):
            state, actions = advance(state, Keys(keys), ctx)
        if state.node != "confirm":  # lower than before: refused, nothing to store
            assert (
                rules.judge(str(case["value"]), case["digits"], _zone(ctx), _day(ctx), _window(ctx)).outcome
                == "lower"
            )
            s.rollback()
            return
        read_back = actions[-1].prompt
        state, actions = advance(state, Keys("1"), ctx)
        [save] = [a for a in actions if isinstance(a, SaveMeter)]
        [stored] = save_meter(s, save, REGIONS, now)  # no other call: the verdict must be the one heard
        said = [a.prompt for a in actions if hasattr(a, "prompt")]
        special = rules.confirmation(stored.flag_list)
        assert read_back == (f"confirm_{special.lower()}_keys" if special else "confirm_keys")
        assert ("review" in said) == (stored.status == ReadingStatus.PENDING_REVIEW)
        assert ("next_period" in said) == ("OUT_OF_WINDOW" in stored.flag_list)
        day = REGIONS.day(region, now)  # the region's, not the UTC one
        assert stored.days == (day - before).days
        assert meter.last_read_on == (day if stored.status == ReadingStatus.ACCEPTED else before)
        s.rollback()


def _zone(ctx):  # noqa: ANN001, ANN202
    return ctx.directory.account("100001").meters[0].zones[0]


def _day(ctx) -> date:  # noqa: ANN001
    return ctx.day(ctx.directory.account("100001").region)


def _window(ctx):  # noqa: ANN001, ANN202
    return ctx.regions.window(ctx.directory.account("100001").region)
