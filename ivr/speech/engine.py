"""Vosk recognition: one model per process, one recogniser per utterance, a grammar per kind."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from statistics import fmean

import vosk

from ivr.speech.audio import Audio, decode_wav
from ivr.speech.recognizer import KINDS, Alternative, ModelError, Recognition, Word, posteriors
from ivr.speech.words import garbage_phrases, grammar

log = logging.getLogger(__name__)

UNKNOWN = "[unk]"
# Speech rises and falls; hiss, hum and tones do not. Measured: white, pink and brown noise,
# a 440 Hz tone and mains hum span 0-7.5 dB; espeak-ng words 80 dB, and 12 dB even when
# buried in white noise loud enough to bring Vosk's confidence down to 0.75.
STEADY_DB = 9.0
# How many n-best transcripts to ask Vosk for: enough to see the rival meanings of a short answer.
# The lattice beam in the model's conf/model.conf bounds how many it can give.
ALTERNATIVES = 10

_models_lock = threading.Lock()
_pool_lock = threading.Lock()
_models: dict[Path, Model] = {}
_pool: ThreadPoolExecutor | None = None


class Model(vosk.Model):
    """A Vosk model that knows where it lives and whether it takes runtime grammars."""

    def __init__(self, path: Path):
        super().__init__(str(path))
        self.path = path
        # Only a lookahead graph (HCLr.fst + Gr.fst) can be narrowed to a grammar at run time;
        # a static HCLG.fst ignores the grammar with a warning.
        self.grammars = (path / "graph" / "HCLr.fst").is_file() and (path / "graph" / "Gr.fst").is_file()

    def knows(self, phrase: str) -> bool:
        """Say whether every word of a phrase is in the model's vocabulary."""
        return all(self.vosk_model_find_word(word) >= 0 for word in phrase.split())


def load_model(path: str | os.PathLike) -> Model:
    """Load a Vosk model once per process; ModelError names the path when it cannot."""
    path = Path(path).expanduser().resolve()
    with _models_lock:
        if path not in _models:
            if not (path / "am" / "final.mdl").is_file():
                raise ModelError(f"no Vosk model at {path}: am/final.mdl is missing")
            vosk.SetLogLevel(-1)  # warnings only: Kaldi logs every loading step otherwise
            try:
                _models[path] = Model(path)
            except Exception as error:
                raise ModelError(f"cannot load the Vosk model at {path}: {error}") from error
        return _models[path]


def _forget_pool_after_fork() -> None:
    # A forked child inherits the pool object but none of its threads: make it build its own.
    global _pool
    _pool = None


os.register_at_fork(after_in_child=_forget_pool_after_fork)


def shared_pool() -> ThreadPoolExecutor:
    """Return the process-wide decoding pool, at most one thread per core."""
    global _pool
    # Made on first use, not at import or in the app factory: threads do not survive a fork,
    # and gunicorn may fork workers after the factory ran.
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="vosk")
        return _pool


