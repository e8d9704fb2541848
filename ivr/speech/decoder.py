"""Vosk on a live call: one recogniser per answer, fed as the audio comes, on the question's grammar."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import vosk

from ivr.speech.engine import ALTERNATIVES, nbest
from ivr.speech.recognizer import Alternative, Word
from ivr.speech.telephone import FRAME_BYTES, RATE

BATCH_BYTES = 5 * FRAME_BYTES


class Decoder:
    """One Vosk recogniser on a grammar, fed as audio comes; each final() ends a segment.

    It asks for the n-best, as the recorded answers' engine does, so that a streamed answer is
    judged on the same margin (`alternatives`).
    """

    def __init__(self, model: vosk.Model, grammar: str | None) -> None:
        self.model, self.grammar = model, grammar
        self.recognizer = self._new()
        self.heard: list[dict] = []  # results of endpoints Vosk found on its own, in this segment
        self.parts: list[dict] = []  # results of the answer's segments so far
        self.pending = bytearray()
        self.seconds = 0.0

    def _new(self) -> vosk.KaldiRecognizer:
        args = (self.grammar,) if self.grammar else ()
        recognizer = vosk.KaldiRecognizer(self.model, float(RATE), *args)
        recognizer.SetWords(True)
        recognizer.SetMaxAlternatives(ALTERNATIVES)
        return recognizer

    def accept(self, pcm: bytes) -> None:
        # 100 ms at a time: a call per 20 ms frame costs more CPU and decodes the same.
        self.pending += pcm
        if len(self.pending) >= BATCH_BYTES:
            self._flush()

    def _flush(self) -> None:
        started = time.perf_counter()
        if self.recognizer.AcceptWaveform(bytes(self.pending)):  # Vosk's own endpoint: keep its words
            self.heard.append(json.loads(self.recognizer.Result()))
        self.pending.clear()
        self.seconds += time.perf_counter() - started

    def final(self, keep: bool = True) -> list[Word]:
        """End a segment: its words, kept as a part of the answer unless keep=False (a cough)."""
        if self.pending:
            self._flush()
        started = time.perf_counter()
        segment, self.heard = [*self.heard, json.loads(self.recognizer.FinalResult())], []
        self.seconds += time.perf_counter() - started
        return self._keep(segment) if keep else list(nbest(segment).words)

    def once(self, pcm: bytes, keep: bool = False) -> list[Word]:
        """Decode audio on a fresh recogniser, leaving this one as it is; keep=True makes it a
        segment of the answer (a second look at one that came out empty)."""
        started = time.perf_counter()
        recognizer = self._new()
        recognizer.AcceptWaveform(pcm)
        result = json.loads(recognizer.FinalResult())
        self.seconds += time.perf_counter() - started
        return self._keep([result]) if keep else list(nbest([result]).words)

    def _keep(self, segment: list[dict]) -> list[Word]:
        words = list(nbest(segment).words)
        if words:  # an empty segment (a cough after the answer) is no part of it
            self.parts += segment
        return words

    @property
    def alternatives(self) -> tuple[Alternative, ...]:
        """The answer's n-best so far, as the recorded answers' engine lists it."""
        return nbest(self.parts).alternatives if self.parts else ()


def decoders_for(recognizer: object) -> Callable[[str], Decoder] | None:
    """Streaming decoders for a recogniser's question kinds; None when it cannot stream."""
    if hasattr(recognizer, "decoder"):  # QA and test recognisers bring their own
        return recognizer.decoder  # type: ignore[attr-defined, return-value]
    model, grammar = getattr(recognizer, "model", None), getattr(recognizer, "grammar", None)
    if isinstance(model, vosk.Model) and callable(grammar):
        return lambda kind: Decoder(model, grammar(kind))
    return None
