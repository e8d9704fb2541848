"""Text channels: send a message to the service as a channel adapter would."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from ivr.calls.messages import Incoming, Outgoing
from ivr.runtime import runtime
from tests.conftest import NOW

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
