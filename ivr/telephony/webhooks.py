"""Twilio webhooks: translate requests into call-service events and replies into TwiML."""

from __future__ import annotations

import logging

from flask import Blueprint, Flask, Response, request, send_from_directory, url_for
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from ivr import flows, locales
from ivr.calls import Answer
from ivr.runtime import runtime
from ivr.telephony import listen, recovery
from ivr.telephony.signature import stream_token, stream_url, twilio_signed
from ivr.telephony.twiml import PROMPTS_DIR, Renderer

log = logging.getLogger(__name__)
bp = Blueprint("telephony", __name__, url_prefix="/twilio")


def twiml(xml: str) -> Response:
    return Response(xml, mimetype="text/xml")


def link(endpoint: str, params: dict) -> str:
    """Absolute when IVR_PUBLIC_URL is set, so Twilio calls back where it signs; else relative."""
    path = url_for(endpoint, **params)  # the route's parts into the path, the rest into one query
    base = runtime().config.public_url
    return base + path if base else path


def renderer(locale: str, stream_url: str | None = None, stream_token: str = "") -> Renderer:
    return Renderer(locales.load(locale), link, runtime().config, stream_url, stream_token)


def call_locale() -> str:
    """The line's locale: ?locale= on the Voice URL (a second number), else IVR_LOCALE."""
    locale = request.args.get("locale") or ""
    return locale if locale in locales.available() else runtime().config.locale


@bp.post("/voice")
@twilio_signed
def voice() -> Response:
    """Answer an incoming call: greet and ask the first question."""
    sid, locale = _sid(), call_locale()
    if sid is None:
        return twiml(recovery.apology(locale, lambda r: r.hangup()))
    keypad = not runtime().speech.has(locale)
    settings = runtime().config
    stream = settings.listen == "stream" and not keypad  # a line without speech needs no ears
    if stream:
        start = renderer(locale, stream_url(settings.public_url), stream_token(settings.auth_token, sid))
    else:
        start = renderer(locale)
    form = request.form
    reply = recovery.bounded(lambda: runtime().calls.begin(
        sid, form.get("From", ""), form.get("To", ""), locale, keypad, start, stream))  # fmt: skip
    return twiml(reply.body)


@bp.post("/answer")
@twilio_signed
def answer() -> Response:
    """Take the answer to a question: keys from <Gather>, or a <Record>ing."""
    form = request.form
    if form.get("Digits") == "hangup" and not form.get("RecordingUrl"):
        return twiml(str(VoiceResponse()))  # hung up before saying anything
    digits = (form.get("Digits") or "").strip()
    if digits and digits != "hangup":
        return _take(lambda sid: Answer.keys_pressed(digits))
    # A caller who says "да" and hangs up at once still confirmed: the recording is taken.
    return _take(_recording)


@bp.post("/silence")
@twilio_signed
def silence() -> Response:
    """The question got no answer before its timeout."""
    return _take(lambda sid: Answer.silence())


@bp.post("/repeat")
@twilio_signed
def repeat() -> Response:
    """Say the current question again, changing nothing; a call not begun yet is begun."""
    sid = _sid()
    body = recovery.bounded(lambda: runtime().calls.replay(sid)) if sid else None
    if not body:
        return twiml(_back_to_voice())
    return twiml(body)


@bp.post("/listening")
@twilio_signed
def listening() -> Response:
    """Where the stream moves a call whose caller began to answer: the prompt stops, keys still work."""
    sid, q = _sid(), _q()
    waiting = recovery.bounded(lambda: runtime().calls.waiting(sid)) if sid else None
    if waiting is None:
        return twiml(_back_to_voice())
    if waiting.seq != q:  # the answer was taken before Twilio came here: go on with the call
        return twiml(recovery.bounded(lambda: runtime().calls.replay(sid)) or _back_to_voice())
    return twiml(renderer(waiting.locale).listening(q, waiting.kind))


@bp.post("/status")
@twilio_signed
def status() -> Response:
    """Close the call: completed, transferred or abandoned, with its duration."""
    sid = _sid()
    if sid is not None:
        recovery.bounded(lambda: runtime().calls.close(sid, request.form.get("CallStatus", "")))
    return Response(status=204)


@bp.post("/fallback")
@twilio_signed
def fallback_url() -> Response:
    """Twilio's Voice fallback URL: the primary failed, so apologise and try it again shortly."""
    return twiml(_back_to_voice())


@bp.get("/prompts/<locale>/<prompt>.wav")
def prompt_audio(locale: str, prompt: str) -> Response:
    """Serve a recorded prompt for <Play>."""
    folder = runtime().config.prompts_dir or PROMPTS_DIR
    return send_from_directory(folder, f"{locale}/{prompt}.wav", mimetype="audio/wav")


def _recording(sid: str) -> Answer:
    waiting = runtime().calls.waiting(sid)
    if waiting is None:
        return Answer.silence()
    return listen.from_recording(request.form, runtime(), sid, waiting)


def _take(hear) -> Response:  # noqa: ANN001
    """Run one answer through the call service, once, however often Twilio delivers it."""
    sid, q = _sid(), _q()
    if sid is None:
        return twiml(_back_to_voice())

    def work() -> str | None:
        reply = runtime().calls.answer(sid, q, hear(sid), renderer)
        return reply.body if reply else None

    body = recovery.bounded(work)
    return twiml(body if body else _back_to_voice())


def _q() -> int:
    try:
        return int(request.args.get("q", ""))
    except ValueError:
        return -1


def _sid() -> str | None:
    sid = request.form.get("CallSid", "").strip()
    # Twilio's SIDs are short and alphanumeric; anything else is forged and must not reach logs.
    return sid if 0 < len(sid) <= 64 and sid.isascii() and sid.isalnum() else None


def _back_to_voice() -> str:
    """Begin (or resume) the call from its first webhook, a bounded number of times."""
    errors = recovery.errors_so_far() + 1
    if errors > recovery.VOICE_RETRIES:
        return recovery.give_up(call_locale())
    return recovery.retry_later(call_locale(), link("telephony.voice", _in_locale({"errors": errors})))


def _in_locale(params: dict) -> dict:
    """Keep the call's ?locale= on a retry URL, so the retry speaks the caller's language too."""
    return {**params, "locale": call_locale()} if request.args.get("locale") else params


@bp.errorhandler(Exception)
def failed(error: Exception) -> Response | HTTPException:
    """Never leave a caller on a dead line, and never loop them: retry once, then a person."""
    if isinstance(error, HTTPException):
        return error
    log.error("webhook %s failed: %s", request.path, error, exc_info=not isinstance(
        error, recovery.WebhookTimeout))  # fmt: skip
    if request.endpoint == "telephony.voice":
        return twiml(_back_to_voice())
    if request.endpoint == "telephony.status":  # no caller waits on it: not a caller's failure
        return Response(status=500)
    sid = _sid()
    errors = recovery.count_failure(sid)
    if errors >= recovery.ERRORS_BEFORE_OPERATOR:
        return twiml(recovery.give_up(call_locale(), sid))
    return twiml(
        recovery.retry_later(call_locale(), link("telephony.repeat", _in_locale({"errors": errors})))
    )


def init_app(app: Flask) -> None:
    """Check the flow against every locale pack, then mount the webhooks."""
    flows.validate({code: locales.load(code) for code in locales.available()})
    app.register_blueprint(bp)
