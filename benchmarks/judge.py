"""A transcript's path through `Speech.judge` at a digits question: how long it takes.

    python benchmarks/judge.py [--rounds 20]

Each colloquial transcript (tests/speech/colloquial.yaml) is judged as a typed answer: garbage
check, the meaning, the sentence around the number and every reading it may mean. "cold" clears
the sentence cache before each judgement (the first time a call says it); "warm" does not. Target:
every transcript under 2 ms cold.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ivr.clock import wall  # noqa: E402
from ivr.speech.recognizer import Recognition  # noqa: E402
from ivr.speech.sentence import understand  # noqa: E402
from ivr.speech.service import Speech  # noqa: E402
from tests.speech.colloquial import cases  # noqa: E402

TARGET_MS = 2.0


def timings(rounds: int, cold: bool) -> dict[str, float]:
    """The median of `rounds` judgements of each transcript, in ms, by transcript."""
    speech, medians = Speech({}), {}
    for case in cases():
        said = Recognition(case.say, 0.95)
        runs = []
        for _ in range(rounds):
            if cold:
                understand.cache_clear()
            start = time.perf_counter()
            speech.judge(said, "digits", case.lang)
            runs.append((time.perf_counter() - start) * 1000)
        medians[f"{case.lang} {case.say}"] = statistics.median(runs)
    return medians


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    Speech({}).judge(Recognition("один", 0.95), "digits", "ru")  # load the locale packs once
    Speech({}).judge(Recognition("one", 0.95), "digits", "en")
    print(f"python benchmarks/judge.py --rounds {args.rounds}, {wall():%Y-%m-%d %H:%M} UTC, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")  # fmt: skip
    print("\n| path | transcripts | median ms | p99 ms | max ms | slowest |\n|---|---:|---:|---:|---:|---|")
    for cold in (True, False):
        by_text = timings(args.rounds, cold)
        ms = sorted(by_text.values())
        slowest = max(by_text, key=by_text.get)
        p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
        print(f"| {'cold' if cold else 'warm'} | {len(ms)} | {statistics.median(ms):.3f} | {p99:.3f} | "
              f"{ms[-1]:.3f} | {slowest} |")  # fmt: skip
    worst = max(timings(args.rounds, True).values())
    print(
        f"\ntarget: every transcript under {TARGET_MS} ms cold: {'met' if worst < TARGET_MS else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
