"""The messages page: texts beside calls, masked, filtered, with their readings; text readings in
the review queue; readings per channel on the dashboard."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from ivr.calls.channels import Undeliverable
from ivr.calls.outbox import Deliverer
from ivr.runtime import runtime
from ivr.store.models import AuditEvent, Reading
from tests.conftest import NOW
from tests.console.conftest import KNOWN, STRANGER
from tests.sessions import session

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py


@pytest.fixture
def query(app):
    """query(statement) -> the rows, read in a fresh app context."""

    def run(statement):  # noqa: ANN001, ANN202
        with app.app_context():
            return session().scalars(statement).all()

    return run


def ids(response) -> list[int]:  # noqa: ANN001
    return [int(n) for n in re.findall(r'href="/console/messages/(\d+)', response.get_data(as_text=True))]


def test_the_list_shows_sender_and_text_masked_the_reply_and_the_readings(login, send):
    sent = send("100001 1100 позвоните мне +7 903 111-22-33 или ivan.petrov@mail.ru")
    page = login("qa").get("/console/messages").get_data(as_text=True)
    assert ids(login("qa").get("/console/messages")) == [sent.id]
    assert "+7 916 ***-**-67" in page and "1234567" not in page
    assert "+7 903 ***-**-33" in page and "111-22-33" not in page
    assert "i***@mail.ru" in page and "ivan.petrov" not in page
    assert "100001 1100" in page  # the account and the reading stay readable
    assert sent.reply[:30] in page
    assert 'href="/console/messages"' in page and "Сообщения" in page


def test_filters_by_channel_status_account_and_flagged(login, send):
    plain = send("100001 1100")
    unverified = send("100001 1200", sender=STRANGER, channel="whatsapp")
    helped = send("HELP")
    console = login("qa")
    assert ids(console.get("/console/messages?channel=whatsapp")) == [unverified.id]
    assert ids(console.get("/console/messages?channel=sms")) == [helped.id, plain.id]
    assert ids(console.get("/console/messages?status=help")) == [helped.id]
    assert ids(console.get("/console/messages?flagged=1")) == [unverified.id]
    assert ids(console.get("/console/messages?account=1000")) == [unverified.id, plain.id]
    assert ids(console.get("/console/messages?start=2999-01-01")) == []
    assert ids(console.get("/console/messages?channel=bogus&status=bogus")) == [
        helped.id,
        unverified.id,
        plain.id,
    ]


def test_one_message_shows_its_text_reply_and_links_to_its_readings(login, send, query):
    sent = send("100001 1100")
    page = login("qa").get(f"/console/messages/{sent.id}").get_data(as_text=True)
    (reading,) = query(select(Reading).where(Reading.message_id == sent.id))
    assert "100001 1100" in page and sent.reply in page
    assert f'href="/console/readings/{reading.id}"' in page
    assert "+7 916 ***-**-67" in page and "ул. Ленина, ***" in page
    assert login("qa").get("/console/messages/999999").status_code == 404


def test_showing_the_sender_is_audited_and_refused_to_qa(login, send, query):
    sent = send("100001 1100")
    assert login("qa").get(f"/console/messages/{sent.id}?unmask=1").status_code == 403
    page = login("supervisor").get(f"/console/messages/{sent.id}?unmask=1").get_data(as_text=True)
    assert KNOWN in page
    (entry,) = query(select(AuditEvent).where(AuditEvent.action == "unmask"))
    assert (entry.actor, entry.subject, entry.new) == (
        "supervisor",
        f"message:{sent.id}",
        f"message:{sent.id}",
    )


def test_a_flagged_text_reading_joins_the_review_queue_and_is_decided_like_a_call_reading(login, send, query):
    sent = send("100001 1200", sender=STRANGER)
    (reading,) = query(select(Reading).where(Reading.message_id == sent.id))
    assert reading.flag_list == ["UNVERIFIED_SENDER"]
    console = login("supervisor")
    queue = console.get("/console/readings?show=flagged").get_data(as_text=True)  # accepted: the rule is off
    assert f'href="/console/readings/{reading.id}"' in queue
    assert f'href="/console/messages/{sent.id}">SMS</a>' in queue
    page = console.get(f"/console/readings/{reading.id}").get_data(as_text=True)
    assert f'href="/console/messages/{sent.id}"' in page and "отправитель не подтверждён" in page
    done = console.post(f"/console/readings/{reading.id}/approve", {"note": "checked by phone"})
    assert done.status_code == 303
    (decided,) = query(select(Reading).where(Reading.id == reading.id))
    assert decided.reviewed_by == "supervisor"
    assert f'href="/console/readings/{reading.id}"' not in console.get("/console/readings").get_data(
        as_text=True
    )


def test_the_dashboard_counts_current_readings_per_channel(login, send):
    send("100001 1100")  # superseded by the next one, of the same period: counted once, as WhatsApp
    send("100001 1200", channel="whatsapp")
    page = login("qa").get(f"/console/dashboard?start=2026-11-01&end={NOW.date().isoformat()}")
    counted = dict(
        re.findall(r'data-channel="(\w+)"><td>[^<]*</td><td class="num">(\d+)', page.get_data(as_text=True))
    )
    assert counted == {"ivr": "0", "sms": "0", "whatsapp": "1", "email": "0", "telegram": "0"}


def test_the_english_console_names_channels_and_statuses(login, send):
    send("HELP")
    page = login("qa").get("/console/messages?lang=en").get_data(as_text=True)
    assert "Messages" in page and ">SMS<" in page and "help" in page


def test_a_body_stored_cut_is_shown_as_cut_in_the_list_and_on_its_page(login, send):
    cut, whole = send("100001 1100 " + "x" * 1000), send("100001 1100")
    page = login("qa").get("/console/messages").get_data(as_text=True)
    assert page.count("(обрезано: всего 1012 знаков)") == 1
    assert "(обрезано" in login("qa").get(f"/console/messages/{cut.id}").get_data(as_text=True)
    assert "(обрезано" not in login("qa").get(f"/console/messages/{whole.id}").get_data(as_text=True)


class Refusing:
    def send(self, recipient: str, text: str) -> None:
        raise Undeliverable("HTTP 400 sending to +7 916 ***-**-67")


@pytest.mark.settings(IVR_CLOCK=lambda: NOW + timedelta(minutes=61))  # past the «ДА» deadline
def test_a_notice_that_could_not_be_delivered_is_shown_on_the_list_and_its_message(app, login, send):
    waited, other = send("100001 99000"), send("HELP")  # high use: the first waits for «ДА», and expires
    with app.app_context():
        parts = runtime(app)
        assert parts.messages.expire() == 1
        console = login("qa")
        page = console.get(f"/console/messages/{waited.id}").get_data(as_text=True)
        assert "ждёт отправки" in page and "показания не подтверждены" in page
        Deliverer(parts.sessions, parts.clock, {"sms": Refusing()}, lambda _c, r: "***").deliver_due()
    listing = console.get("/console/messages").get_data(as_text=True)
    assert "Не доставлено уведомлений: 1" in listing and 'href="/console/messages?undelivered=1"' in listing
    assert ids(console.get("/console/messages?undelivered=1")) == [waited.id]
    assert other.id in ids(console.get("/console/messages"))
    page = console.get(f"/console/messages/{waited.id}").get_data(as_text=True)
    assert "не доставлено, попытки прекращены" in page and "HTTP 400 sending to +7 916 ***-**-67" in page
    assert "1234567" not in page
    assert "Уведомления" not in console.get(f"/console/messages/{other.id}").get_data(as_text=True)
