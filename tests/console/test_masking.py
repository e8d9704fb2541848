"""Phone numbers and addresses: masked by default, unmasked on request with an audit entry."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ivr.console.masking import Privacy, mask_address
from ivr.store.models import AuditEvent
from tests.sessions import session


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("ул. Ленина, д. 1, кв. 1", "ул. Ленина, ***"),
        ("г. Москва, ул. 8 Марта, дом 5, кв. 12", "г. Москва, ул. 8 Марта, ***"),
        ("Тверская ул., 12а", "Тверская ул., ***"),
        ("пр. Мира, корп. 2", "пр. Мира, ***"),
        ("Moscow, Lenina st, apt 4", "Moscow, Lenina st, ***"),
        ("Садовая улица", "Садовая, ***"),
        ("", "—"),
    ],
)
def test_addresses_keep_city_and_street_and_hide_house_and_flat(address, masked):
    assert mask_address(address) == masked


def test_masked_phone_keeps_operator_code_and_last_two_digits():
    assert Privacy().phone("+79161234567") == "+7 916 ***-**-67"
    assert Privacy(revealed=True).phone("+79161234567") == "+79161234567"


def test_prompts_that_read_the_address_out_are_masked():
    text = "Ваш адрес: ул. Ленина, д. 1, кв. 1. Верно?"
    assert Privacy().text(text, "ул. Ленина, д. 1, кв. 1") == "Ваш адрес: ул. Ленина, ***. Верно?"


def unmasks(app) -> list[AuditEvent]:
    with app.app_context():
        return session().scalars(select(AuditEvent).where(AuditEvent.action == "unmask")).all()


def test_calls_list_and_call_page_mask_phones_and_addresses(login, make_call):
    made = make_call()
    console = login("supervisor")
    for path in (
        "/console/calls",
        f"/console/calls/{made.sid}",
        f"/console/readings/{made.reading_id}",
    ):
        page = console.get(path).get_data(as_text=True)
        assert "+79161234567" not in page and "д. 1, кв. 1" not in page, path
        assert "ул. Ленина, ***" in page
    assert "+7 916 ***-**-67" in console.get("/console/calls").get_data(as_text=True)


def test_unmasking_a_call_shows_the_data_and_writes_who_saw_it(app, login, make_call):
    made = make_call()
    console = login("supervisor")
    assert unmasks(app) == []
    page = console.get(f"/console/calls/{made.sid}?unmask=1").get_data(as_text=True)
    assert "+79161234567" in page and "ул. Ленина, д. 1, кв. 1" in page
    [event] = unmasks(app)
    assert (event.actor, event.subject) == ("supervisor", f"call:{made.sid}")


def test_every_unmasked_view_is_audited(app, login, make_call):
    made = make_call()
    console = login("admin")
    for path in (
        "/console/calls?unmask=1",
        "/console/readings?unmask=1",
        f"/console/readings/{made.reading_id}?unmask=1",
        "/console/calls.csv?unmask=1",
        "/console/readings.csv?unmask=1",
    ):
        assert console.get(path).status_code == 200
    subjects = [e.subject for e in unmasks(app)]
    assert subjects == [
        "calls",
        "readings",
        f"reading:{made.reading_id}",
        "export:calls",
        "export:readings",
    ]


def test_unmask_audit_names_the_filters_and_every_record_shown(app, login, make_call):
    flagged = make_call(flags="HIGH")
    other = make_call(flags="", outcome="transferred", reading=False, caller="+74957287010")
    console = login("supervisor")
    console.post("/console/calls", {"caller": "916", "outcome": "completed"})
    for path in (
        "/console/calls?outcome=completed&by_number=1&unmask=1",
        "/console/calls.csv?outcome=completed&by_number=1&unmask=1",
        "/console/readings?show=flagged&flag=HIGH&unmask=1",
        "/console/readings.csv?show=all&unmask=1",
        f"/console/calls/{other.sid}?unmask=1",
    ):
        assert console.get(path).status_code == 200
    seen = [(e.subject, e.note, e.new) for e in unmasks(app)]
    assert seen == [
        (
            "calls",
            "/console/calls?by_number=1&caller=916&outcome=completed",
            f"call:{flagged.sid}",
        ),
        (
            "export:calls",
            "/console/calls.csv?by_number=1&caller=916&outcome=completed",
            f"call:{flagged.sid}",
        ),
        ("readings", "/console/readings?flag=HIGH&show=flagged", f"reading:{flagged.reading_id}"),
        ("export:readings", "/console/readings.csv?show=all", f"reading:{flagged.reading_id}"),
        (f"call:{other.sid}", f"/console/calls/{other.sid}", f"call:{other.sid}"),
    ]


def test_unmask_link_is_offered_only_to_roles_that_may_unmask(login, make_call):
    make_call()
    assert "Показать персональные данные" in login("supervisor").get("/console/calls").get_data(as_text=True)
    assert "Показать персональные данные" not in login("qa").get("/console/calls").get_data(as_text=True)
