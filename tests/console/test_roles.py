"""What each role may see and do."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ivr.console.roles import ADMIN, MANAGE_USERS, QA, REVIEW, SUPERVISOR, UNMASK, VIEW, may
from ivr.store.models import Reading
from tests.sessions import session


@pytest.mark.parametrize(
    ("role", "allowed"),
    [
        (QA, {VIEW}),
        (SUPERVISOR, {VIEW, REVIEW, UNMASK}),
        (ADMIN, {VIEW, REVIEW, UNMASK, MANAGE_USERS}),
    ],
)
def test_each_role_has_exactly_its_permissions(role, allowed):
    assert {p for p in (VIEW, REVIEW, UNMASK, MANAGE_USERS) if may(p, role)} == allowed


def test_unknown_role_may_do_nothing():
    assert not may(VIEW, "intern")


@pytest.mark.parametrize("role", [QA, SUPERVISOR, ADMIN])
def test_every_role_sees_calls_transcripts_audio_readings_and_the_dashboard(login, make_call, role):
    made = make_call()
    console = login(role)
    for path in (
        "/console/calls",
        f"/console/calls/{made.sid}",
        f"/console/audio/{made.turn_ids[0]}.wav",
        "/console/readings",
        f"/console/readings/{made.reading_id}",
        "/console/dashboard",
        "/console/calls.csv",
        "/console/readings.csv",
    ):
        assert console.get(path).status_code == 200, path


@pytest.mark.parametrize("decision", ["approve", "reject", "correct"])
def test_qa_cannot_change_readings(app, login, make_call, decision):
    made = make_call(flags="NEGATIVE", status="pending_review", value=900)
    console = login(QA)
    form = {"value": "1200", "reason": "misheard", "note": "n"}
    assert console.post(f"/console/readings/{made.reading_id}/{decision}", form).status_code == 403
    with app.app_context():
        reading = session().get(Reading, made.reading_id)
        assert (reading.status, reading.value, reading.reviewed_by) == ("pending_review", 900, None)


def test_qa_gets_no_review_forms(login, make_call):
    made = make_call()
    page = login(QA).get(f"/console/readings/{made.reading_id}").get_data(as_text=True)
    assert "/approve" not in page and "Ваша роль позволяет только просматривать" in page


@pytest.mark.parametrize(
    "path",
    [
        "/console/calls?unmask=1",
        "/console/readings?unmask=1",
        "/console/calls.csv?unmask=1",
        "/console/readings.csv?unmask=1",
    ],
)
def test_qa_may_not_unmask_personal_data(login, make_call, path):
    make_call()
    assert login(QA).get(path).status_code == 403


def test_qa_may_not_unmask_a_call(login, make_call):
    made = make_call()
    assert login(QA).get(f"/console/calls/{made.sid}?unmask=1").status_code == 403


@pytest.mark.parametrize("role", [QA, SUPERVISOR])
def test_only_admins_manage_users(app, login, role):
    console = login(role)
    assert console.get("/console/users").status_code == 403
    form = {"name": "mallory", "role": "admin", "password": "long enough pw"}
    assert console.post("/console/users", form).status_code == 403
    assert console.post("/console/users/1/role", {"role": "admin"}).status_code == 403
    assert console.post("/console/users/1/delete").status_code == 403
    assert "/console/users" not in console.get("/console/calls").get_data(as_text=True)


def test_supervisor_reviews_readings(app, login, make_call):
    made = make_call(flags="NEGATIVE", status="pending_review", value=900)
    response = login(SUPERVISOR).post(f"/console/readings/{made.reading_id}/approve", {"note": ""})
    assert response.status_code == 303
    with app.app_context():
        assert session().scalars(select(Reading.status)).one() == "accepted"


def test_forbidden_pages_explain_themselves_in_the_console(login):
    response = login(QA).get("/console/users")
    assert response.status_code == 403 and "Нет доступа" in response.get_data(as_text=True)
