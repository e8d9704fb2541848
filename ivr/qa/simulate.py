"""An interactive call in the terminal: the tester plays the caller, the real app answers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask

from ivr.qa.cases import KEYS
from ivr.qa.driver import CallError, FlaskTransport, Heard, TwilioCall
from ivr.qa.facts import call_facts
from ivr.qa.hearing import engine, transcript
from ivr.qa.prompts import matcher
from ivr.qa.recordings import LocalRecordings
from ivr.qa.replay import question_seq
from ivr.qa.targets import voice_path
from ivr.runtime import runtime
from ivr.speech.recognizer import SpeechError
from ivr.store.database import transaction
from ivr.store.phones import mask

HELP = ("Type what the caller says (as recognised), wav:FILE.wav to be heard by the engine, "
        "#123# to press keys, an empty line for silence, /hangup to hang up.")  # fmt: skip


class Simulator:
    """One call through the app's webhooks, narrated turn by turn."""

    def __init__(self, app: Flask, caller: str, locale: str, recordings: LocalRecordings,
                 echo: Callable[[str], None], call: TwilioCall | None = None) -> None:  # fmt: skip
        self.app, self.locale, self.echo = app, locale, echo
        self.hung_up = False
        config = runtime(app).config
        self.call = call or TwilioCall(FlaskTransport(app), config.public_url or "http://localhost",
                                       caller=caller, token=config.auth_token,
                                       account_sid=config.account_sid or "AC" + "0" * 32,
                                       recordings=recordings, voice_path=voice_path(locale))  # fmt: skip

    @property
    def waiting(self) -> bool:
        heard = self.call.heard
        return not self.hung_up and heard is not None and heard.waits_for in ("gather", "record")

    def start(self) -> None:
        self.echo(f"Calling from {mask(self.call.caller)} in {self.locale}. {HELP}")
        self._show(self.call.dial())

    def answer(self, typed: str) -> None:
        """Do what the tester typed, then show what the app made of it and what it says next."""
        seq = question_seq(self.call.heard)
        try:
            heard = self._act(typed.strip())
        except (CallError, OSError, SpeechError) as error:
            self.echo(f"  ! {error}")
            return
        if heard is not None:
            self._recognised(seq)
            self._show(heard)

    def finish(self) -> None:
        """Hang up if the app has not, and tell how the call ended and what it saved."""
        if not self.hung_up:  # Twilio ends every call with the status callback
            self.call.hangup()
        with self.app.app_context(), transaction(runtime(self.app).sessions) as s:
            facts = call_facts(s, self.call.sid)
            self.echo(f"Call {self.call.sid} ended: {facts.outcome if facts else 'unknown'}.")
            for reading in facts.readings if facts else ():
                self.echo(f"  saved {reading.describe()}")

    def _act(self, typed: str) -> Heard | None:
        if typed == "/hangup":
            self.call.hangup()
            self.hung_up = True
            return None
        if not typed:
            return self.call.silence()
        if typed.startswith("#"):
            if not typed[1:] or not set(typed[1:]) <= KEYS:
                raise CallError("keys are 0-9, * and #, after a leading #: #1, #123#")
            return self.call.press(typed[1:])
        if typed.startswith("wav:"):
            audio = Path(typed[4:].strip()).expanduser().read_bytes()
            engine(self.locale)  # load the model now, not inside the webhook it would seem to slow
            return self.call.say(audio)
        if self.call.heard.waits_for != "record" and hasattr(self.call, "line"):
            raise CallError("a typed answer has no audio for the media stream: say wav:FILE.wav")
        return self.call.say(transcript(typed))

    def _recognised(self, seq: int | None) -> None:
        with self.app.app_context(), transaction(runtime(self.app).sessions) as s:
            facts = call_facts(s, self.call.sid)
            turn = facts.turns.get(seq) if facts and seq is not None else None
            if turn is not None:
                conf = f"{turn.confidence:.2f}" if turn.confidence is not None else "-"
                asr = f", {turn.asr_seconds * 1000:.0f} ms" if turn.asr_seconds else ""
                self.echo(f"  heard «{turn.heard or turn.keys or ''}» -> {turn.value} "
                          f"(confidence {conf}{asr}; {turn.outcome})")  # fmt: skip
            if facts is not None:
                st = facts.call.state
                keypad = "on" if st.get("keypad") or st.get("keypad_now") else "off"
                self.echo(f"  state: {st.get('node')} · fails {st.get('fails')} · keypad {keypad}"
                          f" · saved {st.get('saved')}")  # fmt: skip

    def _show(self, heard: Heard) -> None:
        ids = matcher(self.locale).heard(heard.says)
        for pid, said in zip(ids, heard.says):
            self.echo(f"  [{pid}] {said}")
        with self.app.app_context(), transaction(runtime(self.app).sessions) as s:
            facts = call_facts(s, self.call.sid)
            turn = facts.turns.get(question_seq(heard)) if facts else None
            if turn is not None:
                self.echo(f"  question: {turn.question} ({turn.kind}, {turn.mode}) · "
                          f"webhook {heard.latency * 1000:.0f} ms")  # fmt: skip
        if heard.waits_for in ("hangup", "dial"):
            self.echo(f"  the app {'hung up' if heard.waits_for == 'hangup' else 'dialled the operator'}")
