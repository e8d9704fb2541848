"""Replay a test-call case through the hotline and check what happened against the case."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from ivr.flows import Outcome
from ivr.qa.cases import Case, ExpectedReading, Step
from ivr.qa.driver import CallError, Heard, TwilioCall
from ivr.qa.facts import Facts, SavedReading
from ivr.qa.hearing import transcript
from ivr.qa.prompts import matcher, similarity
from ivr.qa.results import CaseResult, TurnResult
from ivr.qa.telegram import TelegramChat
from ivr.qa.texts import TextFacts, TextPhone, judge_texts, play_texts


class Line(Protocol):
    """One call's connection to the hotline under test."""

    call: TwilioCall

    def facts(self) -> Facts | None:
        """What the hotline recorded of the call, when the replay can see its database."""
        ...

    def text_facts(self) -> TextFacts | None:
        """What the hotline recorded of a text case's messages, when the replay can see its database."""
        ...

    def chat(self, case: Case) -> TelegramChat:
        """The case's chat with the Telegram bot."""
        ...


class Target(Protocol):
    """Where cases are replayed: the app in this process, or a server at a URL."""

    mode: str

    def skip_reason(self, case: Case) -> str | None: ...

    def notes(self, case: Case) -> list[str]: ...

    def line(self, case: Case) -> AbstractContextManager[Line]: ...


def run_case(case: Case, target: Target) -> CaseResult:
    """Play one case as a phone call, or its messages, and judge every turn and the end."""
    result = CaseResult(case.name, str(case.path), target.mode, notes=target.notes(case))
    result.skipped = target.skip_reason(case)
    if result.skipped:
        return result
    started = time.perf_counter()
    if case.texts:
        return _run_texts(case, target, result, started)
    facts = None
    try:
        with target.line(case) as line:
            result.sid = line.call.sid
            hung_up = _play(case, line.call, result)
            if not hung_up:  # Twilio ends every call with the status callback
                line.call.hangup()
            facts = line.facts()
    except Exception as error:  # noqa: BLE001 - one broken case must not stop the run
        result.problems.append(f"{type(error).__name__}: {error}")
    result.seconds = time.perf_counter() - started
    _judge(case, result, facts)
    return result


def _run_texts(case: Case, target: Target, result: CaseResult, started: float) -> CaseResult:
    """Send a text case's messages from its caller's number and judge each reply and the end."""
    try:
        with target.line(case) as line:
            sender = line.chat(case) if case.telegram else TextPhone(line.call, sms_path(case.locale))
            sids = play_texts(case, sender, result)
            facts = line.text_facts()
            judge_texts(case, result, sids, facts)
            if case.readings is not None and facts is not None:
                result.problems += _reading_problems(case.readings, facts.readings)
    except Exception as error:  # noqa: BLE001 - one broken case must not stop the run
        result.problems.append(f"{type(error).__name__}: {error}")
    result.seconds = time.perf_counter() - started
    return result


def sms_path(locale: str) -> str:
    """The Messaging webhook of a number whose senders are answered in a locale by default."""
    return f"/twilio/sms?locale={locale}"


def run_cases(cases: list[Case], target: Target, jobs: int = 1,
              progress: Callable[[CaseResult], None] | None = None) -> list[CaseResult]:  # fmt: skip
    """Replay cases, `jobs` at a time; results come back in the cases' order."""
    with ThreadPoolExecutor(max_workers=max(1, jobs), thread_name_prefix="replay") as pool:
        futures = [pool.submit(run_case, case, target) for case in cases]
        for future in as_completed(futures):
            if progress:
                progress(future.result())
    return [future.result() for future in futures]


def _play(case: Case, call: TwilioCall, result: CaseResult) -> bool:
    """Play the steps until the end or the first broken one; say whether the caller hung up."""
    for step in case.steps:
        turn = TurnResult(step.number, step.describe(), seq=question_seq(call.heard))
        result.turns.append(turn)
        if call.heard is not None and call.heard.waits_for in ("hangup", "dial"):
            turn.problems.append(f"the call had already ended ({call.heard.waits_for}); "
                                 "the rest of the case was not played")  # fmt: skip
            return False
        try:
            heard = act(call, step)
        except CallError as error:
            turn.problems.append(str(error))
            return False
        if heard is None:
            return True
        turn.prompts = matcher(case.locale).heard(heard.says)
        turn.said, turn.waits_for, turn.latency = heard.text, heard.waits_for, heard.latency
        turn.problems += _heard_problems(step, turn)
    return False


