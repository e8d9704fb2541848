"""CSV downloads of calls and readings, with the filters on screen and masked personal data."""

from __future__ import annotations

import csv
import io

from ivr.console.export import cell
from ivr.store.readings_csv import HEADER


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
    response = login("qa").get("/console/readings.csv")
    header = response.get_data(as_text=True).splitlines()[0].split(",")
    assert header == [*HEADER, "address", "caller"]
    [row] = rows(response)  # the review queue: only the flagged one
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
