"""CSV downloads of calls and readings, with the filters on screen and masked personal data; the
billing export of a period, for supervisors and admins, audited."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from ivr.console.export import cell
from ivr.store.models import AuditEvent
from ivr.store.readings_csv import HEADER
from tests.sessions import session

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py


def rows(response) -> list[dict]:  # noqa: ANN001
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_calls_export_follows_the_filters_and_masks_callers_and_addresses(login, make_call):
    made = make_call(flags="HIGH;LOW_CONFIDENCE")
    make_call(outcome="transferred", reading=False, caller="+74957287010", account="200002")
    [row] = rows(login("supervisor").get("/console/calls.csv?outcome=completed"))
    assert row["call_sid"] == made.sid and row["duration_s"] == "42" and row["turns"] == "2"
    assert (row["caller"], row["address"]) == ("+7 916 ***-**-67", "ул. Ленина, ***")
    assert (row["readings"], row["flags"]) == ("1", "HIGH;LOW_CONFIDENCE")


def test_calls_export_is_unmasked_only_on_request_of_a_role_that_may(login, make_call):
    make_call()
    [row] = rows(login("supervisor").get("/console/calls.csv?unmask=1"))
    assert (row["caller"], row["address"]) == ("+79161234567", "ул. Ленина, д. 1, кв. 1")
    assert login("qa").get("/console/calls.csv?unmask=1").status_code == 403


def test_readings_export_has_the_billing_columns_then_masked_address_and_caller(login, make_call):
    made = make_call(flags="HIGH")
    make_call(flags="", value=1100)
    response = login("qa").get("/console/readings.csv?show=flagged")
    header = response.get_data(as_text=True).splitlines()[0].split(",")
    assert header == [*HEADER, "address", "caller"]
    [row] = rows(response)  # the flagged tab: only the flagged one
    assert (row["call_sid"], row["value"], row["flags"]) == (made.sid, "9999", "HIGH")
    assert (row["address"], row["caller"]) == ("ул. Ленина, ***", "+7 916 ***-**-67")
    assert len(rows(login("qa").get("/console/readings.csv?show=all"))) == 2


def test_readings_export_reflects_review_decisions(login, make_call):
    made = make_call(flags="NEGATIVE", status="pending_review", value=900)
    console = login("supervisor")
    console.post(f"/console/readings/{made.reading_id}/correct", {"value": "1090", "reason": "misheard"})
    [row] = rows(console.get("/console/readings.csv?show=all"))
    assert (row["value"], row["consumption"], row["status"]) == ("1090", "90", "accepted")


def test_cells_that_a_spreadsheet_would_run_as_formulas_are_defused():
    assert cell('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert cell("@SUM(1)") == "'@SUM(1)" and cell("+1+cmd|' /C calc'!A0").startswith("'")
    assert cell("+7 916 ***-**-67") == "+7 916 ***-**-67" and cell("-100") == "-100" and cell(42) == 42


@pytest.fixture
def period(make_call) -> list[str]:
    """Readings around the days 2026-11-20..30 of Moscow; the sids of those inside, in order."""
    made = [
        make_call(started=datetime(2026, 11, 19, 20, 59, 50), value=1001),  # 23:59:58 on the 19th
        make_call(started=datetime(2026, 11, 19, 21, 0), value=1002),  # 00:00:08 on the 20th
        make_call(started=datetime(2026, 11, 30, 20, 59), value=1003),  # 23:59:08 on the 30th
        make_call(started=datetime(2026, 11, 30, 21, 0), value=1004),
    ]  # 00:00:08 on 1 December
    return [m.sid for m in made[1:3]]  # fmt: skip


def exports(app) -> list[AuditEvent]:
    with app.app_context():
        return list(session().scalars(select(AuditEvent).where(AuditEvent.action == "export")))


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_a_supervisor_or_admin_downloads_a_period_as_csv_for_excel_audited(app, login, period, role):
    response = login(role).get("/console/readings/export?start=2026-11-20&end=2026-11-30&format=csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == "attachment; filename=readings-20261120-20261130.csv"
    data = response.get_data()
    assert data.startswith(b"\xef\xbb\xbfaccount;meter;") and data.count(b"\n") == data.count(b"\r\n")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [(r["call_sid"], r["value"], r["received_at"]) for r in rows] == [
        (period[0], "1002", "2026-11-20T00:00:08+03:00"),
        (period[1], "1003", "2026-11-30T23:59:08+03:00"),
    ]
    [event] = exports(app)
    assert (event.actor, event.subject, event.new, event.note) == (
        role, "readings:2026-11-20..2026-11-30", "2 readings", "csv")  # fmt: skip


def test_the_period_downloads_as_a_workbook_of_texts_and_numbers(app, login, period):
    response = login("supervisor").get("/console/readings/export?start=2026-11-20&end=2026-11-30&format=xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data()))["readings"]
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert header == HEADER
    assert [(r[0], r[1], r[3], r[8]) for r in rows] == [("100001", "M-1", 1002, period[0]),
                                                       ("100001", "M-1", 1003, period[1])]  # fmt: skip
    assert [e.note for e in exports(app)] == ["xlsx"]


def test_qa_may_not_download_it_and_a_bad_period_gets_the_form_again(app, login, period):
    assert (
        login("qa").get("/console/readings/export?start=2026-11-20&end=2026-11-30&format=csv").status_code
        == 403
    )
    assert "/console/readings/export" not in login("qa").get("/console/readings").get_data(as_text=True)
    console = login("supervisor")
    assert "/console/readings/export" in console.get("/console/readings").get_data(as_text=True)
    form = console.get("/console/readings/export")
    assert form.status_code == 200 and 'name="format"' in form.get_data(as_text=True)
    for query in ("start=2026-11-30&end=2026-11-20&format=csv", "start=2026-11-20&format=xlsx",
                  "start=2026-11-20&end=2026-11-30&format=ods"):  # fmt: skip
        refused = console.get(f"/console/readings/export?{query}")
        assert refused.status_code == 400 and 'name="format"' in refused.get_data(as_text=True)
    assert exports(app) == []