def act(call: TwilioCall, step: Step) -> Heard | None:
    """Do what the caller does in one step; None after hanging up."""
    if step.action == "dial":
        return call.dial()
    if step.action == "press":
        return call.press(step.arg)
    if step.action == "say":
        return call.say(Path(step.arg).read_bytes())
    if step.action == "say_text":
        return call.say(transcript(step.arg, step.confidence))
    if step.action == "silence":
        return call.silence()
    status, _ = call.hangup()
    if status >= 400:
        raise CallError(f"the status callback answered HTTP {status}")
    return None


def question_seq(heard: Heard | None) -> int | None:
    """Read which question the call waits on from the q= of its action URL."""
    if heard is None or not (heard.action or heard.fallback):
        return None
    q = parse_qs(urlsplit(heard.action or heard.fallback).query).get("q", [""])[0]
    return int(q) if q.isdigit() else None


def _ids(prompts: list[str]) -> set[str]:
    """Every prompt id the answer may have said, ambiguous ones ('a|b') counting as each."""
    return {pid for ids in prompts for pid in ids.split("|")}


def _heard_problems(step: Step, turn: TurnResult) -> Iterator[str]:
    heard_ids = _ids(turn.prompts)
    for pid in step.expect.prompts:
        if pid not in heard_ids:
            yield f"expected prompt {pid}, heard {' + '.join(turn.prompts) or 'nothing'}: «{turn.said}»"
    if step.expect.text is not None:
        score = similarity(step.expect.text, turn.said)
        if score < step.expect.similarity:
            yield (f"expected text like «{step.expect.text}» (similarity >= "
                   f"{step.expect.similarity}), got {score:.2f}: «{turn.said}»")  # fmt: skip


def _judge(case: Case, result: CaseResult, facts: Facts | None) -> None:
    """Fill in what the database knows, then check recognition, the outcome and the readings."""
    last = next((t for t in reversed(result.turns) if t.waits_for), None)
    result.outcome = facts.outcome if facts else heard_outcome(last)
    if facts is not None:
        result.readings = [r.describe() for r in facts.readings]
        for turn, step in zip(result.turns[1:], case.steps[1:]):
            row = facts.turns.get(turn.seq)
            if row is not None:
                turn.heard, turn.value, turn.confidence = row.heard, row.value, row.confidence
                turn.asr_seconds = row.asr_seconds
            turn.problems += _recognition_problems(step, turn)
    if case.outcome and result.outcome != case.outcome:
        result.problems.append(f"expected outcome {case.outcome}, got {result.outcome}")
    if case.readings is not None and facts is not None:
        result.problems += _reading_problems(case.readings, facts.readings)


def heard_outcome(last: TurnResult | None) -> str:
    """Tell the outcome from the TwiML alone, for servers whose database replay cannot see."""
    ids = _ids(last.prompts) if last else set()
    if last and (last.waits_for == "dial" or "no_operator" in ids):
        return Outcome.TRANSFERRED
    if last and last.waits_for == "hangup":
        return Outcome.COMPLETED if "goodbye" in ids else Outcome.FAILED
    return Outcome.ABANDONED if last else Outcome.FAILED  # the caller left while the app still listened


def _recognition_problems(step: Step, turn: TurnResult) -> Iterator[str]:
    if step.expect.heard is not None and (turn.heard or "") != step.expect.heard:
        yield f"expected to be heard as «{step.expect.heard}», heard «{turn.heard or ''}»"
    if step.expect.value is not None and turn.value != step.expect.value:
        yield f"expected value {step.expect.value}, got {turn.value}"


def _reading_problems(expected: tuple[ExpectedReading, ...], saved: tuple[SavedReading, ...]) -> list[str]:
    problems = []
    if len(expected) != len(saved):
        got = "; ".join(r.describe() for r in saved) or "none"
        problems.append(f"expected {len(expected)} reading(s) saved, got {len(saved)}: {got}")
    for n, (want, got) in enumerate(zip(expected, saved), 1):
        for name in ("value", "meter", "zone", "status", "flags"):
            wanted = getattr(want, name)
            if wanted is not None and _norm(name, wanted) != _norm(name, getattr(got, name)):
                problems.append(f"reading {n}: expected {name} {_show(wanted)}, saved "
                                f"{_show(getattr(got, name))} ({got.describe()})")  # fmt: skip
    return problems


def _norm(name: str, value: object) -> object:
    return frozenset(value) if name == "flags" else value


def _show(value: object) -> str:
    if isinstance(value, tuple):
        return ";".join(value) or "no flags"
    return str(value)
