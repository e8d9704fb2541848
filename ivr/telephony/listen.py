"""Turn a <Record> action request into the caller's answer: fetch, keep and hear the recording."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from dataclasses import replace

from ivr import flows, metrics, recordings
from ivr.calls import Answer, Waiting
from ivr.config import Config
from ivr.pools import pool
from ivr.runtime import Runtime
from ivr.speech.recognizer import SpeechError
from ivr.speech.service import Heard
from ivr.telephony.recordings import RecordingError, fetch_recording

log = logging.getLogger(__name__)
# How long an answer waits, after recognition, for its audio to be stored; the store's own timeouts
# (ivr/recordings/s3.py) end a hung request soon after.
STORE_WAIT_S = 2.0


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
    # Stored while it is heard: a slow store and a slow recogniser do not add up in the webhook's time.
    keeping = start_keeping(rt.config, sid, waiting.seq, audio)
    answer = _hear(audio, rt, sid, waiting)
    return replace(answer, recording_path=kept(keeping, sid, waiting.seq))


def _hear(audio: bytes, rt: Runtime, sid: str, waiting: Waiting) -> Answer:
    if not rt.speech.has(waiting.locale):
        return Answer.unheard("no-model")
    try:
        heard = rt.speech.hear(audio, waiting.kind, waiting.locale)
    except SpeechError as e:
        log.warning("call %s turn %s: audio not recognised: %s", sid, waiting.seq, e)
        return Answer.unheard("bad-audio")
    return spoken(heard, None)


def spoken(heard: Heard, path: str | None) -> Answer:
    """The answer a recognised utterance gives, with its kept audio, however it was carried."""
    if heard.seconds is not None:
        metrics.recognition_seconds.observe(heard.seconds)
    words = [{"word": w.word, "conf": round(w.conf, 3), "start": w.start, "end": w.end}
             for w in heard.words]  # fmt: skip
    return Answer(
        flows.Speech(
            heard.text,
            heard.value,
            heard.confidence,
            margin=heard.margin,
            readings=heard.readings,
            decimals=heard.decimals,
            zones=heard.zones,
        ),  # fmt: skip
        "answered" if heard.value is not None else "no-match",
        heard=heard.text,
        confidence=heard.confidence,
        words=words,
        asr_seconds=heard.seconds,
        recording_path=path,
    )


def start_keeping(config: Config, sid: str, seq: int, audio: bytes) -> Future:
    """Store a turn's audio as <CallSid>/<seq>.wav in the recordings store, atomically, on a pool thread."""
    key = recordings.turn_key(sid, seq)
    return pool("recordings", 16).submit(lambda: recordings.store(config).save(key, audio) or key)


def kept(keeping: Future, sid: str, seq: int) -> str | None:
    """The stored audio's key; None when the store failed or is slow: that costs the turn its audio,
    never the caller's answer, which is heard all the same."""
    try:
        return keeping.result(timeout=STORE_WAIT_S)
    except TimeoutError:
        log.error("call %s turn %s: audio not kept: the store took over %s s", sid, seq, STORE_WAIT_S)
    except OSError as e:  # RecordingsError, or the folder's own errors
        log.error("call %s turn %s: audio not kept: %s", sid, seq, e)
    return None
