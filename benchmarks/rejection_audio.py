"""The labelled set for benchmarks/rejection.py: espeak-ng speech and noise on a telephone line.

Answers are the Korean pack's own words; out-of-grammar phrases are what callers say that is no
answer. Those spoken in English and Russian are good ones for the Korean grammars: the Korean model
knows no word of them, so they stand for a caller saying anything at all. The Korean ones are
kept out of the pack's garbage words, so the garbage model is not tested on what it was made of.
"""

from __future__ import annotations

import array
import hashlib
import io
import math
import random
import subprocess
import wave
from dataclasses import dataclass
from pathlib import Path

# (question kind, said, meaning)
ANSWERS = [
    ("yesno", "네", "yes"), ("yesno", "예", "yes"), ("yesno", "아니요", "no"), ("yesno", "아니", "no"),
    ("yesno", "상담원", "operator"), ("intent", "계량기", "readings"), ("intent", "검침", "readings"),
    ("intent", "상담원", "operator"), ("intent", "상담사", "operator"), ("digits", "이", "2"), ("digits", "오", "5"),
]  # fmt: skip
OUT_OF_GRAMMAR = {
    "ko": ["오늘 날씨가 좋네요", "전기 요금이 너무 많이 나왔어요", "천천히 말해 주세요", "잘 안 들려요",
           "이게 무슨 전화예요", "잠깐만 기다려 주세요", "모르겠어요", "누구세요"],
    "en-us": ["hello", "I don't know", "wait", "what", "sorry", "hold on", "can you repeat that", "who is this"],
    "ru": ["алло", "не знаю", "подождите", "что", "повторите", "здравствуйте", "минуточку", "я не понял"],
}  # fmt: skip
BABBLE = {
    "ko": "저는 어제 시장에 가서 사과와 배를 샀어요 그리고 친구를 만나서 커피를 마셨습니다",
    "ko+f2": "다음 주에는 비가 많이 온다고 하니까 우산을 꼭 챙기세요",
    "en-us+f3": "the train to the city leaves at half past seven every morning except on sundays",
    "ru+m3": "вчера вечером мы долго гуляли в парке и разговаривали о работе",
}
# espeak-ng voice variants, speed and pitch: each take of a phrase is a different speaker.
TAKES = [("", 175, 50), ("+f2", 150, 65), ("+m3", 200, 35)]
CONDITIONS = ["quiet", "white 20", "white 10", "white 5", "babble 20", "babble 10", "babble 5"]
LINE = 0.003 * 32767  # a quiet telephone line, about -50 dBFS, under every sample
PAD = 0.25  # seconds of line before and after the speech


@dataclass(frozen=True)
class Sample:
    group: str  # "answer", "out-of-grammar" or "noise"
    kind: str
    said: str
    truth: str | None  # what it means; None for no answer
    condition: str
    audio: bytes


