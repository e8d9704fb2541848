"""Offline speech: recognition, words to digits, audio, models."""

from ivr.speech.numbers import Parsed
from ivr.speech.recognizer import (
    AudioError,
    ModelError,
    Recognition,
    Recognizer,
    SpeechError,
    Word,
)
from ivr.speech.sentence import Said, parse_digits, parse_reading, understand
from ivr.speech.words import interpret

__all__ = [
    "AudioError",
    "ModelError",
    "Parsed",
    "Recognition",
    "Recognizer",
    "Said",
    "SpeechError",
    "Word",
    "interpret",
    "parse_digits",
    "parse_reading",
    "understand",
]
