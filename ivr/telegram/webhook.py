"""Telegram's webhook: an update in, checked by its secret, taken once by the message service.

The answer is always an empty 200 at once: the reply goes out through the Bot API's sendMessage from
the outbox, after the commit, so no webhook waits on Telegram. 403 without the right secret, and
with no secret set (no Telegram channel): nothing is read, nothing changes.
"""

from __future__ import annotations

import hmac
import json
import logging

from flask import Blueprint, Response, request

from ivr import locales
from ivr.calls.messages import Contact, Incoming
from ivr.calls.storage import StorageUnavailable
from ivr.runtime import Runtime
from ivr.telegram.updates import Kind, Update, parse

log = logging.getLogger(__name__)
CHANNEL = "telegram"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
# An update with a message of 4096 characters (up to 4 bytes each in UTF-8, more escaped in JSON) and
# its entities stays well under this; anything larger is no update Telegram sends.
MAX_BODY = 256 * 1024


def key(chat_id: str) -> str:
    """A sender's key: their chat id, marked as Telegram's, so that it is never taken for a phone number
    written without its + (the rate limit and «ДА» go by the key, across channels)."""
    return "tg:" + chat_id.strip()


def blueprint(rt: Runtime) -> Blueprint:
    """The bot's webhook, handing each message to the app's message service (`rt.messages`)."""
    bp = Blueprint("telegram", __name__, url_prefix="/telegram")

    @bp.post("/webhook")
    def webhook() -> Response:
        """Take one update: a message in a private chat; edits, groups and button callbacks are ignored."""
        if not _signed(rt.config.telegram.secret):
            return _plain("forbidden", 403)
        if (request.content_length or 0) > MAX_BODY:
            return _plain("too large for an update", 413)
        body = request.stream.read(MAX_BODY + 1)  # a body without a length is cut off here
        if len(body) > MAX_BODY:
            return _plain("too large for an update", 413)
        try:
            update = parse(json.loads(body))
        except (ValueError, RecursionError):
            update = None
        if update is None:
            return _plain("not a Telegram update", 400)
        try:
            _take(rt, update)
        except StorageUnavailable as error:  # Telegram delivers it again later, taken once by update_id
            log.error("telegram update %s not taken for now: %s", update.update_id, error)
            return _plain("try again later", 503)
        return Response("{}", mimetype="application/json")

    return bp


def _plain(text: str, status: int) -> Response:
    return Response(text, status=status, mimetype="text/plain")


def _signed(secret: str | None) -> bool:
    """The secret Telegram was given in setWebhook, compared in constant time. Without one set there
    is no Telegram channel, and no request is Telegram's."""
    given = request.headers.get(HEADER, "")
    return bool(secret) and hmac.compare_digest(given.encode(), secret.encode())


def _take(rt: Runtime, update: Update) -> None:
    if update.kind == Kind.IGNORED:
        log.info("telegram update %s ignored: no message of a private chat", update.update_id)
        return
    # A command is the bot's Start or Help button, no words of the template: taken as an empty message,
    # which is answered with the template in the sender's language. A contact card is taken as a message
    # too: once per update_id, its answer and the phone kept in one transaction.
    body = update.text if update.kind in (Kind.TEXT, Kind.MEDIA) else ""
    contact = Contact(update.contact_phone or "", update.own_contact) if update.kind == Kind.CONTACT else None
    incoming = Incoming(CHANNEL, str(update.update_id), update.chat_id, body, rt.clock.now(), _language(update),
                        media=update.kind == Kind.MEDIA, contact=contact)  # fmt: skip
    rt.messages.receive(incoming)


def _language(update: Update) -> str | None:
    return update.language if update.language in locales.available() else None
