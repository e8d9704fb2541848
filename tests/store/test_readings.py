"""Saving readings, superseding within a period, and the export CSV."""

import csv
import io
from datetime import date, datetime

import pytest
from sqlalchemy import select

from ivr.flows import SaveMeter, ZoneReading
from ivr.flows.regions import load
from ivr.store.models import Meter, Reading
from ivr.store.readings import VerdictChanged, save_meter
from ivr.store.readings_csv import HEADER, export_readings
from tests.conftest import store_readings
from tests.sessions import transaction

pytestmark = pytest.mark.both_databases


def zr(zone, value, flags=(), period="2026-11", use=None):
    return ZoneReading(zone, value, tuple(flags), None, period, use=use)


def meter_id(s, serial):
    return s.scalars(select(Meter.id).where(Meter.serial == serial)).one()


def test_saving_moves_the_meter_on_and_supersedes_earlier_readings_of_the_period(app):
    with app.app_context(), transaction() as s:
        store_readings(s, "M-2", [5100, 3100], datetime(2026, 11, 16, 9))
        store_readings(s, "M-2", [5150, 3150], datetime(2026, 11, 17, 9))
        m = s.get(Meter, meter_id(s, "M-2"))
        assert (m.last_t1, m.last_t2, m.last_read_on) == (5150, 3150, date(2026, 11, 17))
        rows = s.scalars(select(Reading).order_by(Reading.id)).all()
        assert [(r.value, r.previous, r.status, r.days) for r in rows] == [
            (5100, 5000, "superseded", 30),
            (3100, 3000, "superseded", 30),
            (5150, 5000, "accepted", 31),
            (3150, 3000, "accepted", 31),
        ]


def test_the_day_is_the_regions_day_not_the_utc_one(app):
    """00:30 in Moscow on the 18th is 21:30 UTC on the 17th: the reading is of the 18th."""
    with app.app_context(), transaction() as s:
        [r] = store_readings(s, "M-1", [2575], datetime(2026, 11, 17, 21, 30))
        assert (r.days, r.flag_list, r.period) == (32, [], "2026-11")  # 1575 <= 32 days * 50
        assert s.get(Meter, r.meter_id).last_read_on == date(2026, 11, 18)


def test_negative_readings_wait_for_review_and_leave_the_meter_alone(app):
    with app.app_context(), transaction() as s:
        [r] = store_readings(s, "M-1", [900], datetime(2026, 11, 17, 9), insist=True)
        assert r.status == "pending_review" and r.flag_list == ["NEGATIVE"]
        assert s.get(Meter, r.meter_id).last_t1 == 1000


def test_a_verdict_other_than_the_one_read_back_is_not_stored(app):
    with app.app_context(), transaction() as s:
        mid = meter_id(s, "M-1")  # 1000 on 2026-10-17; no history: 50 kWh a day is the limit
        # 2600 on 11-16 is 1600 over 30 days: HIGH. Read back as an ordinary use, it is refused.
        with pytest.raises(VerdictChanged) as changed:
            save_meter(s, SaveMeter(mid, (zr(1, 2600),)), load(None), datetime(2026, 11, 16, 9))
        assert changed.value.verdict.flags == ("HIGH",) and changed.value.zone == 1
        assert s.scalars(select(Reading)).all() == [] and s.get(Meter, mid).last_t1 == 1000
        with pytest.raises(VerdictChanged):  # HIGH, but read back with another use than 1600
            save_meter(
                s, SaveMeter(mid, (zr(1, 2600, ["HIGH"], use=1500),)), load(None), datetime(2026, 11, 16, 9)
            )
        [r] = save_meter(
            s, SaveMeter(mid, (zr(1, 2600, ["HIGH"], use=1600),)), load(None), datetime(2026, 11, 16, 9)
        )
        assert (r.previous, r.consumption, r.flag_list) == (1000, 1600, ["HIGH"])


