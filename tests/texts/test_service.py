"""MessageService: the template against accounts, the voice line's rules, «ДА», keywords, limits."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ivr.store.database import transaction
from ivr.store.models import Message, Reading
from tests.texts.conftest import KNOWN

pytestmark = pytest.mark.postgres


def readings(app) -> list[Reading]:
    with app.app_context(), transaction() as s:
        return list(s.scalars(select(Reading).order_by(Reading.id)))


def messages(app) -> list[Message]:
    with app.app_context(), transaction() as s:
        return list(s.scalars(select(Message).order_by(Message.id)))


def test_a_reading_is_stored_with_its_message(app, send):
    out = send("100001 1100")
    assert out.status == "stored" and out.locale == "ru" and "Принято: 1 показание" in out.text
    [r] = readings(app)
    assert (r.value, r.previous, r.status, r.channel, r.call_id) == (1100, 1000, "accepted", "sms", None)
    [m] = messages(app)
    assert r.message_id == m.id and m.sender_key == KNOWN and m.reply == out.text
