"""Offline speech: recognition, words to digits, audio, models."""
from ivr.speech.recognizer import (
    AudioError,
    ModelError,
    Recognition,
    Recognizer,
    SpeechError,
    Word,
)
from ivr.speech.words import interpret, parse_digits

__all__ = [
    "AudioError",
    "ModelError",
    "Recognition",
    "Recognizer",
    "SpeechError",
    "Word",
    "interpret",
    "parse_digits",
]
