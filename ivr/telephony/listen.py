"""Turn a <Record> action request into the caller's answer: fetch, keep and hear the recording."""

from __future__ import annotations

import logging

from ivr import flows, recordings
from ivr.calls import Answer, Waiting
from ivr.config import Config
from ivr.runtime import Runtime
from ivr.speech.recognizer import SpeechError
from ivr.speech.service import Heard
from ivr.telephony.recordings import RecordingError, fetch_recording

log = logging.getLogger(__name__)


def from_recording(form, rt: Runtime, sid: str, waiting: Waiting) -> Answer:  # noqa: ANN001
    """Download the caller's recording, keep it, and recognise it for the question it answers."""
    try:
        duration = int(form.get("RecordingDuration") or 0)
    except ValueError:
        duration = 0
    url = form.get("RecordingUrl", "")
    if duration <= 0 or not url:  # Twilio trims silence: nothing left means nothing said
        return Answer.silence()
    try:
        audio = fetch_recording(url, rt.config)
    except RecordingError as e:
        log.warning("call %s turn %s: recording not fetched: %s", sid, waiting.seq, e)
        return Answer.unheard("no-audio")
    path = keep(rt.config, sid, waiting.seq, audio)
    if not rt.speech.has(waiting.locale):
        return Answer.unheard("no-model", path)
    try:
        heard = rt.speech.hear(audio, waiting.kind, waiting.locale)
    except SpeechError as e:
        log.warning("call %s turn %s: audio not recognised: %s", sid, waiting.seq, e)
        return Answer.unheard("bad-audio", path)
    return spoken(heard, path)


def spoken(heard: Heard, path: str | None) -> Answer:
    """The answer a recognised utterance gives, with its kept audio, however it was carried."""
    words = [{"word": w.word, "conf": round(w.conf, 3), "start": w.start, "end": w.end}
             for w in heard.words]  # fmt: skip
    return Answer(
        flows.Speech(heard.text, heard.value, heard.confidence, margin=heard.margin),
        "answered" if heard.value is not None else "no-match",
        heard=heard.text,
        confidence=heard.confidence,
        words=words,
        asr_seconds=heard.seconds,
        recording_path=path,
    )


def keep(config: Config, sid: str, seq: int, audio: bytes) -> str | None:
    """Store a turn's audio as <CallSid>/<seq>.wav in the recordings store, atomically; return its key.

    A store that fails costs the turn its audio, never the caller's answer: it is still heard.
    """
    key = recordings.turn_key(sid, seq)
    try:
        recordings.store(config).save(key, audio)
    except recordings.RecordingsError as e:
        log.error("call %s turn %s: audio not kept: %s", sid, seq, e)
        return None
    return key
