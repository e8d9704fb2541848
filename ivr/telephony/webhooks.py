"""Twilio webhooks: /twilio/voice, the question actions, and /twilio/status."""
from __future__ import annotations

import logging
from datetime import datetime
from zoneinfo import ZoneInfo
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, current_app, request, send_from_directory, url_for
from sqlalchemy import select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm.exc import StaleDataError
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from ivr import flows, locales
from ivr.flows.state import CallState
from ivr.flows.steps import FLOW
from ivr.store import database
from ivr.store.models import Call, utcnow
from ivr.store.phones import normalise
from ivr.telephony import calls, listen
from ivr.telephony.signature import twilio_signed
from ivr.telephony.twiml import PROMPTS_DIR, Renderer

log = logging.getLogger(__name__)
bp = Blueprint("telephony", __name__, url_prefix="/twilio")
ENDED = {"completed", "busy", "failed", "no-answer", "canceled"}


def twiml(xml: str) -> Response:
    return Response(xml, mimetype="text/xml")


def link(endpoint: str, params: dict) -> str:
    """Absolute when IVR_PUBLIC_URL is set, so Twilio calls back where it signs; else relative."""
    path = url_for(endpoint, **{k: v for k, v in params.items() if k in ("locale", "prompt")})
    query = {k: v for k, v in params.items() if k not in ("locale", "prompt")}
    path += f"?{urlencode(query)}" if query else ""
    base = current_app.config.get("IVR_PUBLIC_URL")
    return base.rstrip("/") + path if base else path


def renderer(locale: str) -> Renderer:
    return Renderer(locales.load(locale), link, current_app.config)


def sorry(locale: str, then_redirect: str | None = None) -> Response:
    """A polite spoken answer for requests the flow cannot take."""
    pack = locales.load(locale)
    response = VoiceResponse()
    response.say(pack.text("sorry_error"), voice=current_app.config.get("IVR_SAY_VOICE")
                 or pack.say_voice, language=pack.say_language)  # fmt: skip
    if then_redirect:
        response.redirect(then_redirect, method="POST")
    else:
        response.hangup()
    return twiml(str(response))


def now() -> datetime:
    """The hotline's clock, naive UTC like every stored time; tests set IVR_CLOCK to travel."""
    return current_app.config.get("IVR_CLOCK", utcnow)()


def ctx(session, locale: str) -> flows.Context:  # noqa: ANN001
    regions, rules = current_app.extensions["ivr.regions"], current_app.extensions["ivr.rules"]
    return calls.context(session, regions, now(), locale, rules, current_app.extensions["ivr.tz"])


@bp.post("/voice")
@twilio_signed
def voice() -> Response:
    """Answer an incoming call: greet and ask the first question."""
    sid = request.form.get("CallSid", "").strip()
    locale = request.args.get("locale") or current_app.config["IVR_LOCALE"]
    if locale not in locales.available():
        locale = current_app.config["IVR_LOCALE"]
    if not _valid_sid(sid):
        return sorry(locale)
    with database.transaction() as s:
        call = s.scalars(select(Call).where(Call.sid == sid)).first()
        if call is not None:  # Twilio retried the first webhook
            return twiml(call.last_twiml)
        call = Call(sid=sid, caller=request.form.get("From", "")[:64],
                    caller_e164=normalise(request.form.get("From")),
                    called=request.form.get("To", "")[:64], locale=locale, state={})  # fmt: skip
        s.add(call)
        s.flush()
        keypad = not current_app.extensions["ivr.speech"].has(locale)
        return twiml(calls.begin(s, call, ctx(s, locale), renderer(locale), keypad))


@bp.post("/answer")
@twilio_signed
def answer() -> Response:
    """Take the answer to a question: keys from <Gather>, or a <Record>ing."""
    form = request.form
    if form.get("Digits") == "hangup" and not form.get("RecordingUrl"):
        return twiml(str(VoiceResponse()))  # hung up before saying anything
    # A caller who says "да" and hangs up at once still confirmed: the recording is taken.
    return _take(lambda call, state: _heard(call, state, form))


