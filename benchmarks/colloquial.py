"""The colloquial transcripts (tests/speech/colloquial.yaml) through `Speech.judge` and the flow.

    python benchmarks/colloquial.py [--misses] [--held-out]

Prints the per-kind table of docs/QUALITY.md, and with --misses every case not taken as an
operator would take it, with what the line took. --held-out runs the held-out set
(tests/speech/colloquial_heldout.yaml) instead.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ivr.speech.service import Speech  # noqa: E402
from tests.speech.colloquial import CASES, HELD_OUT, RIGHT, cases, judge, table, taken  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the cases not taken right")
    parser.add_argument("--held-out", action="store_true", help="the held-out set")
    args = parser.parse_args()
    speech = Speech({})
    results = [(case, judge(case, speech)) for case in cases(HELD_OUT if args.held_out else CASES)]
    print("\n".join(table(results)[0]))
    if args.misses:
        for case, outcome in results:
            if outcome != RIGHT:
                print(f"{outcome:12} {case.kind:11} {case.lang} {case.say!r}: expect {case.expect}, "
                      f"took {taken(case, speech)}")  # fmt: skip


if __name__ == "__main__":
    main()
