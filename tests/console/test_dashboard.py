"""The dashboard's figures and its server-side charts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from ivr.console.charts import NARROW, WIDE, bars
from ivr.console.clock import ConsoleClock
from ivr.console.dashboard import period, summarise
from ivr.runtime import runtime
from ivr.store.models import Turn
from tests.conftest import NOW
from tests.console.conftest import today
from tests.sessions import session, transaction

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py


@pytest.fixture
def week(app, make_call):
    now = NOW
    made = [
        make_call(outcome="completed", flags="", value=1100, started=now - timedelta(days=1), duration=60),
        make_call(outcome="completed", flags="", value=1200, started=now, duration=30),
        make_call(outcome="transferred", reading=False, started=now, duration=90, end_reason="silence"),
        make_call(outcome="abandoned", reading=False, started=now, duration=20),
        make_call(outcome="completed", flags="", started=now - timedelta(days=40)),  # outside the period
    ]
    with app.app_context(), transaction() as s:  # the transferred call: no input, then a transfer
        turn = s.get(Turn, made[2].turn_ids[0])
        turn.outcome, turn.decision, turn.confidence = "no-input", "transfer", None
        s.get(Turn, made[3].turn_ids[0]).outcome = "no-match"
    return made


def test_summary_counts_calls_rates_duration_and_confidence(app, week):
    end = today()
    with app.app_context():
        s = summarise(session(), ConsoleClock(runtime(app).clock), end - timedelta(days=6), end)
    assert s.calls == 4
    assert (s.rate("completed"), s.rate("transferred"), s.rate("abandoned")) == (0.5, 0.25, 0.25)
    assert s.duration == pytest.approx(50)
    assert s.confidence == pytest.approx(0.62)


def test_funnel_counts_no_input_no_match_keypad_and_transfer_per_question(app, week):
    end = today()
    with app.app_context():
        funnel = summarise(session(), ConsoleClock(runtime(app).clock), end - timedelta(days=6), end).funnel
    assert [(f.question, f.asked, f.no_input, f.no_match, f.keypad, f.transfer) for f in funnel] == [
        ("reading", 4, 1, 1, 0, 1),
        ("confirm", 4, 0, 0, 4, 0),
    ]
    assert [f.reasons for f in funnel] == [{"silence": 1}, {}]


def test_funnel_breaks_transfers_down_by_reason_most_frequent_first(app, make_call, login):
    now = NOW
    for reason in ("lower", "reading", "reading", None):
        made = make_call(outcome="transferred", reading=False, started=now, end_reason=reason)
        with app.app_context(), transaction() as s:
            s.get(Turn, made.turn_ids[0]).decision = "transfer"
    end = today()
    with app.app_context():
        [reading, _confirm] = summarise(
            session(), ConsoleClock(runtime(app).clock), end - timedelta(days=6), end
        ).funnel
    assert list(reading.reasons.items()) == [("reading", 2), ("lower", 1), ("unknown", 1)]
    page = login("qa").get("/console/dashboard?lang=en").get_data(as_text=True)
    assert "Why transferred" in page and 'reading not recognised <span class="num">2</span>' in page


def test_readings_per_day_include_days_without_readings(app, week):
    end = today()
    with app.app_context():
        per_day = summarise(session(), ConsoleClock(runtime(app).clock), end - timedelta(days=2), end).per_day
    assert per_day == [(end - timedelta(days=2), 0), (end - timedelta(days=1), 1), (end, 1)]


def test_period_defaults_to_the_last_30_days_and_is_capped_at_a_year(app):
    with app.test_request_context():
        start, end = period({}, today())
    assert (end - start).days == 29 and end == today()
    assert period({"start": "2026-01-10", "end": "2026-01-01"}, today()) == (
        date(2026, 1, 1),
        date(2026, 1, 10),
    )
    start, end = period({"start": "2020-01-01", "end": "2026-01-01"}, today())
    assert (end - start).days == 365


def test_bar_chart_is_inline_svg_with_one_bar_a_day_and_whole_number_ticks():
    svg = str(bars([("01.11", 3), ("02.11", 0), ("03.11", 7)], "Показания по дням"))
    assert svg.startswith("<svg") and svg.count('<rect class="bar"') == 3
    assert ">8</text>" in svg and ".5<" not in svg and "<title>03.11: 7</title>" in svg
    assert 'aria-label="Показания по дням"' in svg


def test_a_phones_chart_labels_fewer_days_than_a_desktops():
    month = [(f"{d:02}.11", d) for d in range(1, 31)]
    labelled = {w: str(bars(month, "t", w)).count('text-anchor="middle"') for w in (WIDE, NARROW)}
    assert labelled == {WIDE: 15, NARROW: 5}


def test_dashboard_page_shows_the_figures_and_the_chart(login, week):
    page = login("qa").get("/console/dashboard").get_data(as_text=True)
    assert "Звонков" in page and ">4<" in page and "50.0%" in page and "0:50" in page
    assert (
        '<svg class="chart wide"' in page
        and '<svg class="chart narrow"' in page
        and "Воронка по вопросам" in page
    )


def test_dashboard_with_no_calls_shows_dashes_not_errors(login):
    page = login("qa").get("/console/dashboard?start=2001-01-01&end=2001-01-02").get_data(as_text=True)
    assert "0.0%" in page and "—" in page