class VoskRecognizer:
    """Recognise one locale's utterances on a shared Vosk model.

    It reports what it heard, low confidence included; `Speech` decides whether that counts
    as an answer, so the flow re-asks on [unk], silence and mumbles alike.
    """

    def __init__(
        self,
        model: Model,
        locale: str,
        pool: ThreadPoolExecutor | None = None,
        grammars: bool | None = None,
        garbage: bool = True,
        alternatives: int = ALTERNATIVES,
    ):
        """garbage=False leaves the no-answer words out of the grammars; alternatives=0 asks for
        the single best with word confidences and no n-best (both as before rejection, for
        benchmarks/rejection.py to compare)."""
        self.model = model
        self.locale = locale
        self._pool = pool
        self._alternatives = alternatives
        use_grammars = model.grammars if grammars is None else grammars
        self._garbage = self._known("garbage", garbage_phrases(locale)) if garbage and use_grammars else []
        self._grammars = {kind: self._grammar(kind) if use_grammars else None for kind in KINDS}

    def _known(self, kind: str, phrases: list[str]) -> list[str]:
        """Keep the phrases whose every word the model knows; warn about the others."""
        heard = [phrase for phrase in phrases if self.model.knows(phrase)]
        missing = [phrase for phrase in phrases if phrase not in heard]
        if missing:
            log.warning("the %s model cannot hear these %s words: %s", self.locale, kind, ", ".join(missing))
        return heard

    def _grammar(self, kind: str) -> str | None:
        """Build the Vosk grammar of a question kind from the words the model knows."""
        # A list of single words lets the decoder chain them in any order, repeats included.
        # Vosk turns the list into a bigram model in which every word may follow every other at
        # one price, dearer than ending the utterance: a grammar leans towards fewer words, and
        # vosk-api issue 1934 reports "two two two" heard as "two two".
        # Measured on the Korean model with espeak-ng digits over a quiet line, 24 strings
        # (half with a repeat) at 16 kHz: single words got 7-9 right; adding repeat phrases
        # ("이 이 이") or every digit pair got 5, inserting digits in 16-19 strings. At 8 kHz
        # this small model drops digits from every espeak-ng string, repeated or not, whatever
        # the grammar. So: single words, and the flow reads every number back for a yes/no.
        heard = self._known(kind, grammar(kind, self.locale))
        if not heard:
            return None
        # What callers say that is no answer («алло», «не знаю»): with these in the grammar, such
        # speech has words of its own to land on instead of being forced onto answers.
        heard += [phrase for phrase in self._garbage if phrase not in heard]
        # Some models (the small Korean one) have no [unk]: there, any sound is forced onto the
        # grammar's words, and only the garbage words, the steady-sound check and the n-best
        # margin help.
        if self.model.knows(UNKNOWN):
            heard.append(UNKNOWN)
        return json.dumps(heard, ensure_ascii=False)

    def grammar(self, kind: str) -> str | None:
        """The Vosk grammar (JSON) of a question kind, for decoders that take audio as it comes."""
        return self._grammars[kind]

    def recognize(self, audio: bytes, kind: str) -> Recognition:
        """Recognise WAV bytes with the grammar of a question kind; AudioError if undecodable."""
        if kind not in self._grammars:
            raise ValueError(f"unknown question kind {kind!r}; have {', '.join(KINDS)}")
        sound = decode_wav(audio)
        if sound.dynamic_range() < STEADY_DB:
            # A grammar forces any sound onto its words, and models without [unk] (the small
            # Korean one) hear steady noise as confident answers: skip the decoder.
            return Recognition("", 0.0)
        pool = self._pool or shared_pool()
        return pool.submit(self._decode, sound, self._grammars[kind]).result()

    def _decode(self, sound: Audio, grammar_json: str | None) -> Recognition:
        """Decode one utterance on a fresh recogniser; runs in the pool."""
        started = time.perf_counter()
        args = (grammar_json,) if grammar_json else ()
        recognizer = vosk.KaldiRecognizer(self.model, float(sound.rate), *args)
        recognizer.SetWords(True)
        if self._alternatives:
            recognizer.SetMaxAlternatives(self._alternatives)
        results = []
        # The recording is complete, so it goes in at once; words before an endpoint stay in the
        # result. Half-second chunks cost the same CPU (measured interleaved, 194 vs 195 ms / 4 s).
        if recognizer.AcceptWaveform(sound.pcm):
            results.append(json.loads(recognizer.Result()))
        results.append(json.loads(recognizer.FinalResult()))
        if self._alternatives:
            recognition = nbest(results, self._alternatives)
        else:
            words = tuple(_word(w, w["conf"]) for result in results for w in _heard(result))
            recognition = Recognition(" ".join(w.word for w in words), _mean(words), words)
        return replace(recognition, seconds=time.perf_counter() - started)


def nbest(results: list[dict], size: int = ALTERNATIVES) -> Recognition:
    """Read Vosk's n-best results: the best path's words, each with the posterior of the paths that
    agree. Recorded and streamed answers alike: an answer's parts, in order."""
    # An endpoint inside an answer splits it into parts decoded apart; a transcript of the whole
    # is one alternative of each part, as likely as their product.
    paths: list[tuple[tuple[Word, ...], float]] = [((), 1.0)]
    for result in results:
        listed = result.get("alternatives") or [{"text": "", "confidence": 0.0}]
        part = [
            (tuple(_word(w, 0.0) for w in _heard(alt)), share)
            for alt, share in zip(listed, posteriors([float(a["confidence"]) for a in listed]))
        ]
        paths = [(said + heard, p * q) for said, p in paths for heard, q in part]
        paths = sorted(paths, key=lambda path: -path[1])[:size]
    best = paths[0][0]
    total = sum(p for _, p in paths)  # the parts' shares summed to 1 before the cut
    # A word is as sure as the share of the n-best that has it at the same time (about the
    # word posterior Vosk gives without alternatives).
    words = tuple(
        replace(
            w,
            conf=min(1.0, sum(p for said, p in paths if any(_same(w, other) for other in said)) / total),
        )
        for w in best
    )
    alternatives = tuple(Alternative(" ".join(w.word for w in said), p / total) for said, p in paths)
    return Recognition(alternatives[0].text, _mean(words), words, alternatives=alternatives)


def _heard(result: dict) -> list[dict]:
    """The words of a result or an alternative, less [unk]: a word the model could not place."""
    return [w for w in result.get("result", ()) if w["word"] != UNKNOWN]


def _word(result: dict, conf: float) -> Word:
    return Word(result["word"], float(conf), float(result["start"]), float(result["end"]))


def _same(word: Word, other: Word) -> bool:
    """Say whether two paths' words are the same word heard at overlapping times."""
    return word.word == other.word and word.start < other.end and other.start < word.end


def _mean(words: tuple[Word, ...]) -> float:
    return fmean(w.conf for w in words) if words else 0.0
