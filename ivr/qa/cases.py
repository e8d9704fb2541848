"""Test-call cases: one YAML file per call, or per text conversation (sms: turns, or telegram: and
contact: turns), with what the caller or sender does and what must happen."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import yaml

from ivr.flows import Outcome
from ivr.locales import available, load
from ivr.store.accounts_csv import HEADER

ACTIONS = ("dial", "say", "say_text", "press", "silence", "hangup", "sms", "telegram", "contact")
TEXTS = ("sms", "telegram", "contact")  # a text conversation's turns: SMS, or a Telegram chat's
TELEGRAM = ("telegram", "contact")
LISTEN = ("record", "stream")
OUTCOMES = tuple(Outcome)
KEYS = set("0123456789*#")


class CaseError(ValueError):
    """A case file that cannot be run as written."""


@dataclass(frozen=True)
class Expect:
    """What the caller must hear in answer to one action, and what the app must make of it."""

    prompts: tuple[str, ...] = ()  # prompt ids, each heard somewhere in the answer
    text: str | None = None
    similarity: float = 0.8
    heard: str | None = None  # recognised text
    value: str | None = None  # what the answer meant: digits, yes/no, readings
    reply: str | None = None  # sms: text the reply contains (case-insensitive)
    reply_matches: str | None = None  # sms: a regular expression the reply matches
    status: str | None = None  # sms: the message's stored status (a MessageStatus)


@dataclass(frozen=True)
class Step:
    """One thing the caller does: dial, say, say_text, press, silence or hangup; or a message sent."""

    action: str
    number: int = 0  # the turn's place in the file, from 1; 0 for the dial the file leaves implied
    arg: str | None = None  # a WAV path, a transcript or keys
    confidence: float | None = None  # for say_text: how sure the transcript recogniser is
    sid: str | None = (
        None  # sms, telegram: a label for its MessageSid or update_id; the same label repeats it
    )
    media: int = (
        0  # for sms: attachments it comes with (NumMedia); telegram: a photo with the text as caption
    )
    own: bool = True  # for contact: the sender's own number (the share button), or another's card
    expect: Expect = field(default_factory=Expect)

    def describe(self) -> str:
        if self.action == "say":
            return f"say {Path(self.arg).name}"
        if self.action == "say_text":
            return f"say_text {self.arg!r}"
        if self.action in ("sms", "telegram"):
            return f"{self.action} {self.arg!r}" + (f" with {self.media} media" if self.media else "")
        if self.action == "contact":
            return f"contact {self.arg}" + ("" if self.own else " (not theirs)")
        return f"press {self.arg}" if self.action == "press" else self.action


@dataclass(frozen=True)
class ExpectedReading:
    value: int
    meter: str | None = None
    zone: str | None = None
    status: str | None = None
    flags: tuple[str, ...] | None = None


@dataclass(frozen=True)
class Case:
    name: str
    path: Path
    caller: str
    locale: str
    accounts: str  # CSV with its header
    steps: tuple[Step, ...]
    now: datetime | None = None
    operator: str | None = None
    voice: bool = True  # False: the line has no speech model, so the call runs on the keypad
    outcome: str | None = None
    readings: tuple[ExpectedReading, ...] | None = None  # None: not checked
    listen: tuple[str, ...] = LISTEN  # the ways of listening the case is about (--listen)

    @property
    def texts(self) -> bool:
        """A text conversation: messages through the Messaging or the Telegram webhook, no call."""
        return any(self.uses(action) for action in TEXTS)

    @property
    def telegram(self) -> bool:
        """A chat with the Telegram bot."""
        return any(self.uses(action) for action in TELEGRAM)

    def uses(self, action: str) -> bool:
        return any(step.action == action for step in self.steps)

    def says_wav(self) -> bool:
        """Say whether some answer is real audio for the engine, not a transcript saved as a file."""
        return any(s.action == "say" and Path(s.arg).read_bytes()[:4] == b"RIFF" for s in self.steps)


def find_cases(paths: list[str | Path]) -> list[Path]:
    """List the case files named, or found under the folders named, in a stable order."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(q for q in p.rglob("*.y*ml") if q.suffix in (".yaml", ".yml"))
        elif p.is_file():
            found.append(p)
        else:
            raise CaseError(f"{p}: no such case file or folder")
    return found


def load_case(path: str | Path) -> Case:
    """Read and check a case file; CaseError names the file and what is wrong."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise CaseError(f"{path}: {error}") from error
    return _case(path, data if isinstance(data, dict) else {})


def _case(path: Path, data: dict) -> Case:
    def fail(message: str) -> CaseError:
        return CaseError(f"{path}: {message}")

    locale = str(data.get("locale") or "ru")
    if locale not in available():
        raise fail(f"locale {locale!r}: no such locale pack; have {', '.join(available())}")
    if "caller" not in data:
        raise fail("caller: missing (a phone number, or '' for a hidden one)")
    turns = data.get("turns") or []
    if not turns:
        raise fail("turns: the call has no turns")
    prompts = set(load(locale).prompts)
    steps = tuple(_step(path, i, t, prompts, fail) for i, t in enumerate(turns, 1))
    texts = {"sms" if s.action == "sms" else "telegram" if s.action in TELEGRAM else "call" for s in steps}
    if len(texts) > 1:
        raise fail(
            "turns: a case is a call or a text conversation: sms turns only, or telegram and "
            "contact turns only, or none"
        )
    if texts == {"call"} and steps[0].action != "dial":
        steps = (Step("dial"), *steps)
    end = data.get("end") or {}
    outcome = end.get("outcome")
    if outcome is not None and outcome not in OUTCOMES:
        raise fail(f"end.outcome: {outcome!r} is not one of {', '.join(OUTCOMES)}")
    readings = end.get("readings")
    return Case(
        name=str(data.get("name") or path.stem),
        path=path,
        caller=_caller(data["caller"]),
        locale=locale,
        accounts=_accounts(path, data.get("accounts"), fail),
        steps=steps,
        now=_when(data.get("now"), fail),
        operator=data.get("operator"),
        voice=bool(data.get("voice", True)),
        outcome=outcome,
        readings=None if readings is None else tuple(_reading(r, fail) for r in readings),
        listen=_listen(data.get("listen"), fail),
    )


def _listen(value, fail) -> tuple[str, ...]:  # noqa: ANN001
    modes = LISTEN if value is None else tuple(value if isinstance(value, list) else [value])
    if not modes or set(modes) - set(LISTEN):
        raise fail(f"listen: {value!r}: give record, stream or both")
    return modes


def _text(value) -> str | None:  # noqa: ANN001
    """Read a scalar as text; YAML 1.1 turns a bare yes or no into a boolean, so turn it back."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return None if value is None else str(value)


