"""Hear answers on a live call: where speech starts and ends, and what it says, on audio time.

Every decision counts 20 ms frames, never the wall clock, so audio replayed faster than real time
is heard exactly as a caller speaking in real time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from statistics import fmean

from ivr import flows
from ivr.speech.decoder import Decoder
from ivr.speech.recognizer import FREE, Recognition, Word
from ivr.speech.service import Heard, Speech
from ivr.speech.telephone import FRAME_BYTES, RATE, level_db, voiced
from ivr.speech.words import number

FRAME_S = FRAME_BYTES / 2 / RATE
ONSET_DB = 10.0  # louder than the line's floor by this much: maybe speech
END_DB = 6.0  # quieter than floor + this: the caller has stopped (hysteresis against flicker)
DROP_DB = 30.0  # or this far under the answer's loudest frame: the line changed level, nobody speaks
MIN_DB = 30.0  # digital silence has a floor of 0 dB; anything under -60 dBFS is quiet
# The line's floor: a low percentile of the last 3 s. A minimum would stick at a frame of digital
# silence (a gap between two prompts' audio, a network's discontinuous transmission) and hear the
# quiet line that follows as speech; 3 s of speech always holds enough pauses to stay above it.
FLOOR_FRAMES, FLOOR_RANK = 150, 7
PRE_ROLL = 15  # frames kept from before the onset (0.3 s), so the first sound is not cut
MIN_VOICED = 3  # voiced 40 ms windows: fewer is a click, a cough or line noise, never a word
# An answer that means something ends this long after its last word; a number when it has the
# question's length. One that does not yet ends after its kind's pause (flows.Kind.pause_s), and
# any at its kind's longest (flows.Kind.longest_s).
QUIET_S = 0.3
# A sound not yet known to be speech, or one no question waits for, ends this long after it.
UNHEARD_PAUSE_S = 1.0
PEEK_EVERY = 15  # frames of speech between looks for a first word to barge in with
PEEKS = 3
SECOND_LOOK = 5  # frames of lead dropped for a second look at a voiced segment heard as nothing


@dataclass(frozen=True)
class Question:
    """The question the caller answers, read when they start speaking."""

    seq: int
    kind: str
    lengths: tuple[int, ...] = ()  # a number this long is complete


@dataclass(frozen=True)
class BargeIn:
    """The caller said a word of the question's grammar: stop the prompt."""

    seq: int
    at: float  # audio time, s


@dataclass(frozen=True)
class Utterance:
    """A complete answer: what it meant, its audio, and when speech ended (audio time, s)."""

    seq: int
    heard: Heard
    pcm: bytes
    speech_ended: float
    taken: float


@dataclass
class _Utterance:
    frames: list[bytes]
    started: float
    question: Question | None = None
    decoder: Decoder | None = None
    ignored: bool = False  # the call waits for keys, or has ended: nothing to hear
    voiced: int = 0  # voiced windows in the current segment
    quiet: int = 0  # frames since the last loud one
    spoke: bool = False  # the current segment has speech not yet decoded
    spoke_until: float = 0.0
    peak: float = 0.0  # the loudest frame, dB
    words: list[Word] = field(default_factory=list)
    barged: bool = False
    peeks: int = 0
    segment_start: int = 0  # index into frames: where the decoder's audio of this segment starts
    # The quiet line after a segment: held, not decoded, and given to the decoder as the next
    # segment's lead if the caller speaks again. Pauses between digit groups cost no decoding.
    held: deque[bytes] = field(default_factory=lambda: deque(maxlen=PRE_ROLL))


