"""Text channels: send a message to the service as a channel adapter would."""

from __future__ import annotations

import itertools
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from twilio.request_validator import RequestValidator

from ivr.calls.messages import Incoming, Outgoing
from ivr.runtime import runtime
from tests.conftest import ACCOUNT_SID, NOW, PUBLIC_URL, TOKEN

KNOWN = "+79161234567"  # on account 100001 (one zone)
STRANGER = "+79260000000"  # on no account


@pytest.fixture
def send(app):
    """send("100001 1100") -> Outgoing; minutes= moves the message's time on from NOW."""
    ids = itertools.count(1)

    def message(body: str, sender: str = KNOWN, channel: str = "sms", minutes: float = 0,
                sid: str | None = None, **extra) -> Outgoing:  # fmt: skip
        incoming = Incoming(channel, sid or f"SM{next(ids):032d}", sender, body,
                            NOW + timedelta(minutes=minutes), **extra)  # fmt: skip
        with app.app_context():
            return runtime(app).messages.receive(incoming)

    return message


def signed(params: dict, token: str = TOKEN) -> dict:
    """Headers Twilio would send with these parameters to /twilio/sms."""
    return {
        "X-Twilio-Signature": RequestValidator(token).compute_signature(f"{PUBLIC_URL}/twilio/sms", params)
    }


@pytest.fixture
def text(client):
    """text("100001 1100") posts a signed Messaging webhook; returns (status, reply text, response)."""
    ids = itertools.count(1)

    def post(body: str, sender: str = KNOWN, sid: str | None = None, media: int = 0):  # noqa: ANN202
        params = {"MessageSid": sid or f"SM{next(ids):032d}", "AccountSid": ACCOUNT_SID, "From": sender,
                  "To": "+74950000000", "Body": body, "NumMedia": str(media)}  # fmt: skip
        response = client.post("/twilio/sms", data=params, headers=signed(params))
        return response.status_code, message_text(response.get_data(as_text=True)), response

    return post


def message_text(xml: str) -> str:
    """The text of the reply's <Message>, or "" when it has none."""
    root = ElementTree.fromstring(xml)
    assert root.tag == "Response"
    found = root.find("Message")
    return "" if found is None else found.text or ""
