"""Offline speech: recognition, words to digits, audio, models."""

from ivr.speech.numbers import Parsed, parse_digits, parse_reading
from ivr.speech.recognizer import (
    AudioError,
    ModelError,
    Recognition,
    Recognizer,
    SpeechError,
    Word,
)
from ivr.speech.words import interpret

__all__ = [
    "AudioError",
    "ModelError",
    "Parsed",
    "Recognition",
    "Recognizer",
    "SpeechError",
    "Word",
    "interpret",
    "parse_digits",
    "parse_reading",
]
