"""Simulate calls through the pure flow with a recogniser that mishears digits: how many complete?

    python benchmarks/completion.py [--calls 1000] [--rates 0.05,0.1,0.2] [--seed 1] [--voice-only 0]

Each simulated caller says the true reading of every zone; the "recogniser" replaces each spoken
digit by another with probability p. The caller says «нет» at a wrong read-back and «да» at a right
one, answers the address truthfully and types exactly when the keypad is offered (--voice-only: the
share of callers who never press a key, and are silent at keypad questions); yes, no and the
intent are always heard right. A fifth of the callers hide their number and say their account
number, which is misheard the same way. Half the accounts have one zone, half two.
Reported per p: calls completed without the operator, transfers by reason, calls still going after
MAX_ANSWERS, stored readings that differ from the truth, mean answers per call, and calls in which
the keypad was offered.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ivr.flows import (  # noqa: E402
    AccountInfo,
    Ask,
    Context,
    Keys,
    MeterInfo,
    SaveMeter,
    Silence,
    Speech,
    Start,
    Transfer,
    ZoneInfo,
    advance,
    load_regions,
    start,
)

TODAY = date(2026, 11, 17)  # inside Moscow's window
ACCOUNTS = 300
HIDDEN_SHARE = 0.2  # callers whose number is hidden: they say their account number
MAX_ANSWERS = 60  # a call still going after this many answers counts as never ending
CONFIDENCE = 0.9


@dataclass(frozen=True)
class Caller:
    account: AccountInfo
    phone: str | None
    truth: dict[tuple[int, int], int]  # (meter id, zone) -> the reading on the display
    keys: bool = True  # presses keys when the keypad is offered


class Directory:
    """The simulated utility's accounts, as the flow asks for them."""

    def __init__(self, accounts: list[AccountInfo], phones: dict[str, str]) -> None:
        self.accounts = {a.number: a for a in accounts}
        self.phones = phones

    def by_phone(self, e164: str) -> list[str]:
        return [self.phones[e164]] if e164 in self.phones else []

    def account(self, number: str) -> AccountInfo | None:
        return self.accounts.get(number)


def utility(rng: random.Random) -> tuple[Directory, list[Caller]]:
    """Accounts with one meter of one or two zones, their history, and this month's true readings."""
    accounts, phones, callers = [], {}, []
    numbers = rng.sample(range(100000, 1000000), ACCOUNTS)
    for i, number in enumerate(numbers):
        zones, truth = [], {}
        for z in range(1, 1 + (i % 2) + 1):
            daily = rng.uniform(3, 15)
            previous = rng.randrange(1000, 900000)
            used = round(daily * 30 * rng.uniform(0.5, 1.5))
            if rng.random() < 0.03:  # a hot month: the special read-back
                used *= 3
            zones.append(ZoneInfo(z, previous, TODAY - timedelta(days=30), daily))
            truth[(i + 1, z)] = previous + used
        account = AccountInfo(str(number), f"ул. Садовая, д. {i + 1}", "Москва",
                              (MeterInfo(i + 1, f"M-{i + 1}", 6, tuple(zones)),))  # fmt: skip
        phone = f"+7916{number:07d}"
        accounts.append(account)
        phones[phone] = account.number
        callers.append(Caller(account, phone, truth))
    return Directory(accounts, phones), callers


def mishear(digits: str, p: float, rng: random.Random) -> str:
    """Each digit replaced by another with probability p."""
    return "".join(rng.choice("0123456789".replace(d, "")) if rng.random() < p else d for d in digits)