def _caller(value) -> str:  # noqa: ANN001
    # YAML reads an unquoted +79161234567 as a number and drops the plus.
    return f"+{value}" if isinstance(value, int) else str(value or "")


def _step(path: Path, number: int, turn, prompts: set[str], fail) -> Step:  # noqa: ANN001
    if isinstance(turn, str):
        turn = {turn: None}
    if not isinstance(turn, dict) or not isinstance(turn.get("expect") or {}, dict):
        raise fail(f"turn {number}: write it as 'action: argument' with an optional 'expect:' map")
    actions = [a for a in ACTIONS if a in turn]
    unknown = set(turn) - set(ACTIONS) - {"expect", "confidence", "sid", "media", "own"}
    if len(actions) != 1 or unknown:
        raise fail(f"turn {number}: give exactly one of {', '.join(ACTIONS)} (got {', '.join(turn)})")
    action = actions[0]
    arg = _text(turn[action])
    if action == "say":
        if not arg or not (path.parent / arg).is_file():
            raise fail(f"turn {number}: say: no audio file {arg!r} beside the case")
        arg = str(path.parent / arg)
    if action == "press" and (not arg or not set(arg) <= KEYS):
        raise fail(f"turn {number}: press: {arg!r} is not keys (0-9, *, #)")
    if action in ("say_text", *TEXTS) and arg is None:
        raise fail(f"turn {number}: {action}: no text")
    if action not in TEXTS and ({"sid", "media"} & set(turn)):
        raise fail(f"turn {number}: sid and media belong to sms turns and telegram turns")
    if action != "contact" and "own" in turn:
        raise fail(f"turn {number}: own belongs to contact turns")
    expect = turn.get("expect") or {}
    wanted = expect.get("prompt") or ()
    wanted = (wanted,) if isinstance(wanted, str) else tuple(wanted)
    for pid in wanted:
        if pid not in prompts:
            raise fail(f"turn {number}: expect.prompt: no prompt {pid!r} in the locale pack")
    if expect.get("reply_matches") is not None:
        try:
            re.compile(str(expect["reply_matches"]))
        except re.error as error:
            raise fail(f"turn {number}: expect.reply_matches: {error}") from None
    return Step(action, number, arg, turn.get("confidence"), _text(turn.get("sid")), int(turn.get("media") or 0),
                turn.get("own", True) is not False, Expect(prompts=wanted, text=expect.get("text"), similarity=float(expect.get("similarity", 0.8)),
                       heard=_text(expect.get("heard")), value=_text(expect.get("value")),
                       reply=_text(expect.get("reply")), reply_matches=_text(expect.get("reply_matches")),
                       status=_text(expect.get("status"))))  # fmt: skip


def _accounts(path: Path, accounts, fail) -> str:  # noqa: ANN001
    """Return the accounts as CSV: a fixture file beside the case or in fixtures/, or inline rows."""
    if not accounts:
        return ""
    if isinstance(accounts, str):
        for folder in (path.parent, path.parent / "fixtures"):
            if (folder / accounts).is_file():
                return (folder / accounts).read_text(encoding="utf-8-sig")
        raise fail(f"accounts: no fixture {accounts!r} beside the case or in fixtures/")
    out = io.StringIO()
    writer = csv.DictWriter(out, HEADER, lineterminator="\n")
    writer.writeheader()
    for row in accounts:
        if isinstance(row, str):
            row = dict(zip(HEADER, next(csv.reader([row]))))
        if set(row) - set(HEADER):
            raise fail(f"accounts: unknown columns {', '.join(set(row) - set(HEADER))}")
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()


def _when(value, fail) -> datetime | None:  # noqa: ANN001
    """The case's clock as the app keeps time, naive UTC; a time with an offset is converted."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day, 12)
    try:
        when = value if value is None or isinstance(value, datetime) else datetime.fromisoformat(str(value))
    except ValueError:
        raise fail(f"now: {value!r} is not an ISO date and time, e.g. 2026-11-17T12:00") from None
    return when.astimezone(UTC).replace(tzinfo=None) if when and when.tzinfo else when


def _reading(r: dict, fail) -> ExpectedReading:  # noqa: ANN001
    if not isinstance(r, dict) or not str(r.get("value", "")).isdigit():
        raise fail(f"end.readings: {r} needs a whole-number value")
    flags = r.get("flags")
    if isinstance(flags, str):
        flags = [f for f in flags.split(";") if f]
    return ExpectedReading(int(r["value"]), r.get("meter"), r.get("zone"), r.get("status"),
                           None if flags is None else tuple(flags))  # fmt: skip