class Listener:
    """Turn a call's frames into barge-ins and answers, for the question the call waits on."""

    def __init__(self, decoders: Callable[[str], Decoder], locale: str, speech: Speech,
                 question: Callable[[], Question | None]) -> None:  # fmt: skip
        # The app's Speech judges what the stream heard, as it judges recorded answers.
        self.decoders, self.locale, self.speech = decoders, locale, speech
        self.question = question
        self.frames = 0  # audio time, in frames
        self.levels: deque[float] = deque(maxlen=FLOOR_FRAMES)
        self.ring: deque[bytes] = deque(maxlen=PRE_ROLL)
        self.loud_run = 0
        self.utterance: _Utterance | None = None

    def feed(self, frame: bytes) -> list[BargeIn | Utterance]:
        """Take 20 ms of 8 kHz PCM; return what the caller just did, if anything."""
        self.frames += 1
        level = level_db(frame)
        self.levels.append(level)
        # Until a second of the line is known, a caller who speaks at once must not set its floor.
        floor = sorted(self.levels)[FLOOR_RANK] if len(self.levels) > FLOOR_FRAMES // 3 else MIN_DB
        loud = level > max(floor + ONSET_DB, MIN_DB)
        previous = self.ring[-1] if self.ring else b""
        self.ring.append(frame)
        u = self.utterance
        if u is None:
            self.loud_run = self.loud_run + 1 if loud else 0
            if self.loud_run >= 2:  # two frames in a row: a click is one
                self.utterance = _Utterance(list(self.ring), self.now - len(self.ring) * FRAME_S)
            return []
        u.frames.append(frame)
        u.peak = max(u.peak, level)
        if level > max(floor + END_DB, MIN_DB, u.peak - DROP_DB):
            u.quiet, u.spoke, u.spoke_until = 0, True, self.now
            if loud and voiced(previous + frame):
                u.voiced += 1
        else:
            u.quiet += 1
        if u.decoder is None and not u.ignored and u.voiced >= MIN_VOICED:
            self._attend(u)
        elif u.decoder is not None and u.spoke:
            if u.held:  # speech again after a pause: this segment's audio starts with the held lead
                u.segment_start = len(u.frames) - len(u.held) - 1
            u.decoder.accept(b"".join(u.held) + frame)
            u.held.clear()
        elif u.decoder is not None:
            u.held.append(frame)
        return self._decide(u)

    @property
    def idle(self) -> bool:
        """Nobody is speaking: no answer is being heard."""
        return self.utterance is None

    @property
    def now(self) -> float:
        """Audio time, in seconds since the stream began."""
        return self.frames * FRAME_S

    def _attend(self, u: _Utterance) -> None:
        """Speech, not noise: find out what the call waits for, and start decoding."""
        u.question = self.question()
        if u.question is None or u.question.kind not in flows.KINDS:
            u.ignored = True
            return
        u.decoder = self.decoders(u.question.kind)
        u.decoder.accept(b"".join(u.frames))

    def _decide(self, u: _Utterance) -> list[BargeIn | Utterance]:
        events: list[BargeIn | Utterance] = []
        kind = flows.KINDS.get(u.question.kind) if u.question else None
        pause_s = kind.pause_s if kind else UNHEARD_PAUSE_S
        segment_ended = u.spoke and u.quiet * FRAME_S >= QUIET_S
        if segment_ended:
            if u.decoder is not None and u.voiced >= MIN_VOICED:
                u.words += u.decoder.final() or self._second_look(u)
            elif u.decoder is not None:
                u.decoder.final(keep=False)  # a cough after the answer: dropped
            u.spoke, u.voiced, u.segment_start = False, 0, len(u.frames)
            heard = self._heard(u)
            if u.decoder is not None and self._complete(u, heard):
                return self._take(u, heard)
            if heard.value is not None or self._confident(u.words):
                events += self._barge(u)
        elif u.decoder is not None and u.spoke and not u.barged and u.peeks < PEEKS:
            since = len(u.frames) - u.segment_start
            if since and since % PEEK_EVERY == 0:
                u.peeks += 1
                if self._confident(u.decoder.once(b"".join(u.frames[u.segment_start :]))):
                    events += self._barge(u)
        if not u.spoke and u.quiet * FRAME_S >= pause_s:
            if u.words and u.decoder is not None:  # speech that never completed: heard as it is
                return events + self._take(u, self._heard(u))
            self.utterance = None  # noise, or nothing to hear
        elif u.decoder is not None and self.now - u.started >= kind.longest_s:
            u.words += u.decoder.final()
            return events + self._take(u, self._heard(u))
        return events

    def _second_look(self, u: _Utterance) -> list[Word]:
        """Decode a voiced segment that came out empty again, its lead shortened.

        Measured on the small Korean model: 계량기 after exactly 0.4 s of line decodes to nothing,
        after 0.3 or 0.5 s to 계량기; a grammar decoder can lose a clear word to where the audio
        starts. A second start 0.1 s later finds it.
        """
        return u.decoder.once(b"".join(u.frames[u.segment_start + SECOND_LOOK :]), keep=True)

    def _barge(self, u: _Utterance) -> list[BargeIn]:
        if u.barged or u.question is None:
            return []
        u.barged = True
        return [BargeIn(u.question.seq, self.now)]

    def _confident(self, words: list[Word]) -> bool:
        return bool(words) and fmean(w.conf for w in words) >= self.speech.min_confidence

    def _heard(self, u: _Utterance) -> Heard:
        """What the answer so far means, judged as a recorded answer is (Speech.judge)."""
        text = " ".join(w.word for w in u.words)
        confidence = fmean(w.conf for w in u.words) if u.words else 0.0
        kind = u.question.kind if u.question else FREE
        seconds = u.decoder.seconds if u.decoder else 0.0
        # Test decoders may give no n-best: then the confidence alone decides, as for a recogniser
        # without one.
        alternatives = getattr(u.decoder, "alternatives", ())
        said = Recognition(text, confidence, tuple(u.words), seconds, alternatives)
        return self.speech.judge(said, kind, self.locale)

    def _complete(self, u: _Utterance, heard: Heard) -> bool:
        if heard.value is None:
            return False
        if not number(u.question.kind) or heard.value == "operator":
            return True
        if heard.zones:  # «день …, ночь …»: the next zone may follow the pause
            return False
        return bool(u.question.lengths) and len(heard.value) >= max(u.question.lengths)

    def _take(self, u: _Utterance, heard: Heard) -> list[Utterance]:
        self.utterance = None
        return [Utterance(u.question.seq, heard, b"".join(u.frames), u.spoke_until, self.now)]
