"""Real headless Chromium: an admin uploads an Excel workbook of accounts, sees what it changes and
confirms it."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
from sqlalchemy import select

from ivr.store.accounts_csv import HEADER
from ivr.store.models import Meter
from tests.console.conftest import CHROMIUM, PASSWORD
from tests.sessions import session

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]


def test_admin_uploads_a_workbook_sees_the_changes_and_confirms(app, server, page, users, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    # A date cell, a phone number stored as a number, two phones split by a line break in the cell.
    sheet.append(["100001", 89161234567, "ул. Ленина, д. 1, кв. 1", "Москва", "M-1", 1, 6, 1010, None, None,
                  datetime(2026, 11, 17)])  # fmt: skip
    sheet.append(["500005", "+7 916 555-00-11\n8-495-728-70-11", "ул. Новая, д. 5", "Москва", "N-1", 1, 6, 10,
                  None, None, "20.11.2026"])  # fmt: skip
    path = tmp_path / "лицевые счета.xlsx"
    book.save(path)

    page.goto(server + "/console/login")
    page.fill("input[name=name]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/console/calls")
    page.click("nav.main >> text=Лицевые счета")
    page.wait_for_url("**/console/accounts/import")
    page.set_input_files("input[type=file]", str(path))
    page.check("input[name=partial]")  # only two accounts: the others keep their meters
    page.click("form[enctype] button[type=submit]")
    page.wait_for_selector("#import-preview")
    assert page.inner_text("#meters-new") == "1"
    assert page.inner_text("#meters-updated") == "1"
    assert page.inner_text("#meters-retired") == "0"
    assert "xlsx" in page.inner_text("section.card")
    with app.app_context():
        assert session().scalar(select(Meter.last_t1).where(Meter.serial == "M-1")) == 1000  # not yet

    page.click("text=Подтвердить загрузку")
    page.wait_for_selector(".flash.ok")
    assert "Новых счётчиков: 1, изменённых: 1, выведено: 0" in page.inner_text(".flash.ok")
    with app.app_context():
        found = dict(session().execute(select(Meter.serial, Meter.last_t1)).all())
        phones = [
            p.e164 for p in session().scalars(select(Meter).where(Meter.serial == "N-1")).one().account.phones
        ]
    assert found["M-1"] == 1010 and found["N-1"] == 10 and found["M-5"] == 1000
    assert phones == ["+79165550011", "+74957287011"]
