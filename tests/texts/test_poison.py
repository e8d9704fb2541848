"""No message stops a text channel: whatever one body is, it gets an answer, is recorded, and the
sender's next message is read."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from ivr.store.models import Message, Reading
from tests.sessions import transaction
from tests.texts.conftest import KNOWN

pytestmark = pytest.mark.postgres

# The template, in Russian, or in English for a body with Latin letters (@home, ESC [2J).
TEMPLATE = (
    "Отправьте номер лицевого счёта и показания через пробел",
    "Send your account number and readings",
)
RECEIPT = (
    "Принято: 1 показание. Спасибо!",
    "1 reading received. Thank you!",
)  # in the sender's last language


def recorded(app) -> tuple[list[tuple], list[int]]:
    """(body, status) of every message, and every reading's value."""
    with app.app_context(), transaction() as s:
        messages = [(m.body, m.status) for m in s.scalars(select(Message).order_by(Message.id))]
        return messages, list(s.scalars(select(Reading.value).order_by(Reading.id)))


@pytest.mark.parametrize("sender", [KNOWN, "whatsapp:" + KNOWN])
@pytest.mark.parametrize("body", ["@home 100001 1100", "100001 1100 @ivan_petrov", "@1 100001 1100"])
def test_a_word_that_starts_with_at_gets_the_template_and_the_next_message_is_stored(app, text, sender, body):
    code, reply, _ = text(body, sender=sender)
    assert code == 200 and reply.startswith(TEMPLATE)
    code, reply, _ = text("100001 1100", sender=sender)
    assert code == 200 and reply in RECEIPT
    assert recorded(app) == ([(body, "help"), ("100001 1100", "stored")], [1100])


def test_a_signed_number_gets_the_template_and_is_not_stored(app, text):
    assert text("100001 -1200")[1].startswith(TEMPLATE)
    assert recorded(app) == ([("100001 -1200", "help")], [])


@pytest.mark.parametrize("body", ["100001\x00 1100", "100001 1100\x00", "\x00", "100001 \x1b[2J1100"])
def test_control_characters_get_the_template_with_no_traceback(app, text, caplog, body):
    code, reply, _ = text(body)
    assert code == 200 and reply.startswith(TEMPLATE)
    assert not [r for r in caplog.records if r.levelname == "ERROR" or r.exc_info]
    [(stored_body, status)], readings = recorded(app)
    assert (stored_body, status, readings) == (body.replace("\x00", "\ufffd"), "help", [])


def test_a_message_the_rules_fail_on_gets_the_template_is_recorded_and_the_next_is_read(
    app, send, monkeypatch
):
    from ivr import flows

    take_text = flows.take_text

    def failing(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        monkeypatch.setattr(flows, "take_text", take_text)  # the next message is read as ever
        raise ZeroDivisionError("a bug in the rules")

    monkeypatch.setattr(flows, "take_text", failing)
    out = send("100001 1100")
    assert out.status == "rejected" and out.text.startswith(TEMPLATE)
    assert send("100001 1100").text in RECEIPT
    assert recorded(app) == ([("100001 1100", "rejected"), ("100001 1100", "stored")], [1100])


def test_a_body_over_the_limit_is_refused_and_stored_cut_at_it_marked_as_cut(app, text):
    body = "100001 1100 " + "я" * 5000  # IVR_TEXT_MAX_CHARS is 480
    assert "слишком длинное" in text(body)[1]
    assert "Принято" in text("100001 1100")[1]
    with app.app_context(), transaction() as s:
        cut, whole = s.scalars(select(Message).order_by(Message.id))
        assert (cut.body, cut.body_chars, cut.status) == (body[:480], len(body), "rejected")
        assert (whole.body, whole.body_chars) == ("100001 1100", None)
