"""Questions 1, 3 and 4: what the caller wants, which account, and whether the address is right."""

from __future__ import annotations

from ivr.flows.common import MAX_FAILS, account_of, ask, fail, transfer
from ivr.flows.kinds import DIGITS, INTENT, YESNO
from ivr.flows.model import Action, Ask, Context, Say
from ivr.flows.readings import meter_intro
from ivr.flows.state import CallState
from ivr.flows.terms import TransferReason

# --- 1. Greeting and intent ------------------------------------------------------------------


def ask_intent(s: CallState, ctx: Context) -> Ask:
    prompt = "intent_keys" if s.on_keypad else "intent"
    return Ask("intent", INTENT, s.on_keypad, prompt)


def answer_intent(s: CallState, value: str, _conf: float | None, ctx: Context) -> list[Action]:
    if value != "readings":
        return fail(s, ctx, Say("not_understood"))
    numbers = ctx.directory.by_phone(s.caller) if s.caller else []
    if len(numbers) == 1:
        s.account, s.by_phone = numbers[0], True
        s.goto("address")
    else:
        s.goto("account")
    return [ask(s, ctx)]


# --- 3. Account number -----------------------------------------------------------------------

# At most this many groupings of a spoken account number are looked up: each costs a query.
MAX_WEIGHED = 32


def ask_account(s: CallState, _ctx: Context) -> Ask:
    prompt = "account_keys" if s.on_keypad else "account"
    return Ask("account", DIGITS, s.on_keypad, prompt)


def weigh_account(_s: CallState, readings: tuple[str, ...], ctx: Context) -> str | None:
    """The spoken account number that is on file («сто пять двести ноль семь»: 105207, not
    10520007); the joined one when none is, for the question to refuse; None when several are."""
    on_file = [number for number in dict.fromkeys(readings[:MAX_WEIGHED]) if ctx.directory.account(number)]
    if len(on_file) > 1:
        return None
    return on_file[0] if on_file else readings[0]


def answer_account(s: CallState, value: str, _conf: float | None, ctx: Context) -> list[Action]:
    if ctx.directory.account(value) is None:
        s.id_fails += 1
        if s.id_fails >= MAX_FAILS:
            return transfer(s, TransferReason.ACCOUNT)
        return fail(s, ctx, Say("account_unknown", {"digits": value}))
    s.account, s.by_phone = value, False
    s.goto("address")
    return [ask(s, ctx)]


# --- 4. Address confirmation -----------------------------------------------------------------


def ask_address(s: CallState, ctx: Context) -> Ask:
    address = account_of(s, ctx).address
    prompt = "address_keys" if s.on_keypad else "address"
    return Ask("address", YESNO, s.on_keypad, prompt, {"address": address})


def answer_address(s: CallState, value: str, _conf: float | None, ctx: Context) -> list[Action]:
    if value == "yes":
        if not account_of(s, ctx).meters:
            return transfer(s, TransferReason.NO_METERS)
        s.meter = s.zone = 0
        s.goto("reading")
        return [*meter_intro(s, ctx), ask(s, ctx)]
    if value != "no":
        return fail(s, ctx, Say("not_understood"))
    s.id_fails += 1
    if s.id_fails >= MAX_FAILS:
        return transfer(s, TransferReason.ACCOUNT)
    s.account, s.by_phone = None, False
    s.goto("account")
    return [Say("address_wrong"), ask(s, ctx)]