class Maker:
    """Make the set at one sample rate, caching espeak-ng output in a folder."""

    def __init__(self, folder: Path, rate: int = 8000):
        self.folder, self.rate = folder, rate
        self._babble = self._mix([self.speak(voice, text, 0) for voice, text in BABBLE.items()])

    def speak(self, voice: str, text: str, take: int) -> list[float]:
        """espeak-ng speech at the set's rate, as samples."""
        variant, speed, pitch = TAKES[take]
        name = hashlib.sha1(f"{voice}{variant} {speed} {pitch} {text} {self.rate}".encode()).hexdigest()[:16]
        raw, out = self.folder / f"{name}-raw.wav", self.folder / f"{name}.wav"
        if not out.exists():
            subprocess.run(["espeak-ng", "-v", voice + variant, "-s", str(speed), "-p", str(pitch),
                            "-w", str(raw), text], check=True, capture_output=True)  # fmt: skip
            subprocess.run(["sox", str(raw), "-r", str(self.rate), "-c", "1", "-b", "16", str(out)],
                           check=True, capture_output=True)  # fmt: skip
        with wave.open(str(out)) as w:
            return list(array.array("h", w.readframes(w.getnframes())))

    def _mix(self, voices: list[list[float]]) -> list[float]:
        """Several talkers at once, each at the same loudness, looped to 20 s."""
        length = 20 * self.rate
        babble = [0.0] * length
        for n, voice in enumerate(voices):
            level = 1 / _rms(voice)
            offset = n * len(voice) // len(voices)
            for i in range(length):
                babble[i] += voice[(i + offset) % len(voice)] * level
        return babble

    def sample(self, group: str, kind: str, said: str, truth: str | None, condition: str,
               speech: list[float], seed: str) -> Sample:  # fmt: skip
        """Lay speech on the line, padded, with the condition's noise at its SNR to the speech."""
        rng = random.Random(seed)
        pad = [0.0] * int(PAD * self.rate)
        signal = pad + speech + pad
        noise = [rng.gauss(0, LINE) for _ in signal]
        if condition != "quiet":
            source, snr = condition.split()
            if source == "white":
                extra = [rng.gauss(0, 1) for _ in signal]
            else:
                start = rng.randrange(len(self._babble) - len(signal))
                extra = self._babble[start : start + len(signal)]
            gain = _rms(speech) / 10 ** (int(snr) / 20) / _rms(extra)
            noise = [a + b * gain for a, b in zip(noise, extra)]
        return Sample(group, kind, said, truth, condition, self._wav([a + b for a, b in zip(signal, noise)]))

    def noises(self, kind: str) -> list[Sample]:
        """Sound that is no speech: babble alone, bursts of hiss in a quiet line, steady hiss."""
        rng = random.Random(f"noise {kind}")
        samples = []
        for n, seconds in enumerate((1.0, 1.5, 2.0)):
            start = rng.randrange(len(self._babble) - int(seconds * self.rate))
            talk = self._babble[start : start + int(seconds * self.rate)]
            samples.append(self.sample("noise", kind, f"babble {seconds} s", None, "quiet",
                                       [x * 3000 for x in talk], f"babble {kind} {n}"))  # fmt: skip
        for seconds in (0.15, 0.3, 0.6):
            burst = [rng.gauss(0, 3000) * math.sin(math.pi * i / (seconds * self.rate))
                     for i in range(int(seconds * self.rate))]  # fmt: skip
            samples.append(
                self.sample("noise", kind, f"burst {seconds} s", None, "quiet", burst, f"burst {kind}")
            )
        hiss = [rng.gauss(0, 3000) for _ in range(2 * self.rate)]
        samples.append(self.sample("noise", kind, "steady hiss 2 s", None, "quiet", hiss, f"hiss {kind}"))
        return samples

    def _wav(self, samples: list[float]) -> bytes:
        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.rate)
            clipped = (max(-32768, min(32767, round(x))) for x in samples)
            w.writeframes(array.array("h", clipped).tobytes())
        return out.getvalue()


def _rms(samples: list[float]) -> float:
    return math.sqrt(sum(x * x for x in samples) / len(samples)) or 1.0


def labelled_set(folder: Path, rate: int = 8000, takes: int = 3) -> list[Sample]:
    """Every answer and out-of-grammar phrase in every take and condition, and the noises."""
    maker = Maker(folder, rate)
    samples = []
    for take in range(takes):
        for condition in CONDITIONS:
            for kind, said, truth in ANSWERS:
                speech = maker.speak("ko", said, take)
                samples.append(
                    maker.sample("answer", kind, said, truth, condition, speech, f"{said} {take} {condition}")
                )
            for voice, phrases in OUT_OF_GRAMMAR.items():
                for said in phrases:
                    speech = maker.speak(voice, said, take)
                    for kind in ("yesno", "intent", "digits"):
                        samples.append(maker.sample("out-of-grammar", kind, said, None, condition, speech,
                                                    f"{said} {take} {condition} {kind}"))  # fmt: skip
    for kind in ("yesno", "intent", "digits"):
        samples.extend(maker.noises(kind))
    return samples
