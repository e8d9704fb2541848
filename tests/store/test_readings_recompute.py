"""`ivr readings recompute`: readings an old build stored on the UTC date, judged again on the
region's day; a dry run unless --apply, which writes once, audited."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import pytest
from sqlalchemy import Engine, event, select, text

from ivr.cli import main
from ivr.runtime import runtime
from ivr.store.models import AuditEvent, Meter, Reading
from ivr.store.recompute import run
from tests.conftest import NOW, store_readings
from tests.sessions import transaction

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py

OCT_17 = date(2026, 10, 17)  # every test account's last reading, as imported


@pytest.fixture
def recompute(app, runner, monkeypatch):
    """recompute(*options) -> (exit code, stdout lines, stderr) of `ivr readings recompute`."""
    monkeypatch.setenv("IVR_DATABASE_URL", runtime(app).config.database_url)
    monkeypatch.setattr("ivr.clock.wall", lambda: NOW)  # the command's own app, on the test's clock

    def run(*options: str) -> tuple[int, list[str], str]:
        result = runner.invoke(main, ["readings", "recompute", *options])
        return result.exit_code, result.stdout.splitlines(), result.stderr

    return run


def stored_as_before(app, serial: str, value: int, received_at: datetime, **old) -> int:
    """A reading as a build that counted days on the UTC date stored it, and its meter moved on
    to that UTC date; `old` are its stored fields (days, flags, period, ...)."""
    with app.app_context(), transaction() as s:
        meter = s.scalars(select(Meter).where(Meter.serial == serial)).one()
        fields = dict(zone=1, previous=meter.last_t1, previous_on=meter.last_read_on, status="accepted",
                      flags="", channel="ivr")  # fmt: skip
        reading = Reading(meter_id=meter.id, value=value, consumption=value - meter.last_t1,
                          received_at=received_at, **{**fields, **old})  # fmt: skip
        s.add(reading)
        if reading.status == "accepted":
            meter.last_t1, meter.last_read_on = value, received_at.date()
        s.flush()
        return reading.id


def stored(app, reading_id: int, serial: str) -> tuple:
    with app.app_context(), transaction() as s:
        r = s.get(Reading, reading_id)
        meter = s.scalars(select(Meter).where(Meter.serial == serial)).one()
        return r.value, r.consumption, r.days, r.flags, r.status, r.period, meter.last_t1, meter.last_read_on


def audit_trail(app) -> list[tuple]:
    with app.app_context(), transaction() as s:
        return [(e.at, e.actor, e.action, e.subject, e.old, e.new) for e in s.scalars(select(AuditEvent))]


def test_a_night_reading_in_moscow_gets_its_local_day_dry_run_first_then_applied_once(app, recompute):
    # 00:30 on 18 November in Moscow: 32 days since 17 October, 1575 is no HIGH (limit 1600);
    # the old build counted 31 UTC days (limit 1550), flagged HIGH and moved the meter to the 17th.
    night = stored_as_before(app, "M-1", 2575, datetime(2026, 11, 17, 21, 30), days=31, flags="HIGH",
                             period="2026-11")  # fmt: skip
    # Noon of the same UTC and Moscow day: already right, left alone.
    noon = stored_as_before(app, "M-5", 1100, datetime(2026, 11, 17, 9, 0), days=31, period="2026-11")
    before = stored(app, night, "M-1")
    expected = [
        f"reading {night} (M-1 zone 1): days 31 -> 32",
        f"reading {night} (M-1 zone 1): flags HIGH -> -",
        "meter M-1: last_read_on 2026-11-17 -> 2026-11-18",
    ]

    code, lines, _ = recompute()
    assert code == 0
    assert lines[:-1] == expected
    assert lines[-1].startswith(
        "5 meter(s) checked: 1 reading(s) and 1 meter(s) corrected, 0 reading(s) left"
    )
    assert "a dry run: nothing was written" in lines[-1]
    assert stored(app, night, "M-1") == before
    assert audit_trail(app) == []

    code, lines, _ = recompute("--apply")
    assert code == 0 and lines[:-1] == expected
    assert stored(app, night, "M-1") == (2575, 1575, 32, "", "accepted", "2026-11", 2575, date(2026, 11, 18))
    assert stored(app, noon, "M-5")[2:4] == (31, "")
    trail = audit_trail(app)
    assert [t[:4] for t in trail] == [(NOW, "cli", "recompute", f"reading:{night}")] * 2 + [
        (NOW, "cli", "recompute", "meter:M-1"),
        (NOW, "cli", "readings-recompute", "readings"),
    ]
    assert [t[4:] for t in trail[:3]] == [("days=31", "days=32"), ("flags=HIGH", "flags="),
                                          ("last_read_on=2026-11-17", "last_read_on=2026-11-18")]  # fmt: skip

    code, lines, _ = recompute("--apply")
    assert code == 0
    assert lines == [
        "5 meter(s) checked: 0 reading(s) and 0 meter(s) corrected, 0 reading(s) left for a supervisor"
    ]
    assert len(audit_trail(app)) == 5  # the second run's own event only


def test_a_yakutsk_reading_after_its_window_is_listed_for_a_supervisor_not_moved_to_another_period(
    app, recompute
):
    # 01:30 on the 11th in Yakutsk (UTC+9) is after Yakutia's window (1-10): it counts for December,
    # OUT_OF_WINDOW. The old build took the UTC 10th: in the window, November. The period, and the
    # flags that go with it, may have been billed: a supervisor decides; days and the meter's day are facts.
    late = stored_as_before(app, "M-4", 99700, datetime(2026, 11, 10, 16, 30), days=24, period="2026-11")

    code, lines, _ = recompute("--apply", "--meter", "M-4")
    assert code == 0
    assert lines == [
        f"reading {late} (M-4 zone 1): days 24 -> 25",
        f"reading {late} (M-4 zone 1): period 2026-11 -> 2026-12 (left for a supervisor)",
        f"reading {late} (M-4 zone 1): flags - -> OUT_OF_WINDOW (left for a supervisor)",
        "meter M-4: last_read_on 2026-11-10 -> 2026-11-11",
        "1 meter(s) checked: 1 reading(s) and 1 meter(s) corrected, 1 reading(s) left for a supervisor",
    ]
    assert stored(app, late, "M-4") == (99700, 200, 25, "", "accepted", "2026-11", 99700, date(2026, 11, 11))


def test_a_status_the_rules_now_give_otherwise_is_reported_never_changed(app, recompute, monkeypatch):
    monkeypatch.setenv("IVR_RULE_UNVERIFIED_SENDER_REVIEW", "true")  # the command's own settings
    text = stored_as_before(app, "M-1", 1100, datetime(2026, 11, 17, 9, 0), days=31, period="2026-11",
                            flags="UNVERIFIED_SENDER", channel="sms")  # fmt: skip

    code, lines, _ = recompute("--apply")
    assert code == 0
    assert (
        lines[0] == f"reading {text} (M-1 zone 1): status accepted -> pending_review (left for a supervisor)"
    )
    assert lines[1].endswith("0 reading(s) and 0 meter(s) corrected, 1 reading(s) left for a supervisor")
    assert stored(app, text, "M-1")[3:5] == ("UNVERIFIED_SENDER", "accepted")


def test_an_unknown_meter_is_an_error_naming_it_and_nothing_is_written(app, recompute):
    night = stored_as_before(app, "M-1", 2575, datetime(2026, 11, 17, 21, 30), days=31, flags="HIGH",
                             period="2026-11")  # fmt: skip
    before = stored(app, night, "M-1")

    code, lines, err = recompute("--apply", "--meter", "M-1", "--meter", "NO-SUCH")
    assert code == 1
    assert lines == []
    assert err.strip() == "ivr readings recompute: no meter with serial NO-SUCH; nothing was changed"
    assert stored(app, night, "M-1") == before
    assert audit_trail(app) == []


def test_the_reading_after_a_night_one_counts_its_days_from_the_night_ones_local_day(app, recompute):
    night = stored_as_before(app, "M-1", 1100, datetime(2026, 11, 17, 21, 30), days=31, period="2026-11")
    # The old build compared December's reading with the meter's UTC day of the night one.
    december = stored_as_before(app, "M-1", 1200, datetime(2026, 12, 17, 9, 0), days=30, period="2026-12")

    code, lines, _ = recompute("--apply")
    assert code == 0
    assert lines[:-1] == [
        f"reading {night} (M-1 zone 1): days 31 -> 32",
        f"reading {december} (M-1 zone 1): previous_on 2026-11-17 -> 2026-11-18",
        f"reading {december} (M-1 zone 1): days 30 -> 29",
    ]
    with app.app_context(), transaction() as s:
        assert s.get(Reading, december).previous_on == date(2026, 11, 18)
    assert stored(app, december, "M-1")[2] == 29


def test_a_reading_is_judged_against_the_history_it_had_not_a_later_one(app, recompute):
    # 1600 kWh in 31 days without history is HIGH (limit 1550). A later month of 100 kWh a day
    # would lift the limit to 6200; the reading was judged, and is judged again, without it.
    high = stored_as_before(app, "M-1", 2600, datetime(2026, 11, 17, 9, 0), days=31, flags="HIGH",
                            period="2026-11")  # fmt: skip
    stored_as_before(app, "M-1", 5600, datetime(2026, 12, 17, 9, 0), days=30, period="2026-12")

    code, lines, _ = recompute()
    assert code == 0
    assert lines == ["5 meter(s) checked: 0 reading(s) and 0 meter(s) corrected, 0 reading(s) left for a "
                     "supervisor; a dry run: nothing was written (--apply writes it)"]  # fmt: skip
    assert stored(app, high, "M-1")[3] == "HIGH"


def test_a_dry_run_only_reads(app, recompute):
    night = stored_as_before(app, "M-1", 2575, datetime(2026, 11, 17, 21, 30), days=31, flags="HIGH",
                             period="2026-11")  # fmt: skip
    statements = []

    def seen(conn, cursor, statement, *args) -> None:  # noqa: ANN001
        statements.append(" ".join(statement.split()).upper())

    event.listen(Engine, "before_cursor_execute", seen)  # every engine: the command makes its own
    try:
        code, lines, _ = recompute()
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert code == 0 and lines[0] == f"reading {night} (M-1 zone 1): days 31 -> 32"
    assert [q for q in statements if q.startswith("SELECT")]  # the listener saw the run
    writes = ("INSERT", "UPDATE", "DELETE")
    assert [q for q in statements if q.startswith(writes) or "FOR UPDATE" in q] == []


@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
@pytest.mark.parametrize("apply", [False, True], ids=["dry-run", "apply"])
def test_calls_save_meters_while_a_recompute_runs(app, db_url, apply):
    """Paused after the first meter (its lines are reported once its transaction ended), the
    recompute holds no lock: a call saves that meter, and one not yet recomputed, at once."""
    night = stored_as_before(app, "M-1", 2575, datetime(2026, 11, 17, 21, 30), days=31, flags="HIGH",
                             period="2026-11")  # fmt: skip
    rt, paused, resume, reported = runtime(app), threading.Event(), threading.Event(), []

    def report(change) -> None:  # noqa: ANN001
        reported.append(change.line())
        paused.set()
        assert resume.wait(10), "the test never resumed the recompute"

    def save(serial: str, values: list[int]) -> None:
        with app.app_context(), rt.sessions() as s, s.begin():
            s.execute(text("SET LOCAL lock_timeout = '200ms'"))  # the hotline waits 4 s, then apologises
            store_readings(s, serial, values, datetime(2026, 12, 17, 9))

    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(
            run, rt.sessions, rt.regions, rt.config.rules, ("M-1", "M-2"), apply, NOW, report
        )
        try:
            assert paused.wait(10), running.exception(0) if running.done() else "never reported"
            assert reported == [f"reading {night} (M-1 zone 1): days 31 -> 32"]  # M-1 done, M-2 not begun
            save("M-1", [2700])
            save("M-2", [5100, 3100])
        finally:
            resume.set()
        done = running.result(timeout=30)
    assert done.startswith("2 meter(s) checked: 1 reading(s) and 1 meter(s) corrected")
    assert len(reported) == 3
    with app.app_context(), transaction() as s:
        assert [m.last_read_on for m in s.scalars(select(Meter).where(Meter.serial.in_(["M-1", "M-2"])))] == [
            date(2026, 12, 17)
        ] * 2
        assert s.get(Reading, night).days == (32 if apply else 31)


def test_a_later_reading_is_judged_against_the_corrected_days_of_an_earlier_one(app, recompute):
    # November's 320 kWh over 32 days, not 31: 10 kWh a day of history, not 10.3. December's 590
    # over its corrected 29 days is above twice that (580), though not twice the old one (598.7).
    night = stored_as_before(app, "M-1", 1320, datetime(2026, 11, 17, 21, 30), days=31, period="2026-11")
    december = stored_as_before(app, "M-1", 1910, datetime(2026, 12, 17, 9, 0), days=30, period="2026-12")

    code, lines, _ = recompute()
    assert code == 0
    assert lines[:-1] == [
        f"reading {night} (M-1 zone 1): days 31 -> 32",
        f"reading {december} (M-1 zone 1): previous_on 2026-11-17 -> 2026-11-18",
        f"reading {december} (M-1 zone 1): days 30 -> 29",
        f"reading {december} (M-1 zone 1): flags - -> HIGH",
    ]
