"""When a webhook cannot be answered in time or fails: a spoken answer, bounded retries, a person."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TypeVar
from urllib.parse import parse_qs, urlsplit

from flask import copy_current_request_context, request
from twilio.twiml.voice_response import VoiceResponse

from ivr import locales
from ivr.calls import CallService
from ivr.config import Config
from ivr.flows import TransferReason
from ivr.pools import pool

log = logging.getLogger(__name__)
T = TypeVar("T")

# Twilio drops a webhook after 15 s; the apology and the redirect must be back well before that.
WEBHOOK_BUDGET_S = 9.0
COUNT_BUDGET_S = 1.5  # each of the two bookkeeping steps of a failure: 9 + 1.5 + 1.5 < 15
ERRORS_BEFORE_OPERATOR = 2  # a deterministic bug would otherwise loop the caller forever
VOICE_RETRIES = 3  # a call that rings while the database is down is tried this often
RETRY_PAUSE_S = 2


class WebhookTimeout(Exception):
    """A dependency held the webhook past its budget."""


def bounded(work: Callable[[], T], budget: float | None = None) -> T:
    """Run work within the budget, in the request's context; a stuck dependency raises WebhookTimeout.

    The stuck work may still finish later. That is safe: every answer is taken once by its seq,
    and the caller is sent back to whatever question the call then waits on.
    """
    # The failure bookkeeping has a pool of its own: stuck webhooks must not hold it up.
    name = "webhook" if budget is None else "recovery"
    budget = budget or WEBHOOK_BUDGET_S
    # The worker thread gets the request's context, and its context variables: the log lines'
    # CallSid (logs.CONVERSATION) among them.
    future = pool(name, 32).submit(contextvars.copy_context().run, copy_current_request_context(work))
    try:
        return future.result(timeout=budget)
    except FutureTimeout:
        raise WebhookTimeout(f"{request.path} took over {budget:.0f} s") from None


def errors_so_far() -> int:
    """Failures in a row so far: errors= on this URL or, when Twilio requests the fallback URL, on
    the URL that failed (its ErrorUrl), so a primary that keeps failing cannot loop the caller."""
    failed = parse_qs(urlsplit(request.form.get("ErrorUrl", "")).query).get("errors", [])
    return max(_count(n) for n in [request.args.get("errors", "0"), *failed])


def _count(value: str) -> int:
    try:
        return max(0, int(value))
    except ValueError:
        return 0


class Recovery:
    """The line's way out of a failed webhook: its settings say the voice and the operator, and the
    call service counts the failures."""

    def __init__(self, settings: Config, calls: CallService) -> None:
        self.settings, self.calls = settings, calls

    def count_failure(self, sid: str | None) -> int:
        """Failed webhooks in a row for this call: from the database when it answers, else from the URL."""
        errors = errors_so_far() + 1
        if sid:
            try:
                errors = max(errors, bounded(lambda: self.calls.failed(sid), COUNT_BUDGET_S))
            except Exception:  # noqa: BLE001 - the database may be the thing that failed
                log.warning("could not count the failure of call %s", sid)
        return errors

    def apology(self, locale: str, then: Callable[[VoiceResponse], None]) -> str:
        """Say sorry in the caller's language, then do what comes next."""
        pack = locales.load(locale)
        response = VoiceResponse()
        response.say(pack.text("sorry_error"), voice=self.settings.say_voice or pack.say_voice,
                     language=pack.say_language)  # fmt: skip
        then(response)
        return str(response)

    def give_up(self, locale: str, sid: str | None = None) -> str:
        """End a failing call the kind way: to the operator, or an apology and a hang-up."""
        operator = self.settings.operator_number
        pack = locales.load(locale)
        if sid:
            try:
                bounded(lambda: self.calls.handed_over(sid, TransferReason.ERROR), COUNT_BUDGET_S)
            except Exception:  # noqa: BLE001 - the database may be the thing that failed
                log.warning("could not record the hand-over of call %s", sid)

        def handover(response: VoiceResponse) -> None:
            voice = self.settings.say_voice or pack.say_voice
            response.say(pack.text("transfer_error"), voice=voice, language=pack.say_language)
            if operator:
                response.say(pack.text("transfer"), voice=voice, language=pack.say_language)
                response.dial(operator)
            else:
                response.say(pack.text("no_operator"), voice=voice, language=pack.say_language)
                response.hangup()

        return self.apology(locale, handover)

    def retry_later(self, locale: str, url: str) -> str:
        """Apologise, wait a moment, and come back to url."""

        def again(response: VoiceResponse) -> None:
            response.pause(length=RETRY_PAUSE_S)
            response.redirect(url, method="POST")

        return self.apology(locale, again)
