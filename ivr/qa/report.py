"""Replay reports: a readable table, JUnit XML for CI, JSON, and changes against an earlier run."""

from __future__ import annotations

import json
import unicodedata
import xml.etree.ElementTree as ET
from datetime import UTC
from pathlib import Path

from ivr.clock import wall
from ivr.qa.results import CaseResult, TurnResult, from_dict

# A turn's latency changed when it doubled (or halved) and moved by more than this: less is not
# heard by a caller, and a shared machine's noise (a first request, a busy core) is larger.
LATENCY_NOISE_S = 0.25


def table(results: list[CaseResult], turns: bool = True) -> str:
    """Render results case by case, with a row per turn and every problem under its turn."""
    lines = []
    for r in results:
        head = f"{r.status:<4}  {_fit(r.name, 48)}  {r.outcome or '-':<11} {r.seconds:6.2f} s"
        lines.append(head + (f"  skipped: {r.skipped}" if r.skipped else ""))
        if turns and not r.skipped:
            lines.append(f"      {'#':>2} {_fit('caller', 26)} {_fit('prompts heard', 28)} "
                         f"{_fit('recognised -> value', 30)} {'conf':>4} {'hook':>7} {'asr':>7}")  # fmt: skip
            lines += [_turn_row(t) for t in r.turns]
        if not turns or r.skipped:
            lines += [f"      x {p}" for p in r.failures()]
        else:
            lines += [f"      x end: {p}" for p in r.problems]
        lines += [f"      note: {n}" for n in r.notes if not r.skipped]
    return "\n".join(lines)


def _turn_row(t: TurnResult) -> str:
    recognised = f"{t.heard} -> {t.value}" if t.heard is not None else ""
    if t.heard is None and t.value is not None:  # keys mean what they are
        recognised = f"-> {t.value}"
    conf = f"{t.confidence:.2f}" if t.confidence is not None else ""
    asr = f"{t.asr_seconds * 1000:5.0f}ms" if t.asr_seconds is not None else ""
    row = (f"    {'ok' if t.passed else 'x ':2}{t.index:>2} {_fit(t.action, 26)} "
           f"{_fit(' + '.join(t.prompts), 28)} {_fit(recognised, 30)} {conf:>4} "
           f"{t.latency * 1000:5.0f}ms {asr:>7}")  # fmt: skip
    return "\n".join([row.rstrip(), *(f"          x {p}" for p in t.problems)])


def summary(results: list[CaseResult], seconds: float) -> str:
    """Close with the counts, in the plain 'N passed, N failed' form CI runners read."""
    passed = sum(r.passed for r in results)
    skipped = sum(r.skipped is not None for r in results)
    failed = len(results) - passed - skipped
    return f"{passed} passed, {failed} failed, {skipped} skipped in {seconds:.1f} s"


def _fit(text: str, width: int) -> str:
    """Cut or pad text to a terminal width, counting wide (CJK) characters as two columns."""
    text = text.replace("\n", " ")
    columns = [2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text]
    if sum(columns) <= width:
        return text + " " * (width - sum(columns))
    out, used = "", 0
    for ch, w in zip(text, columns):
        if used + w > width - 1:  # keep a column for the ellipsis
            break
        out, used = out + ch, used + w
    return out + "…" + " " * (width - used - 1)


def junit(results: list[CaseResult], seconds: float) -> str:
    """Render results as JUnit XML: one testcase per case, its turn table as system-out."""
    failed = sum(not r.passed and r.skipped is None for r in results)
    suite = ET.Element("testsuite", name="ivr replay", tests=str(len(results)),
                       failures=str(failed), errors="0",
                       skipped=str(sum(r.skipped is not None for r in results)),
                       time=f"{seconds:.3f}")  # fmt: skip
    for r in results:
        case = ET.SubElement(suite, "testcase", classname=f"replay.{Path(r.path).parent.name}",
                             name=r.name, file=r.path, time=f"{r.seconds:.3f}")  # fmt: skip
        if r.skipped:
            ET.SubElement(case, "skipped", message=r.skipped)
        elif not r.passed:
            failures = r.failures()
            ET.SubElement(case, "failure", message=failures[0]).text = "\n".join(failures)
        ET.SubElement(case, "system-out").text = table([r])
    return ET.tostring(suite, encoding="unicode", xml_declaration=True)


def to_json(results: list[CaseResult], seconds: float) -> str:
    body = {
        "finished": wall()
        .replace(tzinfo=UTC)
        .isoformat(timespec="seconds"),  # the run, not the app, finished
        "summary": summary(results, seconds),
        "cases": [r.to_dict() for r in results],
    }
    return json.dumps(body, ensure_ascii=False, indent=2)


def read_json(path: str | Path) -> list[CaseResult]:
    return [from_dict(c) for c in json.loads(Path(path).read_text(encoding="utf-8"))["cases"]]


def compare(before: list[CaseResult], after: list[CaseResult]) -> list[str]:
    """List what changed between two runs, case by case and turn by turn."""
    old = {r.name: r for r in before}
    lines = []
    for r in after:
        was = old.pop(r.name, None)
        if was is None:
            lines.append(f"{r.name}: new case ({r.status})")
            continue
        found = [f"status {was.status} -> {r.status}"] if was.status != r.status else []
        if was.outcome != r.outcome:
            found.append(f"outcome {was.outcome} -> {r.outcome}")
        for a, b in zip(was.turns, r.turns):
            found += [f"turn {b.index} ({b.action}): {c}" for c in _turn_changes(a, b)]
        if len(was.turns) != len(r.turns):
            found.append(f"path: {len(was.turns)} turns -> {len(r.turns)} turns")
        lines += [f"{r.name}: {c}" for c in found]
    lines += [f"{name}: gone from this run" for name in old]
    return lines


def _turn_changes(a: TurnResult, b: TurnResult) -> list[str]:
    changes = []
    if a.prompts != b.prompts:
        changes.append(f"path {' + '.join(a.prompts)} -> {' + '.join(b.prompts)}")
    if (a.heard, a.value) != (b.heard, b.value):
        changes.append(f"recognised «{a.heard}» -> «{b.heard}» (value {a.value} -> {b.value})")
    slower, faster = b.latency > 2 * a.latency, a.latency > 2 * b.latency
    if (slower or faster) and abs(b.latency - a.latency) > LATENCY_NOISE_S:
        changes.append(f"latency {a.latency * 1000:.0f} ms -> {b.latency * 1000:.0f} ms")
    return changes
