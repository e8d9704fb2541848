"""A channel whose replies do not ride on the webhook's answer (Telegram) gets them from the outbox,
written with the message that they answer, and the message is marked replied once one went out."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from ivr.calls.channels import Replies
from ivr.calls.messages import Incoming, MessageService
from ivr.channels import TRAITS
from ivr.runtime import runtime
from ivr.store.models import Message
from tests.conftest import NOW
from tests.outbox.conftest import Recorder

pytestmark = pytest.mark.both_databases


@pytest.fixture
def service(app) -> MessageService:
    """The message service with SMS replies sent through the outbox, as a Telegram's are."""
    parts = runtime(app)
    queued = dataclasses.replace(TRAITS["sms"], replies=Replies.OUTBOX)
    return MessageService(
        parts.sessions, parts.regions, parts.config.rules, "ru", parts.clock, {**TRAITS, "sms": queued}
    )


def test_a_queued_reply_goes_out_through_the_outbox_once_and_marks_the_message_replied(
    app, service, deliverer, notices
):
    incoming = Incoming("sms", "SM" + "1" * 32, "+79161234567", "100001 1100", NOW)
    out = service.receive(incoming)
    assert out.status == "stored" and out.replied is False
    assert service.receive(incoming).duplicate  # a repeated delivery queues nothing more
    [notice] = notices()
    assert (notice.kind, notice.channel, notice.recipient, notice.text) == (
        "reply",
        "sms",
        "+79161234567",
        out.text,
    )
    sms = Recorder()
    assert deliverer(sms=sms).deliver_due() == 1 and sms.sent == [("+79161234567", out.text)]
    with runtime(app).sessions() as s:
        message = s.scalars(select(Message)).one()
    assert (message.id, message.replied_at) == (notice.message_id, NOW)


def test_a_reply_on_the_webhooks_answer_is_not_queued(app, notices):
    with app.app_context():
        out = runtime(app).messages.receive(
            Incoming("sms", "SM" + "2" * 32, "+79161234567", "100001 1100", NOW)
        )
    assert out.replied and notices() == []
