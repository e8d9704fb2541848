"""Notices to SMS and WhatsApp senders, sent through Twilio's REST Messages API (not a webhook reply)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import requests

from ivr.calls.channels import Undeliverable
from ivr.logs import scrub

log = logging.getLogger(__name__)
TIMEOUT_S = (3.0, 10.0)  # connect, read: a cron job, no caller waits
# Twilio's answer when it will never take the message: no such number, one that cannot get texts, one
# that opted out with Twilio. Other 4xx (our credentials, its rate limit) may pass: tried again.
REFUSED = 400


class NoticeFailed(Exception):
    """Twilio did not take the notice, for now (a timeout, a 5xx, its rate limit), or cannot be asked."""


@dataclass(frozen=True)
class TwilioNotifier:
    """Sends from IVR_TWILIO_FROM with the account's credentials; `prefix` is whatsapp: on WhatsApp."""

    channel: str
    account_sid: str | None
    auth_token: str | None
    sender: str | None
    api_url: str
    prefix: str = ""

    def send(self, recipient: str, text: str) -> None:
        if not (self.account_sid and self.auth_token and self.sender):
            raise NoticeFailed(
                "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and IVR_TWILIO_FROM are needed to send notices"
            )
        url = f"{self.api_url}/2010-04-01/Accounts/{self.account_sid}/Messages.json"
        data = {"To": self.prefix + recipient, "From": self.prefix + self.sender, "Body": text}
        try:
            response = requests.post(url, data=data, auth=(self.account_sid, self.auth_token),
                                     timeout=TIMEOUT_S, allow_redirects=False)  # fmt: skip
        except requests.RequestException as error:
            raise NoticeFailed(f"{type(error).__name__} sending to {scrub(recipient)}") from None
        if response.status_code == REFUSED:
            raise Undeliverable(f"HTTP {response.status_code} sending to {scrub(recipient)}")
        if response.status_code >= 300:
            raise NoticeFailed(f"HTTP {response.status_code} sending to {scrub(recipient)}")
        log.info("%s notice sent to %s", self.channel, scrub(recipient))
