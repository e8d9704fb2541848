"""Results of replayed calls, per case and per turn, as plain data for reports and JSON."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class TurnResult:
    index: int  # the turn's place in the case file; 0 is a dial the file leaves implied
    action: str
    seq: int | None = None  # the question answered, as its webhooks number it
    prompts: list[str] = field(default_factory=list)  # prompt ids of the answer, in order
    said: str = ""  # the answer's text as the caller hears it
    waits_for: str = ""
    latency: float = 0.0  # seconds of webhook round trips until the caller heard the answer
    heard: str | None = None  # recognised text
    value: str | None = None
    confidence: float | None = None
    asr_seconds: float | None = None
    problems: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.problems


@dataclass
class CaseResult:
    name: str
    path: str
    mode: str  # in-process, or the URL replayed against
    sid: str = ""
    outcome: str | None = None
    readings: list[str] = field(default_factory=list)
    turns: list[TurnResult] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the call as a whole
    notes: list[str] = field(default_factory=list)  # what could not be checked, and why
    skipped: str | None = None
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.skipped is None and not self.problems and all(t.passed for t in self.turns)

    @property
    def status(self) -> str:
        return "skip" if self.skipped else "pass" if self.passed else "FAIL"

    def failures(self) -> list[str]:
        """Every problem, the turn's named first."""
        found = [f"turn {t.index} ({t.action}): {p}" for t in self.turns for p in t.problems]
        return found + [f"end: {p}" for p in self.problems]

    def to_dict(self) -> dict:
        return {**asdict(self), "status": self.status}


def from_dict(data: dict) -> CaseResult:
    """Read a case result back from a JSON report."""
    fields = {k: v for k, v in data.items() if k not in ("turns", "status")}
    return CaseResult(**fields, turns=[TurnResult(**t) for t in data.get("turns", [])])
