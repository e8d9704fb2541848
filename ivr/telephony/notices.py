"""Notices to SMS and WhatsApp senders, sent through Twilio's REST Messages API (not a webhook reply)."""

from __future__ import annotations

import logging

import requests

from ivr.flows import Channel
from ivr.logs import scrub
from ivr.runtime import config

log = logging.getLogger(__name__)
TIMEOUT_S = (3.0, 10.0)  # connect, read: a cron job, no caller waits


class NoticeFailed(Exception):
    """Twilio did not take the notice."""


def send(channel: str, sender: str, text: str) -> None:
    """POST one message to the sender, from IVR_TWILIO_FROM (whatsapp: prefixed on WhatsApp)."""
    settings = config()
    if not (settings.account_sid and settings.auth_token and settings.twilio_from):
        raise NoticeFailed(
            "TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and IVR_TWILIO_FROM are needed to send notices"
        )
    prefix = "whatsapp:" if channel == Channel.WHATSAPP else ""
    url = f"{settings.twilio_api_url}/2010-04-01/Accounts/{settings.account_sid}/Messages.json"
    data = {"To": prefix + sender, "From": prefix + settings.twilio_from, "Body": text}
    try:
        response = requests.post(url, data=data, auth=(settings.account_sid, settings.auth_token),
                                 timeout=TIMEOUT_S, allow_redirects=False)  # fmt: skip
    except requests.RequestException as error:
        raise NoticeFailed(f"{type(error).__name__} sending to {scrub(sender)}") from None
    if response.status_code >= 300:
        raise NoticeFailed(f"HTTP {response.status_code} sending to {scrub(sender)}")
    log.info("%s notice sent to %s", channel, scrub(sender))
