"""One small function per question: how it is asked and what an answer leads to."""
from __future__ import annotations

from ivr.flows import rules
from ivr.flows.model import (
    Node,
    AccountInfo,
    Action,
    Ask,
    Context,
    Hangup,
    MeterInfo,
    Say,
    SaveMeter,
    Transfer,
    ZoneReading,
)
from ivr.flows.state import CallState

MAX_FAILS = 3


def ask(s: CallState, ctx: Context) -> Ask:
    """Ask the question the call is at."""
    return FLOW[s.node].ask(s, ctx)


def transfer(s: CallState, reason: str) -> list[Action]:
    s.goto("transferred")
    s.ended = "transferred"
    return [Transfer(reason)]


def fail(s: CallState, ctx: Context, *preamble: Say) -> list[Action]:
    """Count a failed answer: re-ask, or hand over to a person on the third."""
    s.fails += 1
    if s.fails >= MAX_FAILS:
        return transfer(s, "failures")
    return [*preamble, ask(s, ctx)]


def account_of(s: CallState, ctx: Context) -> AccountInfo:
    info = ctx.directory.account(s.account or "")
    if info is None:  # deleted by a re-import while the caller was on the line
        raise LookupError("account vanished")
    return info


def meter_of(s: CallState, ctx: Context) -> MeterInfo:
    return account_of(s, ctx).meters[s.meter]


# --- 1. Greeting and intent ------------------------------------------------------------------


def ask_intent(s: CallState, ctx: Context) -> Ask:
    return Ask("intent", "intent", s.on_keypad, "intent_keys" if s.on_keypad else "intent")


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


def ask_account(s: CallState, _ctx: Context) -> Ask:
    return Ask("account", "digits", s.on_keypad, "account_keys" if s.on_keypad else "account")


def answer_account(s: CallState, value: str, _conf: float | None, ctx: Context) -> list[Action]:
    if ctx.directory.account(value) is None:
        s.id_fails += 1
        unknown = Say("account_unknown", {"digits": value})
        if s.id_fails >= MAX_FAILS:
            return [unknown, *transfer(s, "failures")]
        return [unknown, ask(s, ctx)]
    s.account, s.by_phone = value, False
    s.goto("address")
    return [ask(s, ctx)]


# --- 4. Address confirmation -----------------------------------------------------------------


def ask_address(s: CallState, ctx: Context) -> Ask:
    address = account_of(s, ctx).address
    return Ask("address", "yesno", s.on_keypad, "address", {"address": address})


def answer_address(s: CallState, value: str, _conf: float | None, ctx: Context) -> list[Action]:
    if value == "yes":
        if not account_of(s, ctx).meters:
            return [Say("no_meters"), *transfer(s, "no-meters")]
        s.meter = s.zone = 0
        s.goto("reading")
        return [*meter_intro(s, ctx), ask(s, ctx)]
    if value != "no":
        return fail(s, ctx, Say("not_understood"))
    s.id_fails += 1
    if s.id_fails >= MAX_FAILS:
        return transfer(s, "failures")
    s.account, s.by_phone = None, False
    s.goto("account")
    return [Say("address_wrong"), ask(s, ctx)]


# --- 5. Readings and their confirmation ------------------------------------------------------


def meter_intro(s: CallState, ctx: Context) -> list[Action]:
    """Name the meter when the account has several, so the caller knows which to read."""
    meters = account_of(s, ctx).meters
    if len(meters) < 2:
        return []
    return [Say("meter_intro", {"number": s.meter + 1, "serial": meters[s.meter].serial})]


def zone_prompt(meter: MeterInfo, zone_index: int) -> tuple[str, dict]:
    if len(meter.zones) == 1:
        return "reading", {}
    return f"reading_{len(meter.zones)}_{zone_index + 1}", {}


def ask_reading(s: CallState, ctx: Context) -> Ask:
    prompt, params = zone_prompt(meter_of(s, ctx), s.zone)
    return Ask("reading", "digits", s.on_keypad, prompt + ("_keys" if s.on_keypad else ""), params)


