"""The Recognizer interface: audio in, words with confidences out."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

# Question kinds; each has its own grammar.
KINDS = ("digits", "yesno", "intent", "free")


@dataclass(frozen=True)
class Word:
    word: str
    conf: float
    start: float = 0.0
    end: float = 0.0


@dataclass(frozen=True)
class Recognition:
    """What the engine heard in one utterance."""

    text: str
    confidence: float
    words: tuple[Word, ...] = field(default_factory=tuple)
    seconds: float = 0.0  # decode time

    @property
    def empty(self) -> bool:
        return not self.text.strip()


class Recognizer(Protocol):
    """Turns one utterance of audio into text, using the grammar of a question kind."""

    locale: str

    def recognize(self, audio: bytes, kind: str) -> Recognition:
        """Recognise WAV bytes; raise AudioError for audio that cannot be decoded."""
        ...


class SpeechError(Exception):
    """Base of speech failures."""


class AudioError(SpeechError):
    """The audio could not be decoded (not a WAV, truncated, wrong format)."""


class ModelError(SpeechError):
    """The speech model could not be loaded."""
