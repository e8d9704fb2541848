"""Times in the utility's zone (IVR_TIMEZONE): shown, filtered, downloaded and charted, and labelled."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

import pytest

from ivr import create_app
from ivr.console.clock import ConsoleClock
from ivr.console.dashboard import summarise
from ivr.runtime import runtime
from tests.console.conftest import Console
from tests.sessions import session

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py

# 22:30 UTC on 10 November is 01:30 on 11 November in Moscow (UTC+3).
LATE = datetime(2026, 11, 10, 22, 30)


@pytest.fixture
def late_call(make_call):
    return make_call(started=LATE, flags="HIGH")


def test_calls_list_and_call_page_show_moscow_time_and_say_so(login, late_call):
    console = login("qa")
    listing = console.get("/console/calls").get_data(as_text=True)
    assert "11.11.2026 01:30:00" in listing and "10.11.2026 22:30" not in listing
    assert "Время: Europe/Moscow (MSK, UTC+3)" in listing
    page = console.get(f"/console/calls/{late_call.sid}").get_data(as_text=True)
    assert "11.11.2026 01:30:00" in page and ">01:30:00" in page  # the call, then its first turn
    reading = console.get(f"/console/readings/{late_call.reading_id}").get_data(as_text=True)
    assert "11.11.2026 01:30:08" in reading


def test_date_filters_take_moscow_days(login, late_call):
    console = login("qa")
    on_the_11th = console.get("/console/calls?start=2026-11-11&end=2026-11-11")
    assert late_call.sid in on_the_11th.get_data(as_text=True)
    on_the_10th = console.get("/console/calls?start=2026-11-10&end=2026-11-10")
    assert late_call.sid not in on_the_10th.get_data(as_text=True)
    readings = console.get("/console/readings?show=all&start=2026-11-11&end=2026-11-11")
    assert f"/console/readings/{late_call.reading_id}" in readings.get_data(as_text=True)


def test_csv_downloads_give_moscow_times_with_their_offset(login, late_call):
    console = login("qa")
    [call] = csv.DictReader(io.StringIO(console.get("/console/calls.csv").get_data(as_text=True)))
    assert (call["started_at"], call["ended_at"]) == (
        "2026-11-11T01:30:00+03:00",
        "2026-11-11T01:30:42+03:00",
    )
    body = console.get("/console/readings.csv?show=all").get_data(as_text=True)
    [reading] = csv.DictReader(io.StringIO(body))
    assert reading["received_at"] == "2026-11-11T01:30:08+03:00"


def test_dashboard_counts_readings_on_moscow_days(app, late_call):
    with app.test_request_context():
        per_day = summarise(
            session(), ConsoleClock(runtime(app).clock), date(2026, 11, 10), date(2026, 11, 11)
        ).per_day
        calls_on_the_10th = summarise(
            session(), ConsoleClock(runtime(app).clock), date(2026, 11, 10), date(2026, 11, 10)
        ).calls
    assert per_day == [(date(2026, 11, 10), 0), (date(2026, 11, 11), 1)]
    assert calls_on_the_10th == 0


def test_another_zone_is_taken_from_the_setting(app, settings, users, late_call):
    yekaterinburg = create_app({**settings, "IVR_TIMEZONE": "Asia/Yekaterinburg"})
    console = Console(yekaterinburg.test_client())
    console.login("qa")
    listing = console.get("/console/calls").get_data(as_text=True)
    assert "11.11.2026 03:30:00" in listing and "Asia/Yekaterinburg (UTC+5)" in listing
    runtime(yekaterinburg).sessions.kw["bind"].dispose()
