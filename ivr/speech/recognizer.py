"""The Recognizer interface: audio in, words with confidences out."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ivr import flows

# Heard when no question waits: free speech, with no grammar, in which only «оператор» means something.
FREE = "free"
# What a recogniser hears with: each question kind's grammar (flows.KINDS), or free speech.
KINDS = (*flows.KINDS, FREE)


@dataclass(frozen=True)
class Word:
    word: str
    conf: float
    start: float = 0.0
    end: float = 0.0


@dataclass(frozen=True)
class Alternative:
    """One of the engine's n-best transcripts, with its share of the n-best's probability."""

    text: str
    posterior: float


@dataclass(frozen=True)
class Recognition:
    """What the engine heard in one utterance."""

    text: str
    confidence: float
    words: tuple[Word, ...] = field(default_factory=tuple)
    seconds: float = 0.0  # decode time
    # The n-best list, best first; empty when the engine gave a single best (or none was made).
    alternatives: tuple[Alternative, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.text.strip()


def posteriors(likelihoods: Sequence[float]) -> list[float]:
    """Turn n-best log-likelihoods (Vosk's "confidence" of each alternative) into shares summing to 1."""
    # Vosk reports minus each path's total cost (acoustic + graph) in the lattice its word
    # confidences come from, so a softmax gives each path's posterior within the n-best.
    if not likelihoods:
        return []
    top = max(likelihoods)
    weights = [math.exp(value - top) for value in likelihoods]
    total = sum(weights)
    return [weight / total for weight in weights]


def margin(alternatives: Sequence[Alternative], meaning: Callable[[str], object]) -> float | None:
    """How far the best transcript's meaning leads the likeliest different meaning, from 0 to 1.

    Alternatives that mean the same (네 and 예 are both yes) pool their posteriors; everything
    that is no answer (garbage, silence, «да нет») is one meaning, None. The margin is the best
    transcript's pooled posterior minus the largest other meaning's, and 0 when it does not lead.
    None when there is no n-best to judge by.
    """
    if not alternatives:
        return None
    pooled: defaultdict[object, float] = defaultdict(float)
    for alternative in alternatives:
        pooled[meaning(alternative.text)] += alternative.posterior
    best = meaning(alternatives[0].text)
    rival = max((share for said, share in pooled.items() if said != best), default=0.0)
    return min(1.0, max(0.0, pooled[best] - rival))


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