def answer_reading(s: CallState, value: str, conf: float | None, ctx: Context) -> list[Action]:
    meter = meter_of(s, ctx)
    zone = meter.zones[s.zone]
    key = f"{meter.id}:{zone.zone}"
    verdict = rules.check_reading(
        value, meter.digits, zone, ctx.today, s.refused_lower.get(key), ctx.rules
    )
    if verdict.outcome == "invalid":
        return fail(s, ctx, Say("reading_invalid", {"max": meter.digits}))
    if verdict.outcome == "lower":
        s.refused_lower[key] = verdict.value
        return fail(s, ctx, Say("reading_lower", {"previous": str(zone.previous)}))
    flags = list(verdict.flags)
    region = account_of(s, ctx).region
    if not ctx.regions.in_window(region, ctx.today):
        flags.append(rules.OUT_OF_WINDOW)
    if conf is not None and conf < ctx.rules.low_confidence:
        flags.append(rules.LOW_CONFIDENCE)
    s.pending = {
        "zone": zone.zone,
        "value": verdict.value,
        "digits": value,
        "previous": zone.previous,
        "consumption": verdict.consumption,
        "flags": flags,
        "confidence": conf,
        "period": ctx.regions.period(region, ctx.today),
    }
    s.goto("confirm")
    return [ask(s, ctx)]


def ask_confirm(s: CallState, _ctx: Context) -> Ask:
    p = s.pending or {}
    special = next((f for f in rules.SUSPICIOUS if f in p.get("flags", [])), None)
    prompt = f"confirm_{special.lower()}" if special else "confirm"
    params = {"digits": p.get("digits", ""), "consumption": p.get("consumption")}
    return Ask("confirm", "yesno", s.on_keypad, prompt, params)


def answer_confirm(s: CallState, value: str, _conf: float | None, ctx: Context) -> list[Action]:
    if value not in ("yes", "no"):
        return fail(s, ctx, Say("not_understood"))
    pending, s.pending = s.pending or {}, None
    if value == "no":
        s.goto("reading")
        return [Say("reading_again"), ask(s, ctx)]
    s.confirmed.append(pending)
    meter = meter_of(s, ctx)
    if s.zone + 1 < len(meter.zones):
        s.zone += 1
        s.goto("reading")
        return [ask(s, ctx)]
    actions: list[Action] = [save_meter(s, meter)]
    if s.meter + 1 < len(account_of(s, ctx).meters):
        s.meter, s.zone = s.meter + 1, 0
        s.goto("reading")
        return [*actions, Say("meter_saved"), *meter_intro(s, ctx), ask(s, ctx)]
    return [*actions, *closing(s)]


def save_meter(s: CallState, meter: MeterInfo) -> SaveMeter:
    readings = tuple(
        ZoneReading(
            zone=p["zone"],
            value=p["value"],
            previous=p["previous"],
            consumption=p["consumption"],
            flags=tuple(p["flags"]),
            confidence=p["confidence"],
            period=p["period"],
        )
        for p in s.confirmed
    )
    s.saved += len(readings)
    s.next_period |= any(rules.OUT_OF_WINDOW in r.flags for r in readings)
    s.review |= any(rules.NEGATIVE in r.flags for r in readings)
    s.confirmed = []
    return SaveMeter(meter.id, readings)


# --- 7. Closing ------------------------------------------------------------------------------


def closing(s: CallState) -> list[Action]:
    s.goto("done")
    s.ended = "completed"
    notes = [Say("next_period")] if s.next_period else []
    notes += [Say("review")] if s.review else []
    return [*notes, Say("goodbye", {"count": s.saved}), Hangup()]


# The flow as data: each question's kind, how it is asked and what its answer does.
FLOW: dict[str, Node] = {
    "intent": Node("intent", ask_intent, answer_intent),
    "account": Node("digits", ask_account, answer_account),
    "address": Node("yesno", ask_address, answer_address),
    "reading": Node("digits", ask_reading, answer_reading),
    "confirm": Node("yesno", ask_confirm, answer_confirm),
}