@bp.post("/silence")
@twilio_signed
def silence() -> Response:
    """The question got no answer before its timeout."""
    return _take(lambda call, state: calls.Answer(flows.Silence(), "no-input"))


@bp.post("/repeat")
@twilio_signed
def repeat() -> Response:
    """Say the current question again, changing nothing."""
    with database.transaction() as s:
        call = _call(s)
        return twiml(call.last_twiml) if call else sorry(current_app.config["IVR_LOCALE"])


def _heard(call: Call, state: CallState, form) -> calls.Answer:  # noqa: ANN001
    digits = (form.get("Digits") or "").strip()
    if digits and digits != "hangup":
        return listen.from_keys(digits)
    kind = FLOW[state.node].kind if state.node in FLOW else "free"
    speech = current_app.extensions["ivr.speech"]
    return listen.from_recording(form, current_app.config, speech, call.sid, call.seq, kind,
                                 state.locale)  # fmt: skip


def _valid_sid(sid: str) -> bool:
    # Twilio's SIDs are short and alphanumeric; anything else is forged and must not reach logs.
    return 0 < len(sid) <= 64 and sid.isascii() and sid.isalnum()


def _call(s) -> Call | None:  # noqa: ANN001
    sid = request.form.get("CallSid", "").strip()
    if not _valid_sid(sid):
        return None
    return s.scalars(select(Call).where(Call.sid == sid)).first()


def _take(hear) -> Response:  # noqa: ANN001
    """Run one answer through the flow, once, however often Twilio delivers it."""
    try:
        q = int(request.args.get("q", ""))
    except ValueError:
        q = -1
    with database.transaction() as s:  # a short read: recognition happens outside transactions
        call = _call(s)
        if call is None:
            return sorry(current_app.config["IVR_LOCALE"], link("telephony.voice", {}))
        if q != call.seq:  # a retry or a stale request: answer as we did before
            return twiml(call.last_twiml)
        state = CallState.from_dict(call.state)
    got = hear(call, state)
    try:
        with database.transaction() as s:
            call = _call(s)
            if call is None or call.seq != q:
                return twiml(call.last_twiml if call else "")
            locale = call.locale
            return twiml(calls.answer(s, call, got, ctx(s, locale), renderer(locale)))
    except (StaleDataError, OperationalError):  # another worker took this answer first
        with database.transaction() as s:
            return twiml(_call(s).last_twiml)


@bp.post("/status")
@twilio_signed
def status() -> Response:
    """Close the call: completed, transferred or abandoned, with its duration."""
    call_status = request.form.get("CallStatus", "")
    with database.transaction() as s:
        call = _call(s)
        if call is None:
            return Response(status=204)
        call.status = call_status[:20] or call.status
        if call_status in ENDED and call.ended_at is None:
            call.ended_at = utcnow()
            call.duration_s = int((call.ended_at - call.started_at).total_seconds())
            if call.outcome is None:
                call.outcome = "abandoned" if call_status in ("completed", "canceled") else "failed"
    return Response(status=204)


@bp.get("/prompts/<locale>/<prompt>.wav")
def prompt_audio(locale: str, prompt: str) -> Response:
    """Serve a recorded prompt for <Play>."""
    folder = current_app.config.get("IVR_PROMPTS_DIR") or PROMPTS_DIR
    return send_from_directory(folder, f"{locale}/{prompt}.wav", mimetype="audio/wav")


@bp.errorhandler(Exception)
def fallback(error: Exception) -> Response | HTTPException:
    """Never leave a caller on a dead line: apologise and ask the question again."""
    if isinstance(error, HTTPException):
        return error
    log.exception("webhook %s failed", request.path)
    return sorry(current_app.config["IVR_LOCALE"], link("telephony.repeat", {}))


def init_app(app: Flask) -> None:
    """Check the flow against every locale pack, then mount the webhooks."""
    flows.validate({code: locales.load(code) for code in locales.available()})
    # Submission windows are days of the utility's calendar, not of UTC.
    app.extensions["ivr.tz"] = ZoneInfo(app.config["IVR_TIMEZONE"])
    app.register_blueprint(bp)
