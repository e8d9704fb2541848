"""Render the flow's actions as TwiML."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from twilio.twiml.voice_response import Gather, VoiceResponse

from ivr.config import Config
from ivr.flows import KINDS, Action, Ask, Hangup, Say, Transfer
from ivr.locales import LocalePack

PROMPTS_DIR = Path(__file__).resolve().parents[2] / "audio_prompts"
# Seconds a caller may take to start answering; how long an answer may last is its kind's.
ANSWER_TIMEOUT = 5
ALL_KEYS = "0123456789*#"
# On a streamed call, a caller who starts speaking as the question's timer runs out is heard within
# this grace: the stream's first word replaces it with the listening TwiML before the silence redirect.
SPEECH_GRACE_S = 2
# The listening TwiML outlasts the longest answer the stream takes, so the stream always ends it first.
LISTEN_SLACK_S = 3


class Renderer:
    """Turns actions into one TwiML document for one webhook response."""

    def __init__(self, pack: LocalePack, url_for: Callable[[str, dict], str], config: Config,
                 stream_url: str | None = None, stream_token: str = ""):  # fmt: skip
        self.pack = pack
        self.stream_url = stream_url  # given for the greeting of a streamed call: it starts the stream
        self.stream_token = stream_token  # the call's own token, which its stream's start sends back
        self.url_for = url_for
        self.voice = config.say_voice or pack.say_voice
        self.operator = config.operator_number
        self.line_locale = config.locale
        self.prompts_dir = Path(config.prompts_dir or PROMPTS_DIR)

    def render(self, actions: list[Action], seq: int, stream: bool = False) -> str:
        response = VoiceResponse()
        if self.stream_url:
            # A one-way fork of the caller's audio, for the whole call: Twilio keeps the mouth.
            stream = response.start().stream(url=self.stream_url, track="inbound_track")
            # Twilio sends it back in the start's customParameters: the socket is for this call only.
            stream.parameter(name="token", value=self.stream_token)
        pending: list[Say] = []  # Says wait so they can go inside a keypad <Gather>
        for action in actions:
            if isinstance(action, Say):
                pending.append(action)
            elif isinstance(action, Ask):
                self._ask(response, pending, action, seq, stream)
                pending = []
            elif isinstance(action, Transfer):
                self._transfer(response, pending)
                pending = []
            elif isinstance(action, Hangup):
                self._speak(response, pending)
                response.hangup()
                pending = []
        self._speak(response, pending)
        return str(response)

    def text(self, prompt: str, params: dict) -> str:
        return self.pack.text(prompt, **params)

    def _speak(self, verb: VoiceResponse | Gather, says: list[Say]) -> None:
        for say in says:
            recorded = self.prompts_dir / self.pack.code / f"{say.prompt}.wav"
            if not say.params and recorded.is_file():
                verb.play(self.url_for("telephony.prompt_audio",
                                       {"locale": self.pack.code, "prompt": say.prompt}))  # fmt: skip
            else:
                verb.say(self.text(say.prompt, dict(say.params)), voice=self.voice,
                         language=self.pack.say_language)  # fmt: skip

    def listening(self, seq: int, kind: str) -> str:
        """Quiet TwiML while the stream hears an answer: it stops the prompt, keys still work."""
        response = VoiceResponse()
        gather = response.gather(input="dtmf", action=self.url_for("telephony.answer", {"q": seq}),
                                 method="POST", timeout=1, num_digits=1,
                                 action_on_empty_result=False)  # fmt: skip
        longest = KINDS[kind].longest_s if kind in KINDS else max(k.longest_s for k in KINDS.values())
        gather.pause(length=longest + LISTEN_SLACK_S)
        response.redirect(self.url_for("telephony.silence", {"q": seq}), method="POST")
        return str(response)

    def _ask(self, response: VoiceResponse, says: list[Say], ask: Ask, seq: int, stream: bool) -> None:
        question = [*says, Say(ask.prompt, ask.params)]
        answer_url = self.url_for("telephony.answer", self._query(seq))
        if ask.keypad:
            gather = response.gather(
                input="dtmf",
                action=answer_url,
                method="POST",
                timeout=ANSWER_TIMEOUT,
                finish_on_key=ask.kind.finish_key,
                num_digits=None if ask.kind.number else 1,
                action_on_empty_result=False,
            )
            self._speak(gather, question)
        elif stream:
            # The stream hears the answer; the Gather keeps keys working, and any key moves the
            # call to the keypad as a key during a <Record> does.
            gather = response.gather(input="dtmf", action=answer_url, method="POST",
                                     timeout=ANSWER_TIMEOUT, num_digits=1,
                                     action_on_empty_result=False)  # fmt: skip
            self._speak(gather, question)
            response.pause(length=SPEECH_GRACE_S)
        else:
            self._speak(response, question)
            response.record(
                action=answer_url,
                method="POST",
                timeout=3,  # seconds of silence that end the answer
                max_length=ask.kind.longest_s,
                finish_on_key=ALL_KEYS,  # any key ends the recording and moves to the keypad
                play_beep=False,
                trim="trim-silence",
            )
        # Gather and Record fall through here when the caller says nothing.
        response.redirect(self.url_for("telephony.silence", self._query(seq)), method="POST")

    def _query(self, seq: int) -> dict:
        # A call in another language than IVR_LOCALE names it: a failing webhook apologises in it.
        return {"q": seq} if self.pack.code == self.line_locale else {"q": seq, "locale": self.pack.code}

    def _transfer(self, response: VoiceResponse, says: list[Say]) -> None:
        if self.operator:
            self._speak(response, [*says, Say("transfer")])
            response.dial(self.operator)
        else:
            self._speak(response, [*says, Say("no_operator")])
            response.hangup()
