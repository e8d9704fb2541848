"""Twilio webhooks: translate requests into call-service events and replies into TwiML."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial

from flask import Blueprint, Flask, Response, request, send_from_directory, url_for
from twilio.twiml.voice_response import VoiceResponse
from werkzeug.exceptions import HTTPException

from ivr import flows, locales
from ivr.calls import Answer
from ivr.config import Config
from ivr.runtime import Runtime
from ivr.telephony import listen, recovery
from ivr.telephony.signature import stream_token, stream_url, twilio_signed
from ivr.telephony.twiml import PROMPTS_DIR, Renderer

log = logging.getLogger(__name__)
# The webhooks Twilio posts, by path, and the method (and endpoint) that takes each, once signed.
ROUTES = {"voice": "voice", "answer": "answer", "silence": "silence", "repeat": "repeat",
          "listening": "listening", "status": "status", "fallback": "fallback_url"}  # fmt: skip


def twiml(xml: str) -> Response:
    return Response(xml, mimetype="text/xml")


def link(settings: Config, endpoint: str, params: dict) -> str:
    """Absolute when IVR_PUBLIC_URL is set, so Twilio calls back where it signs; else relative."""
    path = url_for(endpoint, **params)  # the route's parts into the path, the rest into one query
    base = settings.public_url
    return base + path if base else path


def renderer(settings: Config) -> Callable[..., Renderer]:
    """The line's renderer of a locale's replies, as the call service asks for it."""

    def render(locale: str, stream_url: str | None = None, stream_token: str = "") -> Renderer:
        return Renderer(locales.load(locale), partial(link, settings), settings, stream_url, stream_token)

    return render


class Webhooks:
    """The voice line's webhooks, built with the parts they use."""

    def __init__(self, rt: Runtime) -> None:
        self.rt, self.settings, self.calls, self.speech = rt, rt.config, rt.calls, rt.speech
        self.recovery = recovery.Recovery(rt.config, rt.calls)
        self.renderer = renderer(rt.config)

    def call_locale(self) -> str:
        """The line's locale: ?locale= on the Voice URL (a second number), else IVR_LOCALE."""
        locale = request.args.get("locale") or ""
        return locale if locale in locales.available() else self.settings.locale

    def voice(self) -> Response:
        """Answer an incoming call: greet and ask the first question."""
        sid, locale = _sid(), self.call_locale()
        if sid is None:
            return twiml(self.recovery.apology(locale, lambda r: r.hangup()))
        keypad = not self.speech.has(locale)
        settings = self.settings
        stream = settings.listen == "stream" and not keypad  # a line without speech needs no ears
        if stream:
            start = self.renderer(
                locale, stream_url(settings.public_url), stream_token(settings.auth_token, sid)
            )
        else:
            start = self.renderer(locale)
        form = request.form
        reply = recovery.bounded(lambda: self.calls.begin(
            sid, form.get("From", ""), form.get("To", ""), locale, keypad, start, stream))  # fmt: skip
        return twiml(reply.body)

    def answer(self) -> Response:
        """Take the answer to a question: keys from <Gather>, or a <Record>ing."""
        form = request.form
        if form.get("Digits") == "hangup" and not form.get("RecordingUrl"):
            return twiml(str(VoiceResponse()))  # hung up before saying anything
        digits = (form.get("Digits") or "").strip()
        if digits and digits != "hangup":
            return self._take(lambda sid: Answer.keys_pressed(digits))
        # A caller who says "да" and hangs up at once still confirmed: the recording is taken.
        return self._take(self._recording)

    def silence(self) -> Response:
        """The question got no answer before its timeout."""
        return self._take(lambda sid: Answer.silence())

    def repeat(self) -> Response:
        """Say the current question again, changing nothing; a call not begun yet is begun."""
        sid = _sid()
        body = recovery.bounded(lambda: self.calls.replay(sid)) if sid else None
        if not body:
            return twiml(self._back_to_voice())
        return twiml(body)

    def listening(self) -> Response:
        """Where the stream moves a call whose caller began to answer: the prompt stops, keys still work."""
        sid, q = _sid(), _q()
        waiting = recovery.bounded(lambda: self.calls.waiting(sid)) if sid else None
        if waiting is None:
            return twiml(self._back_to_voice())
        if waiting.seq != q:  # the answer was taken before Twilio came here: go on with the call
            return twiml(recovery.bounded(lambda: self.calls.replay(sid)) or self._back_to_voice())
        return twiml(self.renderer(waiting.locale).listening(q, waiting.kind))

    def status(self) -> Response:
        """Close the call: completed, transferred or abandoned, with its duration."""
        sid = _sid()
        if sid is not None:
            recovery.bounded(lambda: self.calls.close(sid, request.form.get("CallStatus", "")))
        return Response(status=204)

    def fallback_url(self) -> Response:
        """Twilio's Voice fallback URL: the primary failed, so apologise and try it again shortly."""
        return twiml(self._back_to_voice())

    def prompt_audio(self, locale: str, prompt: str) -> Response:
        """Serve a recorded prompt for <Play>."""
        folder = self.settings.prompts_dir or PROMPTS_DIR
        return send_from_directory(folder, f"{locale}/{prompt}.wav", mimetype="audio/wav")

    def _recording(self, sid: str) -> Answer:
        waiting = self.calls.waiting(sid)
        if waiting is None:
            return Answer.silence()
        return listen.from_recording(request.form, self.rt, sid, waiting)

    def _take(self, hear) -> Response:  # noqa: ANN001
        """Run one answer through the call service, once, however often Twilio delivers it."""
        sid, q = _sid(), _q()
        if sid is None:
            return twiml(self._back_to_voice())

        def work() -> str | None:
            reply = self.calls.answer(sid, q, hear(sid), self.renderer)
            return reply.body if reply else None

        body = recovery.bounded(work)
        return twiml(body if body else self._back_to_voice())

    def _back_to_voice(self) -> str:
        """Begin (or resume) the call from its first webhook, a bounded number of times."""
        errors = recovery.errors_so_far() + 1
        if errors > recovery.VOICE_RETRIES:
            return self.recovery.give_up(self.call_locale())
        url = link(self.settings, "telephony.voice", self._in_locale({"errors": errors}))
        return self.recovery.retry_later(self.call_locale(), url)

    def _in_locale(self, params: dict) -> dict:
        """Keep the call's ?locale= on a retry URL, so the retry speaks the caller's language too."""
        return {**params, "locale": self.call_locale()} if request.args.get("locale") else params

    def failed(self, error: Exception) -> Response | HTTPException:
        """Never leave a caller on a dead line, and never loop them: retry once, then a person."""
        if isinstance(error, HTTPException):
            return error
        log.error("webhook %s failed: %s", request.path, error, exc_info=not isinstance(
            error, recovery.WebhookTimeout))  # fmt: skip
        if request.endpoint == "telephony.voice":
            return twiml(self._back_to_voice())
        if request.endpoint == "telephony.status":  # no caller waits on it: not a caller's failure
            return Response(status=500)
        sid = _sid()
        errors = self.recovery.count_failure(sid)
        if errors >= recovery.ERRORS_BEFORE_OPERATOR:
            return twiml(self.recovery.give_up(self.call_locale(), sid))
        url = link(self.settings, "telephony.repeat", self._in_locale({"errors": errors}))
        return twiml(self.recovery.retry_later(self.call_locale(), url))


def _q() -> int:
    try:
        return int(request.args.get("q", ""))
    except ValueError:
        return -1


def _sid() -> str | None:
    sid = request.form.get("CallSid", "").strip()
    # Twilio's SIDs are short and alphanumeric; anything else is forged and must not reach logs.
    return sid if 0 < len(sid) <= 64 and sid.isascii() and sid.isalnum() else None


def init_app(app: Flask, rt: Runtime) -> Blueprint:
    """Check the flow against every locale pack, then mount the webhooks with the app's parts."""
    flows.validate({code: locales.load(code) for code in locales.available()})
    hooks = Webhooks(rt)
    bp = Blueprint("telephony", __name__, url_prefix="/twilio")
    signed = twilio_signed(rt.config)
    for path, name in ROUTES.items():
        bp.add_url_rule(f"/{path}", name, signed(getattr(hooks, name)), methods=["POST"])
    bp.add_url_rule("/prompts/<locale>/<prompt>.wav", "prompt_audio", hooks.prompt_audio)
    bp.register_error_handler(Exception, hooks.failed)
    app.register_blueprint(bp)
    return bp
