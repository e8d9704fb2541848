"""The review queue and the supervisor's decisions, down to the billing export."""

from __future__ import annotations

import csv
import io
import threading

import pytest
from sqlalchemy import select

from ivr.store.models import AuditEvent, Meter, Reading
from ivr.store.readings_csv import export_readings
from tests.sessions import session

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py


def exported(app) -> list[dict]:
    with app.app_context():
        out = io.BytesIO()  # the export writes a file's bytes
        export_readings(session(), out)
    return list(csv.DictReader(io.StringIO(out.getvalue().decode())))


def state(app, reading_id: int) -> tuple[Reading, Meter, list[AuditEvent]]:
    with app.app_context():
        s = session()
        reading = s.get(Reading, reading_id)
        meter = s.get(Meter, reading.meter_id)
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.subject == f"reading:{reading_id}").order_by(AuditEvent.id)
        ).all()
        return reading, meter, list(events)


@pytest.fixture
def negative(make_call):
    """A reading lower than the previous 1000, said twice: pending review, meter unchanged."""
    return make_call(flags="NEGATIVE", status="pending_review", value=900)


@pytest.fixture
def high(make_call):
    """A suspiciously high reading, accepted at once; the meter moved on to it."""
    return make_call(flags="HIGH", status="accepted", value=9999)


def listed(console, path: str, *made) -> list:  # noqa: ANN001
    """Which of the made calls' readings a list page links to."""
    page = console.get(path).get_data(as_text=True)
    return [m for m in made if f'/console/readings/{m.reading_id}"' in page]


def test_the_queue_holds_exactly_the_readings_waiting_for_review(login, make_call, negative, high):
    """Flags alone send nothing to review: the judgement's stored pending_review does."""
    plain = make_call(flags="", value=1100)
    late = make_call(flags="OUT_OF_WINDOW", value=1100)
    unverified = make_call(flags="UNVERIFIED_SENDER", status="pending_review", value=1100)
    console = login("qa")
    made = (negative, high, plain, late, unverified)
    assert listed(console, "/console/readings", *made) == [negative, unverified]
    assert listed(console, "/console/readings?show=flagged", *made) == [high, late]
    assert listed(console, "/console/readings?show=all", *made) == list(made)
    assert listed(console, "/console/readings?show=flagged&flag=OUT_OF_WINDOW", *made) == [late]
    tabs = console.get("/console/readings").get_data(as_text=True)
    assert 'href="/console/readings?show=flagged"' in tabs and "С отметками, принятые" in tabs


def test_reviewed_readings_leave_the_queue(login, negative):
    console = login("supervisor")
    console.post(f"/console/readings/{negative.reading_id}/approve", {"note": "ok"})
    page = console.get("/console/readings").get_data(as_text=True)
    assert f'/console/readings/{negative.reading_id}"' not in page and "Очередь пуста" in page


def test_reading_page_shows_previous_values_consumption_and_the_turn_with_audio(login, high):
    page = login("qa").get(f"/console/readings/{high.reading_id}").get_data(as_text=True)
    assert ">9999<" in page and "1000" in page and "8999" in page and "за 31 дн." in page
    assert f"/console/calls/{high.sid}#turn-1" in page
    assert f'src="/console/audio/{high.turn_ids[0]}.wav"' in page


def test_approving_a_pending_reading_accepts_it_moves_the_meter_and_reaches_the_export(app, login, negative):
    response = login("supervisor").post(
        f"/console/readings/{negative.reading_id}/approve", {"note": "meter replaced"}
    )
    assert response.status_code == 303
    reading, meter, [event] = state(app, negative.reading_id)
    assert (reading.status, reading.reviewed_by) == (
        "accepted",
        "supervisor",
    ) and reading.reviewed_at
    assert meter.last_t1 == 900
    assert (event.actor, event.action, event.old, event.new, event.note) == (
        "supervisor",
        "approve",
        "pending_review",
        "accepted",
        "meter replaced",
    )
    [row] = exported(app)
    assert (row["value"], row["status"]) == ("900", "accepted")


def test_rejecting_an_accepted_reading_puts_the_meter_back(app, login, high):
    login("supervisor").post(f"/console/readings/{high.reading_id}/reject", {"note": "misheard"})
    reading, meter, [event] = state(app, high.reading_id)
    assert reading.status == "rejected" and meter.last_t1 == 1000
    assert (event.action, event.old, event.new, event.note) == (
        "reject",
        "accepted",
        "rejected",
        "misheard",
    )
    assert exported(app)[0]["status"] == "rejected"


def test_rejecting_falls_back_to_the_newest_reading_that_still_counts(app, login, make_call, high):
    later = make_call(flags="HIGH", value=12000)
    login("supervisor").post(f"/console/readings/{later.reading_id}/reject", {"note": ""})
    _, meter, _ = state(app, later.reading_id)
    assert meter.last_t1 == 9999


def test_rejecting_a_pending_reading_leaves_the_meter_alone(app, login, negative):
    login("admin").post(f"/console/readings/{negative.reading_id}/reject", {"note": "no"})
    reading, meter, _ = state(app, negative.reading_id)
    assert reading.status == "rejected" and meter.last_t1 == 1000


