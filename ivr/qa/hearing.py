"""What the app hears in QA calls: typed transcripts as they are, WAV audio by the real engine."""

from __future__ import annotations

from functools import cache

from ivr.config import from_environ
from ivr.speech.engine import VoskRecognizer, load_model
from ivr.speech.models import bundled_models
from ivr.speech.recognizer import AudioError, ModelError, Recognition

TYPED_CONFIDENCE = 0.95  # above the LOW_CONFIDENCE line, as a clear voice would be


def transcript(text: str, confidence: float | None = None) -> bytes:
    """Wrap a typed transcript as the 'audio' of an answer."""
    return f"{TYPED_CONFIDENCE if confidence is None else confidence}|{text}".encode()


def model_path(locale: str) -> str | None:
    """Find a locale's model: IVR_VOSK_MODEL(_<LOCALE>), else one installed as a package."""
    return from_environ().vosk_models.get(locale) or bundled_models().get(locale)


@cache
def engine(locale: str) -> VoskRecognizer:
    """Load a locale's real recogniser once per process; every case and call shares it."""
    path = model_path(locale)
    if path is None:
        raise ModelError(f"no speech model for {locale}: set IVR_VOSK_MODEL_{locale.upper()}")
    return VoskRecognizer(load_model(path), locale)


class QaRecognizer:
    """Recognise typed transcripts without a model, and WAV audio with the locale's engine.

    QA tools only: replay and the simulator inject it into the app they run in-process.
    """

    def __init__(self, locale: str) -> None:
        self.locale = locale

    def decoder(self, kind: str):  # noqa: ANN201
        """A streaming decoder on the locale's engine, for calls whose answers come over a media stream."""
        from ivr.speech.decoder import Decoder

        vosk_recognizer = engine(self.locale)
        return Decoder(vosk_recognizer.model, vosk_recognizer.grammar(kind))

    def recognize(self, audio: bytes, kind: str) -> Recognition:
        if audio[:4] == b"RIFF":
            return engine(self.locale).recognize(audio, kind)
        # "0.6|text", or bare text: the tests' transcript recogniser stores its answers so too.
        try:
            confidence, _, text = audio.decode("utf-8").rpartition("|")
            return Recognition(text, float(confidence) if confidence else TYPED_CONFIDENCE)
        except ValueError as error:  # neither a WAV nor a typed transcript
            raise AudioError(f"not a WAV and not a typed transcript: {error}") from error
