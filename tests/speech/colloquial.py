"""The colloquial transcripts (colloquial.yaml) run through `Speech.judge` and the flow, exactly as
a typed transcript is, and each outcome counted as an operator would count it.

A case is one caller's answer at the account or the reading question of a meter with a display of
`digits` and a `previous` reading. `expect` is the number an operator would take («ask» when an
operator would ask again); a multi-zone answer expects the zones' readings joined with «/».
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from ivr import flows
from ivr.flows import AccountInfo, Ask, Context, MeterInfo, ZoneInfo
from ivr.flows.regions import load as regions
from ivr.flows.state import CallState
from ivr.qa.hearing import TYPED_CONFIDENCE
from ivr.speech.recognizer import Recognition
from ivr.speech.service import Speech

CASES = Path(__file__).with_name("colloquial.yaml")
HELD_OUT = Path(__file__).with_name("colloquial_heldout.yaml")  # measured, never tuned to
NOW = datetime(2026, 11, 17, 9, 0)  # naive UTC: noon in Moscow, inside its window
TODAY = NOW.date()
ASK = "ask"
RIGHT, ASKED, WRONG = "right", "asked again", "wrong"


@dataclass(frozen=True)
class Case:
    kind: str
    lang: str
    at: str  # "reading" or "account"
    say: str
    expect: str
    digits: int = 6
    previous: tuple[int | None, ...] = (None,)  # one per zone of the meter
    accounts: tuple[str, ...] = ()  # the accounts on file, at the account question


def cases(path: Path = CASES) -> list[Case]:
    """Every case of a file: groups share their question, display, previous and accounts."""
    out = []
    for group in yaml.safe_load(path.read_text(encoding="utf-8")):
        previous = group.get("previous")
        shared = {
            "kind": group["kind"],
            "lang": group["lang"],
            "at": group.get("at", "reading"),
            "digits": group.get("digits", 6),
            "previous": tuple(previous) if isinstance(previous, list) else (previous,),
            "accounts": tuple(str(a) for a in group.get("accounts", ())),
        }
        out += [Case(say=str(say), expect=str(expect), **shared) for say, expect in group["cases"]]
    return out


class _Directory:
    def __init__(self, accounts: dict[str, AccountInfo]) -> None:
        self.accounts = accounts

    def by_phone(self, _e164: str) -> list[str]:
        return []

    def account(self, number: str) -> AccountInfo | None:
        return self.accounts.get(number)


def _meter(case: Case) -> MeterInfo:
    on = TODAY - timedelta(days=30)
    zones = tuple(
        ZoneInfo(n + 1, p, on if p is not None else None, None) for n, p in enumerate(case.previous)
    )
    return MeterInfo(1, "M-1", case.digits, zones)


def flow_actions(case: Case, speech: Speech) -> tuple[CallState, list]:
    """Run the case's transcript through Speech.judge and one step of the flow."""
    recognition = Recognition(case.say, TYPED_CONFIDENCE)
    heard = speech.judge(recognition, "digits", case.lang)
    event = flows.Speech(heard.text, heard.value, heard.confidence, margin=heard.margin, readings=heard.readings,
                         decimals=heard.decimals, zones=heard.zones)  # fmt: skip
    home = AccountInfo("000000", "ул. Тихая, 1", "Москва", (_meter(case),))
    accounts = {
        number: AccountInfo(number, "ул. Тихая, 2", "Москва", (_meter(case),)) for number in case.accounts
    }
    ctx = Context(_Directory({home.number: home, **accounts}), regions(None), NOW, default_locale=case.lang)
    if case.at == "account":
        return flows.advance(CallState(node="account", locale=case.lang), event, ctx)
    return flows.advance(CallState(node="reading", locale=case.lang, account=home.number), event, ctx)


def taken(case: Case, speech: Speech) -> str | None:
    """What the line takes from the answer: the number(s) it reads back, None when it asks again."""
    state, actions = flow_actions(case, speech)
    if case.at == "account":
        return state.account if state.node == "address" else None
    return read_back(state, actions)


def read_back(state: CallState, actions: list) -> str | None:
    """The readings the read-back names, zone by zone; None when the caller is asked again."""
    ask = next((a for a in actions if isinstance(a, Ask)), None)
    if state.node not in ("confirm", "confirm_zones") or ask is None:
        return None
    pending = sorted(state.named, key=lambda p: p.zone) if state.node == "confirm_zones" else [state.pending]
    return "/".join(p.digits for p in pending)


def judge(case: Case, speech: Speech) -> str:
    """Right, asked again, or wrong, as an operator would see it."""
    got = taken(case, speech)
    if got is None:
        return RIGHT if case.expect == ASK else ASKED
    if case.expect == ASK:
        return WRONG
    # 03140 and 3140 are one reading: the display shows it with its leading zero either way.
    same = [int(n) for n in got.split("/")] == [int(n) for n in case.expect.split("/")]
    return RIGHT if same else WRONG


def table(results: list[tuple[Case, str]]) -> tuple[list[str], dict[str, Counter]]:
    """A markdown table of outcomes per kind, then per language and in all, and the counts behind it."""
    per: dict[str, Counter] = defaultdict(Counter)
    for case, outcome in results:
        for row in (case.kind, f"all {case.lang}", "all"):
            per[row][outcome] += 1
            per[row]["cases"] += 1
    lines = [
        "| kind | cases | taken as an operator would | asked again | wrong |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind in sorted(per, key=lambda k: (k.startswith("all"), k == "all")):
        count = per[kind]
        share = 100 * count[RIGHT] / count["cases"]
        lines.append(
            f"| {kind} | {count['cases']} | {share:.1f}% ({count[RIGHT]}) | {count[ASKED]} | {count[WRONG]} |"
        )
    return lines, per
