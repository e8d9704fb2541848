"""Turn a <Record> action request into the caller's answer: fetch, keep and hear the recording."""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from ivr import flows, metrics
from ivr.calls import Answer, Waiting
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
    path = keep(rt.config.recordings_dir, sid, waiting.seq, audio)
    if not rt.speech.has(waiting.locale):
        return Answer.unheard("no-model", path)
    try:
        heard = rt.speech.hear(audio, waiting.kind, waiting.locale)
    except SpeechError as e:
        log.warning("call %s turn %s: audio not recognised: %s", sid, waiting.seq, e)
        return Answer.unheard("bad-audio", path)
    return spoken(heard, path)


def spoken(heard: Heard, path: str) -> Answer:
    """The answer a recognised utterance gives, with its kept audio, however it was carried."""
    if heard.seconds is not None:
        metrics.recognition_seconds.observe(heard.seconds)
    words = [{"word": w.word, "conf": round(w.conf, 3), "start": w.start, "end": w.end}
             for w in heard.words]  # fmt: skip
    return Answer(
        flows.Speech(heard.text, heard.value, heard.confidence, margin=heard.margin, readings=heard.readings),
        "answered" if heard.value is not None else "no-match",
        heard=heard.text,
        confidence=heard.confidence,
        words=words,
        asr_seconds=heard.seconds,
        recording_path=path,
    )


def keep(folder: str, sid: str, seq: int, audio: bytes) -> str:
    """Store a turn's audio as <folder>/<CallSid>/<seq>.wav, atomically; return the relative path."""
    safe_sid = "".join(c for c in sid if c.isalnum())[:64] or "unknown"
    relative = Path(safe_sid) / f"{seq}.wav"
    target = Path(folder) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written aside and renamed: a reader never sees half a file, and a duplicate delivery of
    # the same answer writing at the same moment cannot tear it.
    with tempfile.NamedTemporaryFile(dir=target.parent, suffix=".part", delete=False) as partial:
        partial.write(audio)
    os.replace(partial.name, target)
    return str(relative)