def test_correcting_changes_the_value_recomputes_use_and_flags_and_keeps_the_original_in_the_trail(
    app, login, high
):
    console = login("supervisor")
    console.post(f"/console/readings/{high.reading_id}/correct", {"value": "1099", "reason": "said 1099"})
    reading, meter, [event] = state(app, high.reading_id)
    assert (reading.value, reading.consumption, reading.status) == (1099, 99, "accepted")
    assert reading.flags == ""  # 99 kWh in 31 days is no longer high
    assert meter.last_t1 == 1099
    assert (event.action, event.old, event.new, event.note) == (
        "correct",
        "9999",
        "1099",
        "said 1099",
    )
    [row] = exported(app)
    assert (row["value"], row["previous"], row["consumption"]) == ("1099", "1000", "99")
    page = console.get(f"/console/readings/{high.reading_id}").get_data(as_text=True)
    assert "9999 → 1099" in page and "said 1099" in page and "supervisor" in page


def test_correcting_a_pending_reading_accepts_it(app, login, negative):
    login("supervisor").post(
        f"/console/readings/{negative.reading_id}/correct",
        {"value": "1090", "reason": "caller misspoke"},
    )
    reading, meter, _ = state(app, negative.reading_id)
    assert (reading.status, reading.value, reading.consumption, meter.last_t1) == (
        "accepted",
        1090,
        90,
        1090,
    )


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"value": "12ab", "reason": "x"}, "Значение должно состоять из цифр"),
        (
            {"value": "1234567", "reason": "x"},
            "Значение должно состоять из цифр",
        ),  # the meter has 6 digits
        ({"value": "1200", "reason": "  "}, "Укажите причину"),
    ],
)
def test_bad_corrections_are_refused_with_a_message_and_change_nothing(app, login, high, form, message):
    console = login("supervisor")
    response = console.post(f"/console/readings/{high.reading_id}/correct", form)
    assert response.status_code == 303
    assert message in console.get(response.headers["Location"]).get_data(as_text=True)
    reading, _, events = state(app, high.reading_id)
    assert (reading.value, reading.reviewed_by, events) == (9999, None, [])


def test_settled_readings_take_no_more_decisions(app, login, high):
    console = login("supervisor")
    console.post(f"/console/readings/{high.reading_id}/reject", {"note": ""})
    console.post(f"/console/readings/{high.reading_id}/approve", {"note": ""})
    reading, _, events = state(app, high.reading_id)
    assert reading.status == "rejected" and [e.action for e in events] == ["reject"]
    page = console.get(f"/console/readings/{high.reading_id}").get_data(as_text=True)
    assert "/approve" not in page


@pytest.mark.parametrize("first", ["approve", "reject"])
def test_a_decided_reading_takes_no_second_decision_and_offers_none(app, login, negative, first):
    console = login("supervisor")
    form = {"approve": {"note": "ok"}, "reject": {"note": "no"}}
    console.post(f"/console/readings/{negative.reading_id}/{first}", form[first])
    decided, _, _ = state(app, negative.reading_id)
    for second, data in (*form.items(), ("correct", {"value": "950", "reason": "retyped"})):
        response = console.post(f"/console/readings/{negative.reading_id}/{second}", data)
        assert response.status_code == 303
        assert "уже есть решение" in console.get(response.headers["Location"]).get_data(as_text=True)
    reading, _, events = state(app, negative.reading_id)
    assert (reading.status, reading.value, reading.reviewed_at) == (decided.status, 900, decided.reviewed_at)
    assert [e.action for e in events] == [first]
    page = console.get(f"/console/readings/{negative.reading_id}").get_data(as_text=True)
    assert all(f"/{d}" not in page for d in ("approve", "correct", "reject"))
    assert "Решение по показанию уже принято" in page


@pytest.mark.parametrize("db_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True)
def test_two_supervisors_deciding_at_once_take_one_decision(app, login, negative):
    """The decision locks the reading, then checks it is still undecided: the second waits and is refused."""
    consoles = {d: login("supervisor") for d in ("approve", "reject", "correct")}
    forms = {"approve": {"note": "a"}, "reject": {"note": "r"}, "correct": {"value": "950", "reason": "c"}}
    start = threading.Barrier(len(consoles))
    answers: list[int] = []

    def decide(decision: str) -> None:
        start.wait()
        path = f"/console/readings/{negative.reading_id}/{decision}"
        answers.append(consoles[decision].post(path, forms[decision]).status_code)

    threads = [threading.Thread(target=decide, args=(d,)) for d in consoles]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert answers == [303] * 3
    reading, meter, events = state(app, negative.reading_id)
    [event] = events
    assert (
        reading.status == {"approve": "accepted", "reject": "rejected", "correct": "accepted"}[event.action]
    )
    assert meter.last_t1 == {"approve": 900, "reject": 1000, "correct": 950}[event.action]


def test_unknown_reading_is_404(login):
    console = login("supervisor")
    assert console.get("/console/readings/999").status_code == 404
    assert console.post("/console/readings/999/approve", {"note": ""}).status_code == 404
