"""The channel registry: a channel is its traits. A toy channel, registered here and nowhere else, takes
readings through the MessageService; and the registry's own entries keep their traits."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta

import pytest
import requests
import responses
from sqlalchemy import select

from ivr.calls.channels import Replies, Traits, Undeliverable, Verify
from ivr.calls.messages import Contact, Incoming, MessageService
from ivr.channels import ENTRIES, TRAITS, notifiers, webhooks
from ivr.console.i18n import LOCALES, channel_label
from ivr.console.masking import Privacy
from ivr.runtime import runtime
from ivr.store.models import Message, Reading, SenderPhone
from ivr.telephony.notices import NoticeFailed
from tests.conftest import NOW
from tests.sessions import transaction
from tests.texts.conftest import KNOWN

pytestmark = pytest.mark.both_databases
PIGEON = Traits("pigeon", key=lambda s: s.strip().lower(), stored=str.strip, mask=lambda s: s[:2] + "***",
                verify=Verify.CONTACT, replies=Replies.ADAPTER, max_chars=40, label="Pigeon")  # fmt: skip


@pytest.fixture
def toy(app):
    """send(body, sender, traits=PIGEON) through a MessageService that knows the toy channel only."""
    parts = runtime(app)
    service = MessageService(parts.sessions, parts.regions, parts.config.rules, parts.config.locale,
                             parts.clock, {PIGEON.name: PIGEON, "owl": replace(PIGEON, name="owl")})  # fmt: skip
    sent = iter(range(1, 100))

    def send(
        body: str, sender: str, traits: Traits = PIGEON, minutes: int = 0, contact: Contact | None = None
    ):  # noqa: ANN202
        service.channels = {**service.channels, traits.name: traits}
        incoming = Incoming(traits.name, f"P{next(sent)}", sender, body, NOW + timedelta(minutes=minutes),
                            contact=contact)  # fmt: skip
        with app.app_context():
            return service.receive(incoming)

    send.service = service
    return send


def rows(app) -> list[tuple]:
    with app.app_context(), transaction() as s:
        return [(r.channel, r.value, "UNVERIFIED_SENDER" in r.flag_list) for r in s.scalars(select(Reading))]


def message(app, n: int) -> Message:
    with app.app_context(), transaction() as s:
        return s.scalars(select(Message).order_by(Message.id).offset(n - 1)).first()


def test_a_toy_channel_takes_readings_keyed_masked_and_cut_as_its_traits_say(app, toy, caplog):
    caplog.set_level(logging.INFO, "ivr.calls.messages")
    out = toy("100001 1100", " RING-7 ")
    assert out.status in ("stored", "pending_review") and len(out.text) <= 40 and out.text.endswith("…")
    assert not out.replied  # the channel sends it: nothing rode on an answer
    m = message(app, 1)
    assert (m.channel, m.sender, m.sender_key, m.replied_at, m.reply) == (
        "pigeon",
        "RING-7",
        "ring-7",
        None,
        out.text,
    )
    assert rows(app) == [("pigeon", 1100, True)]  # no contact shared: unverified
    assert "pigeon 1 from ri***" in caplog.text and "ring-7" not in caplog.text.lower()


def test_a_contact_shared_verifies_the_senders_next_readings(app, toy):
    wide = replace(PIGEON, max_chars=400)  # the whole answer, uncut
    refused = toy("", "RING-7", wide, contact=Contact("not a phone", own=True))
    assert refused.status == "contact" and refused.text.startswith("Чужие контакты мы не сохраняем")
    assert "+79169999999" in toy("", "RING-7", wide, contact=Contact("8 916 999-99-99", own=True)).text
    toy("", "ring-7 ", contact=Contact("8 (916) 123-45-67", own=True))  # replaces it: KNOWN's
    toy("100001 1100", "Ring-7")
    assert rows(app) == [("pigeon", 1100, False)]
    with app.app_context(), transaction() as s:
        [shared] = s.scalars(select(SenderPhone))
        assert (shared.channel, shared.sender_key, shared.phone) == ("pigeon", "ring-7", KNOWN)
    # The contact is the channel's: the same key on another channel is still a stranger.
    toy("100001 1150", "ring-7", replace(PIGEON, name="owl"), minutes=1)
    assert rows(app)[-1] == ("owl", 1150, True)


@pytest.mark.parametrize(("verify", "unverified"), [(Verify.PHONE, False), (Verify.NONE, True)])
def test_a_phone_channel_is_verified_by_its_sender_and_one_that_verifies_none_never(
    app, toy, verify, unverified
):
    inline = replace(PIGEON, name="owl", verify=verify, replies=Replies.INLINE, max_chars=1600)
    out = toy("100001 1100", KNOWN, inline)
    assert out.replied and "…" not in out.text and message(app, 1).replied_at == NOW
    assert rows(app) == [("owl", 1100, unverified)]


def test_a_reply_is_cut_at_a_word_or_line_that_fits():
    cut = replace(PIGEON, max_chars=12).cut
    assert cut("short") == "short"
    assert cut("one two three four") == "one two…"
    assert cut("first line\nsecond line") == "first line…"
    assert cut("x" * 30) == "x" * 11 + "…"


def test_the_console_masks_a_sender_as_its_channel_does_and_an_unknown_one_wholly():
    masked = Privacy(False)
    assert masked.sender("ivan@example.ru", "email") == "i***@example.ru"
    assert masked.sender("+79161234567", "sms") != "+79161234567" and "4567" not in masked.sender(
        KNOWN, "sms"
    )
    assert masked.sender("+79161234567", "gone") == "***"
    assert Privacy(True).sender("+79161234567", "gone") == "+79161234567"


def test_the_registry_keeps_the_channels_of_today(app):
    assert list(TRAITS) == ["sms", "whatsapp", "email", "telegram"]
    assert TRAITS["whatsapp"].key(" whatsapp:8 916 123-45-67") == KNOWN == TRAITS["sms"].key("89161234567")
    assert TRAITS["email"].key(" Ivan@Example.RU ") == "ivan@example.ru"
    assert TRAITS["telegram"].key(" 4242424242 ") == "tg:4242424242"  # never taken for a phone number
    assert [t.verify for t in TRAITS.values()] == [Verify.PHONE, Verify.PHONE, Verify.NONE, Verify.CONTACT]
    assert [t.replies for t in TRAITS.values()] == [Replies.INLINE] * 2 + [Replies.ADAPTER, Replies.OUTBOX]
    # SMS and WhatsApp share Twilio's
    assert [bp.name for bp in webhooks(runtime(app))] == ["messaging", "telegram"]
    assert all(len(e.traits.name) <= 16 for e in ENTRIES)  # the messages' and readings' column
    for code in LOCALES:
        with app.test_request_context(f"/?lang={code}"):
            assert [channel_label(n) for n in TRAITS] == ["SMS", "WhatsApp", "e-mail", "Telegram"]
            assert channel_label("ivr") == {"ru": "звонок", "en": "call"}[code]


@responses.activate
def test_a_number_twilio_refuses_is_undeliverable_and_an_outage_is_not(app):
    sms = notifiers(replace(runtime(app).config, twilio_from="+74950000000"))["whatsapp"]
    url = f"{sms.api_url}/2010-04-01/Accounts/{sms.account_sid}/Messages.json"
    responses.post(url, status=400)
    with pytest.raises(Undeliverable):
        sms.send(KNOWN, "text")
    assert (
        responses.calls[0].request.body
        == "To=whatsapp%3A%2B79161234567&From=whatsapp%3A%2B74950000000&Body=text"
    )
    for failure in (503, 429, requests.ConnectionError()):
        responses.replace(responses.POST, url, status=failure) if isinstance(failure, int) else responses.replace(
            responses.POST, url, body=failure)  # fmt: skip
        with pytest.raises(NoticeFailed):
            sms.send(KNOWN, "text")
