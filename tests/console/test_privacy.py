"""Personal data stays masked on call pages: rejected and changed addresses, number searches."""

import io
import re

import pytest
from sqlalchemy import select

from ivr.console.masking import mask_address
from ivr.store.accounts_csv import import_accounts
from ivr.store.models import User
from tests.conftest import ACCOUNTS_CSV
from tests.sessions import transaction

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py


def test_masked_call_page_hides_the_address_of_an_account_the_caller_rejected(app, phone, login):
    # The caller's number matches 100001, whose address is read out; the caller says "no" and
    # types another account: the first address must not show under the second account.
    call = phone("+79161234567")
    call.dial()
    call.press("1")  # readings, on the keypad
    call.press("2")  # "ул. Ленина, д. 1, кв. 1" is not my address
    call.press("200002#")  # the account of "ул. Мира, д. 2"
    call.hangup()
    page = login("qa").get(f"/console/calls/{call.sid}").get_data(as_text=True)
    assert "ул. Мира, ***" in page
    assert "д. 1, кв. 1" not in page, "full address of the first account shown to QA"


def test_masked_call_page_hides_an_address_that_changed_after_the_call(app, phone, login):
    # Re-importing the accounts updates addresses in place; old prompts keep the old text verbatim.
    call = phone("+79161234567")
    call.dial()
    call.press("1")
    call.press("1")  # address confirmed
    call.hangup()
    with app.app_context(), transaction() as s:
        import_accounts(s, io.StringIO(ACCOUNTS_CSV.replace("д. 1, кв. 1", "д. 1, кв. 2")))
    page = login("qa").get(f"/console/calls/{call.sid}").get_data(as_text=True)
    assert "д. 1, кв. 1" not in page, "old full address shown to QA"


def test_address_mask_hides_a_house_number_written_in_the_street_part():
    # "ул. Ленина д. 5, кв. 12": the house sits in the street's comma part and stays visible.
    masked = mask_address("г. Москва, ул. Ленина д. 5, кв. 12")
    assert not re.search(r"\d", masked.replace("***", "")), masked


def test_qa_cannot_search_calls_by_number_which_would_confirm_a_masked_one(app, login, make_call):
    # Ten guesses per hidden digit would rebuild '+7 916 ***-**-67' from the search's answers.
    make_call(caller="+79161234567")
    qa = login("qa")
    assert 'name="caller"' not in qa.get("/console/calls").get_data(as_text=True)
    assert qa.post("/console/calls", {"caller": "79161234567"}).status_code == 403
    # nor by a number a supervisor searched for before their role became QA
    supervisor = login("supervisor")
    supervisor.post("/console/calls", {"caller": "79161234567"})
    with app.app_context(), transaction() as s:
        s.scalars(select(User).where(User.name == "supervisor")).one().role = "qa"
    assert supervisor.get("/console/calls?by_number=1").status_code == 403
    assert supervisor.get("/console/calls.csv?by_number=1").status_code == 403