def reply(ask: Ask, caller: Caller, zone: tuple[int, int] | None, p: float, rng: random.Random):
    """What the caller does at a question, and what the recogniser makes of it."""
    yes_no = {True: ("1", "yes"), False: ("2", "no")}
    if ask.keypad and not caller.keys:
        return Silence()
    if ask.question == "intent":
        return Keys("1") if ask.keypad else Speech("показания", "readings", CONFIDENCE)
    if ask.question in ("account", "reading"):
        digits = caller.account.number if ask.question == "account" else str(caller.truth[zone])
        return Keys(digits + "#") if ask.keypad else Speech("…", mishear(digits, p, rng), CONFIDENCE)
    if ask.question == "address":
        right = ask.params["address"] == caller.account.address
    elif ask.question == "confirm":
        right = ask.params["digits"] == str(caller.truth[zone])
    else:  # the caller never asks for the operator, so is never asked to confirm one
        raise AssertionError(f"unexpected question {ask.question}")
    key, word = yes_no[right]
    return Keys(key) if ask.keypad else Speech(word, word, CONFIDENCE)


def call(ctx: Context, caller: Caller, p: float, rng: random.Random) -> dict:
    """One call, to its end or MAX_ANSWERS; what happened."""
    state, actions = start(Start(None if rng.random() < HIDDEN_SHARE else caller.phone), ctx)
    answers, wrong, keypad = 0, 0, False
    while not state.ended and answers < MAX_ANSWERS:
        ask = next(a for a in actions if isinstance(a, Ask))
        keypad |= ask.keypad
        zone = None
        if state.account == caller.account.number and ask.question in ("reading", "confirm"):
            meter = caller.account.meters[state.meter]
            zone = (meter.id, meter.zones[state.zone].zone)
        state, actions = advance(state, reply(ask, caller, zone, p, rng), ctx)
        answers += 1
        for save in (a for a in actions if isinstance(a, SaveMeter)):
            wrong += sum(r.value != caller.truth.get((save.meter_id, r.zone)) for r in save.readings)
    reason = next((a.reason for a in actions if isinstance(a, Transfer)), None)
    return {"ended": state.ended, "reason": reason, "answers": answers, "wrong": wrong, "keypad": keypad}


def simulate(p: float, calls: int, seed: int, voice_only: float = 0.0) -> dict:
    rng = random.Random(seed)
    directory, callers = utility(rng)
    ctx = Context(directory, load_regions(None), TODAY)
    chosen = [rng.choice(callers) for _ in range(calls)]
    chosen = [replace(c, keys=rng.random() >= voice_only) for c in chosen]
    results = [call(ctx, caller, p, rng) for caller in chosen]
    return {
        "completed": sum(r["ended"] == "completed" for r in results) / calls,
        "transferred": Counter(str(r["reason"]) for r in results if r["ended"] == "transferred"),
        "never_ended": sum(not r["ended"] for r in results),
        "wrong": sum(r["wrong"] for r in results),
        "answers": sum(r["answers"] for r in results) / calls,
        "keypad": sum(r["keypad"] for r in results) / calls,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=1000, help="calls per digit error rate")
    parser.add_argument("--rates", default="0.05,0.1,0.2", help="digit error rates, comma-separated")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--voice-only", type=float, default=0.0, help="share of callers who never press keys")
    args = parser.parse_args()
    print(f"{args.calls} calls per rate, seed {args.seed}, {ACCOUNTS} accounts (half one zone, half two), "
          f"{HIDDEN_SHARE:.0%} hidden numbers, {args.voice_only:.0%} voice-only callers\n")  # fmt: skip
    print("| digit error rate | completed without the operator | transferred (by reason) "
          "| never ended | wrong readings stored | answers per call | keypad offered |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for p in (float(r) for r in args.rates.split(",")):
        r = simulate(p, args.calls, args.seed, args.voice_only)
        reasons = ", ".join(f"{k} {n}" for k, n in r["transferred"].most_common()) or "0"
        print(f"| {p:.2f} | {r['completed']:.1%} | {sum(r['transferred'].values())} ({reasons}) "
              f"| {r['never_ended']} | {r['wrong']} | {r['answers']:.1f} | {r['keypad']:.1%} |")  # fmt: skip


if __name__ == "__main__":
    main()
