"""Vosk on a live call: one recogniser per answer, fed as the audio comes, on the question's grammar."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import vosk

from ivr.speech.recognizer import Word
from ivr.speech.telephone import FRAME_BYTES, RATE

BATCH_BYTES = 5 * FRAME_BYTES


class Decoder:
    """One Vosk recogniser on a grammar, fed as audio comes; each final() ends a segment."""

    def __init__(self, model: vosk.Model, grammar: str | None) -> None:
        self.model, self.grammar = model, grammar
        self.recognizer = self._new()
        self.heard: list[Word] = []  # words of endpoints Vosk found on its own, in this segment
        self.pending = bytearray()
        self.seconds = 0.0

    def _new(self) -> vosk.KaldiRecognizer:
        args = (self.grammar,) if self.grammar else ()
        recognizer = vosk.KaldiRecognizer(self.model, float(RATE), *args)
        recognizer.SetWords(True)
        return recognizer

    def accept(self, pcm: bytes) -> None:
        # 100 ms at a time: a call per 20 ms frame costs more CPU and decodes the same.
        self.pending += pcm
        if len(self.pending) >= BATCH_BYTES:
            self._flush()

    def _flush(self) -> None:
        started = time.perf_counter()
        if self.recognizer.AcceptWaveform(bytes(self.pending)):  # Vosk's own endpoint: keep its words
            self.heard += _words(self.recognizer.Result())
        self.pending.clear()
        self.seconds += time.perf_counter() - started

    def final(self) -> list[Word]:
        if self.pending:
            self._flush()
        started = time.perf_counter()
        words, self.heard = self.heard + _words(self.recognizer.FinalResult()), []
        self.seconds += time.perf_counter() - started
        return words

    def once(self, pcm: bytes) -> list[Word]:
        """Decode audio on a fresh recogniser, leaving this one as it is."""
        started = time.perf_counter()
        recognizer = self._new()
        recognizer.AcceptWaveform(pcm)
        words = _words(recognizer.FinalResult())
        self.seconds += time.perf_counter() - started
        return words


def _words(result: str) -> list[Word]:
    return [Word(w["word"], float(w["conf"]), float(w["start"]), float(w["end"]))
            for w in json.loads(result).get("result", ()) if w["word"] != "[unk]"]  # fmt: skip


def decoders_for(recognizer: object) -> Callable[[str], Decoder] | None:
    """Streaming decoders for a recogniser's question kinds; None when it cannot stream."""
    if hasattr(recognizer, "decoder"):  # QA and test recognisers bring their own
        return recognizer.decoder  # type: ignore[attr-defined, return-value]
    model, grammar = getattr(recognizer, "model", None), getattr(recognizer, "grammar", None)
    if isinstance(model, vosk.Model) and callable(grammar):
        return lambda kind: Decoder(model, grammar(kind))
    return None
