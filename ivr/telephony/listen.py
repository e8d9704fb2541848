"""Turn a Gather or Record action request into the caller's answer."""
from __future__ import annotations

import logging
from pathlib import Path

from ivr import flows
from ivr.speech.recognizer import SpeechError
from ivr.telephony.calls import Answer
from ivr.telephony.recordings import RecordingError, fetch_recording

log = logging.getLogger(__name__)


def from_keys(digits: str) -> Answer:
    digits = digits[:32]  # longer than any account or reading: the rest is noise
    return Answer(flows.Keys(digits), "keys", keys=digits)


def from_recording(form, config, speech, sid: str, seq: int, kind: str, locale: str) -> Answer:  # noqa: ANN001
    """Download the caller's recording, keep it, and recognise it."""
    try:
        duration = int(form.get("RecordingDuration") or 0)
    except ValueError:
        duration = 0
    url = form.get("RecordingUrl", "")
    if duration <= 0 or not url:  # Twilio trims silence: nothing left means nothing said
        return Answer(flows.Silence(), "no-input")
    try:
        audio = fetch_recording(url, config)
    except RecordingError as e:
        log.warning("call %s turn %s: recording not fetched: %s", sid, seq, e)
        return Answer(flows.Speech("", None, 0.0), "no-audio")
    path = keep(config["IVR_RECORDINGS_DIR"], sid, seq, audio)
    if not speech.has(locale):
        return Answer(flows.Speech("", None, 0.0), "no-model", recording_path=path)
    try:
        heard = speech.hear(audio, kind, locale)
    except SpeechError as e:
        log.warning("call %s turn %s: audio not recognised: %s", sid, seq, e)
        return Answer(flows.Speech("", None, 0.0), "bad-audio", recording_path=path)
    words = [{"word": w.word, "conf": round(w.conf, 3), "start": w.start, "end": w.end}
             for w in heard.words]  # fmt: skip
    return Answer(
        flows.Speech(heard.text, heard.value, heard.confidence),
        "answered" if heard.value is not None else "no-match",
        heard=heard.text,
        confidence=heard.confidence,
        words=words,
        asr_seconds=heard.seconds,
        recording_path=path,
    )


def keep(folder: str, sid: str, seq: int, audio: bytes) -> str:
    """Store a turn's audio as <folder>/<CallSid>/<seq>.wav; return the path relative to folder."""
    safe_sid = "".join(c for c in sid if c.isalnum())[:64] or "unknown"
    relative = Path(safe_sid) / f"{seq}.wav"
    target = Path(folder) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(audio)
    return str(relative)