def test_export_has_the_contract_columns_and_filters_by_day(app, runner):
    with app.app_context(), transaction() as s:
        store_readings(s, "M-1", [2600], datetime(2026, 11, 16, 9, 30), told=["LOW_CONFIDENCE"])
        store_readings(s, "M-1", [2700], datetime(2026, 11, 21, 9))
    with app.app_context(), transaction() as s:
        out = io.BytesIO()  # the export writes a file's bytes
        assert export_readings(s, out) == 2
        rows = list(csv.reader(io.StringIO(out.getvalue().decode())))
        assert rows[0] == HEADER
        assert rows[1] == [
            "100001",
            "M-1",
            "T1",
            "2600",
            "1000",
            "1600",
            "2026-11-16T09:30:00+00:00",
            "ivr",
            "",
            "accepted",
            "HIGH;LOW_CONFIDENCE",
        ]
        out = io.BytesIO()  # the export writes a file's bytes
        assert export_readings(s, out, since=date(2026, 11, 20)) == 1


def test_directory_gives_the_flow_the_baseline_and_daily_use_from_before_this_period(app):
    from ivr.store.directory import StoreDirectory

    with app.app_context(), transaction() as s:
        # last period: 1000 -> 1300 over 30 days = 10 kWh/day; this period: a first try at 1500
        store_readings(s, "M-1", [1300], datetime(2026, 11, 16, 9))
        store_readings(s, "M-1", [1500], datetime(2026, 12, 16, 9))
        info = StoreDirectory(s, load(None), datetime(2026, 12, 18, 9)).account("100001")
        zone = info.meters[0].zones[0]
        assert (zone.previous, zone.previous_on) == (1300, date(2026, 11, 16))
        assert zone.daily_use == pytest.approx(300 / 30)  # this period's try is no history


# 520 is 20 kWh over the 500 stored today: plain, as read back. 600 would be 100 in a day (HIGH),
# 450 lower than 500: neither is the plain reading the caller heard.
@pytest.mark.parametrize(("value", "used"), [("520", 20), ("600", None), ("450", None)])
def test_a_meter_saved_by_another_call_between_reading_and_confirmation_is_used_as_the_baseline(
    app, value, used
):
    """A new meter: this caller reads it, another call saves 500 first, then this caller says yes.
    The same verdict is stored against the new baseline; a changed one is read back again."""
    from ivr.flows import Context, Speech, Start, advance, reconfirm, start
    from ivr.store.directory import StoreDirectory

    now, regions = datetime(2026, 11, 17, 9), load(None)

    def answer(state, text):
        with transaction() as s:
            ctx = Context(StoreDirectory(s, regions, now), regions, now)
            state, actions = advance(state, Speech(text, text, 0.95), ctx)
            for save in (a for a in actions if isinstance(a, SaveMeter)):
                save_meter(s, save, regions, now)
            return state, actions

    with app.app_context():
        with transaction() as s:
            meter = s.get(Meter, meter_id(s, "M-1"))
            meter.last_t1 = meter.last_read_on = None
        state, _ = start(Start("+79161234567"), Context(None, regions, now))
        for text in ("readings", "yes", value):
            state, _ = answer(state, text)
        assert (state.node, state.pending.previous) == ("confirm", None)
        with transaction() as s:  # the other call
            save_meter(s, SaveMeter(meter.id, (zr(1, 500),)), regions, now)
        if used is None:
            with pytest.raises(VerdictChanged):
                answer(state, "yes")
            with transaction() as s:
                again, actions = reconfirm(state, 1, Context(StoreDirectory(s, regions, now), regions, now))
                assert s.scalars(select(Reading).where(Reading.value == int(value))).all() == []
            heard = {
                "600": ["reading_changed", "confirm_high"],
                "450": ["reading_changed", "reading_lower", "reading"],
            }
            assert [a.prompt for a in actions] == heard[value]
            return
        answer(state, "yes")
        with transaction() as s:
            mine = s.scalars(select(Reading).order_by(Reading.id.desc())).first()
            assert (mine.value, mine.previous, mine.consumption, mine.status) == (520, 500, used, "accepted")
