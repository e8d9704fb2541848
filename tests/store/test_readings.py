"""Saving readings, superseding within a period, and the export CSV."""

import csv
import io
from datetime import date, datetime

import pytest
from sqlalchemy import select

from ivr.flows import SaveMeter, ZoneReading
from ivr.store.database import transaction
from ivr.store.models import Meter, Reading
from ivr.store.readings import save_meter
from ivr.store.readings_csv import HEADER, export_readings

pytestmark = pytest.mark.postgres


def zr(zone, value, flags=(), period="2026-11"):
    return ZoneReading(zone, value, tuple(flags), None, period)


def meter_id(s, serial):
    return s.scalars(select(Meter.id).where(Meter.serial == serial)).one()


def test_saving_moves_the_meter_on_and_supersedes_earlier_readings_of_the_period(app):
    with app.app_context(), transaction() as s:
        mid = meter_id(s, "M-2")
        save_meter(s, SaveMeter(mid, (zr(1, 5100), zr(2, 3100))), None, now=datetime(2026, 11, 16))
        save_meter(s, SaveMeter(mid, (zr(1, 5150), zr(2, 3150))), None, now=datetime(2026, 11, 17))
        m = s.get(Meter, mid)
        assert (m.last_t1, m.last_t2, m.last_read_on) == (5150, 3150, date(2026, 11, 17))
        rows = s.scalars(select(Reading).order_by(Reading.id)).all()
        assert [(r.value, r.previous, r.status, r.days) for r in rows] == [
            (5100, 5000, "superseded", 30),
            (3100, 3000, "superseded", 30),
            (5150, 5000, "accepted", 31),
            (3150, 3000, "accepted", 31),
        ]


def test_negative_readings_wait_for_review_and_leave_the_meter_alone(app):
    with app.app_context(), transaction() as s:
        mid = meter_id(s, "M-1")
        [r] = save_meter(s, SaveMeter(mid, (zr(1, 900, ["NEGATIVE"]),)), None)
        assert r.status == "pending_review" and s.get(Meter, mid).last_t1 == 1000


def test_high_use_is_judged_again_against_the_baseline_the_meter_has_when_it_is_saved(app):
    with app.app_context(), transaction() as s:
        mid = meter_id(s, "M-1")  # 1000 on 2026-10-17; no history: 50 kWh a day is the limit
        # Another call stored 2000 since this caller's 2300 was read back as an ordinary use.
        save_meter(s, SaveMeter(mid, (zr(1, 2000, ["HIGH"]),)), None, now=datetime(2026, 11, 10))
        [later] = save_meter(s, SaveMeter(mid, (zr(1, 2300),)), None, now=datetime(2026, 11, 10))
        assert (later.previous, later.consumption, later.flag_list) == (1000, 1300, ["HIGH"])
        [small] = save_meter(s, SaveMeter(mid, (zr(1, 1100, ["HIGH"]),)), None, now=datetime(2026, 11, 10))
        assert (small.consumption, small.flag_list) == (100, [])


def test_export_has_the_contract_columns_and_filters_by_day(app, runner):
    with app.app_context(), transaction() as s:
        mid = meter_id(s, "M-1")
        save_meter(
            s,
            SaveMeter(mid, (zr(1, 2300, ["HIGH", "LOW_CONFIDENCE"]),)),
            None,
            now=datetime(2026, 11, 10, 9, 30),
        )
        save_meter(s, SaveMeter(mid, (zr(1, 1200, period="2026-12"),)), None, now=datetime(2026, 11, 21))
    with app.app_context(), transaction() as s:
        out = io.StringIO()
        assert export_readings(s, out) == 2
        rows = list(csv.reader(io.StringIO(out.getvalue())))
        assert rows[0] == HEADER
        assert rows[1] == [
            "100001",
            "M-1",
            "T1",
            "2300",
            "1000",
            "1300",
            "2026-11-10T09:30:00+00:00",
            "ivr",
            "",
            "accepted",
            "HIGH;LOW_CONFIDENCE",
        ]
        out = io.StringIO()
        assert export_readings(s, out, since=date(2026, 11, 20)) == 1


def test_directory_gives_the_flow_the_baseline_and_daily_use_from_before_this_period(app):
    from ivr.flows.regions import load
    from ivr.store.directory import StoreDirectory

    with app.app_context(), transaction() as s:
        mid = meter_id(s, "M-1")
        # last period: 1000 -> 1300 over 30 days = 10 kWh/day; this period: a first try at 1500
        save_meter(s, SaveMeter(mid, (zr(1, 1300, period="2026-10"),)), None, now=datetime(2026, 11, 16))
        save_meter(s, SaveMeter(mid, (zr(1, 1500),)), None, now=datetime(2026, 11, 17))
        info = StoreDirectory(s, load(None), date(2026, 11, 18)).account("100001")
        zone = info.meters[0].zones[0]
        assert (zone.previous, zone.previous_on) == (1300, date(2026, 11, 16))
        assert zone.daily_use == pytest.approx(300 / 30)  # this period's try is no history


@pytest.mark.parametrize(
    ("value", "used", "status"), [("600", 100, "accepted"), ("450", -50, "pending_review")]
)
def test_a_meter_saved_by_another_call_between_reading_and_confirmation_is_used_as_the_baseline(
    app, value, used, status
):
    """A new meter: this caller reads it, another call saves 500 first, then this caller says yes."""
    from ivr.flows import Context, Speech, Start, advance, start
    from ivr.flows.regions import load
    from ivr.store.directory import StoreDirectory

    today, now = date(2026, 11, 17), datetime(2026, 11, 17, 12)

    def answer(state, text):
        with transaction() as s:
            ctx = Context(StoreDirectory(s, load(None), today), load(None), today, now=now)
            state, actions = advance(state, Speech(text, text, 0.95), ctx)
            for save in (a for a in actions if isinstance(a, SaveMeter)):
                save_meter(s, save, None, now=now)
            return state

    with app.app_context():
        with transaction() as s:
            meter = s.get(Meter, meter_id(s, "M-1"))
            meter.last_t1 = meter.last_read_on = None
        state, _ = start(Start("+79161234567"), Context(None, load(None), today))
        for text in ("readings", "yes", value):
            state = answer(state, text)
        assert (state.node, state.pending.previous) == ("confirm", None)
        with transaction() as s:  # the other call
            save_meter(s, SaveMeter(meter.id, (zr(1, 500),)), None, now=now)
        answer(state, "yes")
        with transaction() as s:
            mine = s.scalars(select(Reading).order_by(Reading.id.desc())).first()
            assert (mine.value, mine.previous, mine.consumption, mine.status) == (
                int(value),
                500,
                used,
                status,
            )
            assert mine.consumption == mine.value - mine.previous
