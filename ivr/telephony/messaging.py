"""Twilio's Messaging webhook: an SMS or WhatsApp message in, a TwiML <Message> reply out."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, request
from twilio.twiml.messaging_response import MessagingResponse
from werkzeug.exceptions import HTTPException

from ivr import flows, locales
from ivr.calls.messages import Incoming
from ivr.locales import replies
from ivr.runtime import Runtime
from ivr.telephony import recovery
from ivr.telephony.signature import twilio_signed

log = logging.getLogger(__name__)
# The two channels this webhook serves (ivr/channels.py): one Twilio number, told apart by the prefix.
SMS, WHATSAPP = "sms", "whatsapp"
PREFIX = "whatsapp:"


def bare(sender: str) -> str:
    """The sender without Twilio's whatsapp: prefix."""
    sender = sender.strip()
    return sender[len(PREFIX) :] if sender.lower().startswith(PREFIX) else sender


def reply(text: str) -> Response:
    """TwiML with one <Message>, or none when there is nothing to say."""
    response = MessagingResponse()
    if text:
        response.message(text)
    return Response(str(response), mimetype="text/xml")


def _hint() -> str | None:
    """?locale=en on a second number's webhook URL: its senders are answered in English by default."""
    return request.args.get("locale") if request.args.get("locale") in locales.available() else None


def _media(form) -> bool:  # noqa: ANN001
    try:
        return int(form.get("NumMedia", "0") or 0) > 0
    except ValueError:
        return True  # not a count Twilio would send: refused like media, never read


def blueprint(rt: Runtime) -> Blueprint:
    """The Messaging webhook, handing each message to the app's message service (`rt.messages`)."""
    bp = Blueprint("messaging", __name__, url_prefix="/twilio")

    @bp.post("/sms")
    @twilio_signed(rt.config)
    def sms() -> Response:
        """Take one message: Twilio's parameters MessageSid, From, Body and NumMedia, nothing else."""
        form = request.form
        sid = form.get("MessageSid", "").strip()
        if not (0 < len(sid) <= 64 and sid.isascii() and sid.isalnum()):
            return Response("MessageSid missing or malformed", status=400, mimetype="text/plain")
        sender = form.get("From", "").strip()
        channel = WHATSAPP if sender.lower().startswith(PREFIX) else SMS
        incoming = Incoming(channel, sid, sender, form.get("Body", ""), rt.clock.now(), _hint(), _media(form))
        out = recovery.bounded(lambda: rt.messages.receive(incoming))
        return reply(out.text)

    @bp.errorhandler(Exception)
    def failed(error: Exception) -> Response | HTTPException:
        """The database down or too slow: an apology the sender reads, never a 500 Twilio retries. The
        body is not read again here: a message that failed to be read would fail again."""
        if isinstance(error, HTTPException):
            return error
        log.error(
            "webhook %s failed: %s",
            request.path,
            error,
            exc_info=not isinstance(error, recovery.WebhookTimeout),
        )
        return reply(replies.load(_hint() or rt.config.locale).text([flows.Say("sorry_error")]))

    return bp
