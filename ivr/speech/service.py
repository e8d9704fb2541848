"""The app's ears: recognisers per locale, loaded once in the app factory."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from ivr.config import Config
from ivr.locales import available
from ivr.settings import ConfigError
from ivr.speech.engine import VoskRecognizer, load_model
from ivr.speech.recognizer import AudioError, ModelError, Recognition, Recognizer, Word, margin
from ivr.speech.sentence import Said, understand
from ivr.speech.words import interpret, number

log = logging.getLogger(__name__)

LOADED, MISSING = "loaded", "missing (keypad only)"
MIN_MARGIN = 0.5  # IVR_ASR_MIN_MARGIN's default, calibrated in docs/QUALITY.md


@dataclass(frozen=True)
class Heard:
    """What a caller's answer meant: value is None for a no-match the flow re-asks."""

    text: str
    value: str | None
    confidence: float
    words: tuple[Word, ...] = ()
    seconds: float = 0.0
    error: str | None = None  # why the audio could not be heard at all
    # How far the answer led the likeliest other meaning in the n-best (recognizer.margin);
    # None when the recogniser gave no n-best (typed transcripts, test doubles).
    margin: float | None = None
    readings: tuple[str, ...] = ()  # every digit string a number may mean, value first
    decimals: bool = False  # a fraction read off the display was dropped (sentence.Said)
    zones: tuple[tuple[object, tuple[str, ...]], ...] = ()  # zones named, each with its readings


class Speech:
    """Hear callers' answers in each locale that has a recogniser."""

    def __init__(self, recognizers: Mapping[str, Recognizer], min_confidence: float = 0.5,
                 min_margin: float = MIN_MARGIN):  # fmt: skip
        self.recognizers = dict(recognizers)
        self.min_confidence = min_confidence
        self.min_margin = min_margin

    def has(self, locale: str) -> bool:
        """Say whether callers in a locale can answer by voice."""
        return locale in self.recognizers

    def hear(self, audio: bytes, kind: str, locale: str) -> Heard:
        """Recognise an answer to a question kind; bad audio is a no-match, not an error."""
        recognizer = self.recognizers.get(locale)
        if recognizer is None:
            raise ModelError(f"no speech model for locale {locale!r}: ask on the keypad")
        try:
            recognition = recognizer.recognize(audio, kind)
        except AudioError as error:
            log.warning("caller audio not usable: %s", error)
            return Heard("", None, 0.0, error=str(error))
        return self.judge(recognition, kind, locale)

    def judge(self, recognition: Recognition, kind: str, locale: str) -> Heard:
        """Decide what an answer means, or that it is a no-match: recorded and streamed alike."""
        lead = margin(recognition.alternatives, lambda text: interpret(kind, text, locale))
        value = interpret(kind, recognition.text, locale) if self._matches(recognition, lead) else None
        # A number lists every reading it may mean, for the question to weigh (flows.Speech).
        readings = number(kind) and value and value.isdigit()
        said = understand(recognition.text, locale) if readings else Said()
        return Heard(recognition.text, value, recognition.confidence, recognition.words, recognition.seconds,
                     margin=lead, readings=said.readings, decimals=said.decimals, zones=said.zones)  # fmt: skip

    def _matches(self, recognition: Recognition, lead: float | None) -> bool:
        """Count a recognition as an answer when its words were heard confidently enough, and
        its meaning clearly beat every other meaning the engine considered."""
        if recognition.empty or recognition.confidence < self.min_confidence:
            return False
        return lead is None or lead >= self.min_margin

    def status(self) -> dict[str, str]:
        """Report, per locale, whether its model is loaded or calls run on the keypad."""
        locales = sorted(set(available()) | set(self.recognizers))
        return {locale: LOADED if self.has(locale) else MISSING for locale in locales}


def load(config: Config, recognizers: Mapping[str, Recognizer] | None = None) -> Speech:
    """Load the speech models the config names (or take the given recognisers: tests, commands)."""
    if recognizers is not None:
        return Speech(recognizers, config.asr_min_confidence, config.asr_min_margin)
    loaded = {}
    for locale, path in config.vosk_models.items():
        try:
            loaded[locale] = VoskRecognizer(load_model(path), locale)
        except ModelError as error:  # a start-up error: name the setting
            name = "IVR_VOSK_MODEL" + ("" if locale == config.locale else f"_{locale.upper()}")
            raise ConfigError(f"{name}: {error}") from None
    if config.locale not in loaded:
        log.warning(
            "no speech model for the default locale %s (set IVR_VOSK_MODEL): calls run on the keypad",
            config.locale,
        )
    return Speech(loaded, config.asr_min_confidence, config.asr_min_margin)
