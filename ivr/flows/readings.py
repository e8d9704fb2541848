"""Question 5 and the closing: each zone's reading, its confirmation, and saving each meter."""

from __future__ import annotations

from ivr.flows import rules
from ivr.flows.common import account_of, ask, fail, meter_of
from ivr.flows.flow import DONE
from ivr.flows.kinds import DIGITS, YESNO
from ivr.flows.model import (
    Action,
    Ask,
    Context,
    Hangup,
    MeterInfo,
    SaveMeter,
    Say,
    ZoneReading,
)
from ivr.flows.state import CallState, PendingReading
from ivr.flows.terms import Flag, Outcome, ReadingStatus, TransferReason

# Meters have one to three zones; each zone of a multi-zone meter has its own question.
MAX_ZONES = 3


# --- 5. Readings and their confirmation ------------------------------------------------------


def meter_intro(s: CallState, ctx: Context) -> list[Action]:
    """Name the meter when the account has several, so the caller knows which to read."""
    meters = account_of(s, ctx).meters
    if len(meters) < 2:
        return []
    return [Say("meter_intro", {"number": s.meter + 1, "serial": meters[s.meter].serial})]


def zone_prompt(meter: MeterInfo, zone_index: int) -> str:
    if len(meter.zones) == 1:
        return "reading"
    return f"reading_{len(meter.zones)}_{zone_index + 1}"


def zone_prompts() -> tuple[str, ...]:
    """Every prompt the reading question asks with: per zone of each meter size, voice and keys."""
    voice = ["reading"]
    voice += [f"reading_{n}_{z}" for n in range(2, MAX_ZONES + 1) for z in range(1, n + 1)]
    return (*voice, *(f"{p}_keys" for p in voice))


def ask_reading(s: CallState, ctx: Context) -> Ask:
    prompt = zone_prompt(meter_of(s, ctx), s.zone) + ("_keys" if s.on_keypad else "")
    return Ask("reading", DIGITS, s.on_keypad, prompt)


def weigh_reading(s: CallState, readings: tuple[str, ...], ctx: Context) -> str | None:
    """The spoken reading that fits the meter's display and the zone's previous reading best;
    None when several fit equally."""
    meter = meter_of(s, ctx)
    return rules.pick_reading(readings, meter.digits, meter.zones[s.zone].previous)[1]


def answer_reading(s: CallState, value: str, conf: float | None, ctx: Context) -> list[Action]:
    judged = judge_zone(s, s.zone, value, conf, ctx)
    if isinstance(judged, list):
        return judged
    s.pending = judged
    s.goto("confirm", fresh=False)  # the read-back spends the zone's attempts, not its own
    return [ask(s, ctx)]


def judge_zone(
    s: CallState, index: int, value: str, conf: float | None, ctx: Context
) -> PendingReading | list[Action]:
    """One zone's reading to read back, or the failed attempt that refuses it."""
    meter = meter_of(s, ctx)
    zone = meter.zones[index]
    key = f"{meter.id}:{zone.zone}"
    unsure = [Flag.LOW_CONFIDENCE] if conf is not None and conf < ctx.rules.low_confidence else []
    region = account_of(s, ctx).region
    verdict = rules.judge(value, meter.digits, zone, ctx.day(region), ctx.regions.window(region), unsure,
                          s.refused_lower.get(key), ctx.rules)  # fmt: skip
    if verdict.outcome == "invalid":
        return fail(s, ctx, Say("reading_invalid", {"max": meter.digits}))
    if verdict.outcome == "lower":
        s.refused_lower[key] = verdict.value
        lower = Say("reading_lower", {"previous": str(zone.previous)})
        return fail(s, ctx, lower, reason=TransferReason.LOWER)
    return PendingReading(
        zone=zone.zone,
        value=verdict.value,
        digits=value,
        previous=zone.previous,
        consumption=verdict.consumption,
        flags=verdict.flags,
        confidence=conf,
        period=verdict.period,
        turn=ctx.seq,
    )


def confirm_prompts() -> tuple[str, ...]:
    """The read-back's prompts: plain and special (suspicious readings), voice and keys."""
    voice = ("confirm", *(f"confirm_{flag.lower()}" for flag in rules.SUSPICIOUS))
    return (*voice, *(f"{p}_keys" for p in voice))


def ask_confirm(s: CallState, _ctx: Context) -> Ask:
    p = s.pending
    special = rules.confirmation(p.flags)
    prompt = (f"confirm_{special.lower()}" if special else "confirm") + ("_keys" if s.on_keypad else "")
    params = {"digits": p.digits, "consumption": p.consumption}
    return Ask("confirm", YESNO, s.on_keypad, prompt, params)


def answer_confirm(s: CallState, value: str, _conf: float | None, ctx: Context) -> list[Action]:
    if value not in ("yes", "no"):
        return fail(s, ctx, Say("not_understood"))
    pending, s.pending = s.pending, None
    if value == "no":
        # The same zone again, on its attempts: the second «нет» offers the keypad, the third
        # hands over.
        s.goto("reading", fresh=False)
        return fail(s, ctx, Say("reading_again"))
    s.confirmed.append(pending)
    return go_on(s, ctx)


def go_on(s: CallState, ctx: Context) -> list[Action]:
    """After a confirmed reading: the meter's next zone not yet given, the next meter, or the end."""
    meter = meter_of(s, ctx)
    done = {p.zone for p in s.confirmed}
    left = [i for i, z in enumerate(meter.zones) if z.zone not in done]
    if left:  # the next zone; after a zone asked again (reconfirm), the ones not yet confirmed
        s.zone = left[0]
        s.goto("reading")
        return [ask(s, ctx)]
    actions: list[Action] = [save_meter(s, meter, ctx)]
    if s.meter + 1 < len(account_of(s, ctx).meters):
        s.meter, s.zone = s.meter + 1, 0
        s.goto("reading")
        return [*actions, Say("meter_saved"), *meter_intro(s, ctx), ask(s, ctx)]
    return [*actions, *closing(s)]


def one_yes_covers(named: list[PendingReading]) -> list[PendingReading]:
    """The zones named in one answer that one «да» confirms: a suspicious one alone (its special
    confirmation comes first), else all of them."""
    return named[:1] if named and rules.confirmation(named[0].flags) else list(named)


def reconfirm(s: CallState, zone: int, ctx: Context) -> list[Action]:
    """The store found, under the meter's lock, that `zone` of the current meter no longer has the
    verdict the caller heard (another call or an import moved the meter, or the day changed since the
    read-back): nothing was saved, and the zone is judged again and read back with its new verdict.
    The caller's «да» still counts for the other readings it confirmed; zones named in one answer
    and not yet confirmed are asked for again."""
    said_yes = [*s.confirmed, *([s.pending] if s.pending else []), *one_yes_covers(s.named)]
    given = next(p for p in said_yes if p.zone == zone)
    s.pending, s.named = None, []
    s.confirmed = [p for p in said_yes if p.zone != zone]
    s.zone = [z.zone for z in meter_of(s, ctx).zones].index(zone)
    s.goto("reading", fresh=False)
    return [Say("reading_changed"), *answer_reading(s, given.digits, given.confidence, ctx)]


def save_meter(s: CallState, meter: MeterInfo, ctx: Context) -> SaveMeter:
    readings = tuple(
        ZoneReading(p.zone, p.value, p.flags, p.confidence, p.period, p.turn, p.consumption)
        for p in s.confirmed
    )
    s.saved += len(readings)
    s.next_period |= any(Flag.OUT_OF_WINDOW in r.flags for r in readings)
    s.review |= any(rules.status_for(r.flags, ctx.rules) == ReadingStatus.PENDING_REVIEW for r in readings)
    s.confirmed = []
    return SaveMeter(meter.id, readings, ctx.rules)


# --- 7. Closing ------------------------------------------------------------------------------


def closing(s: CallState) -> list[Action]:
    s.goto(DONE)
    s.ended = Outcome.COMPLETED
    notes = [Say("next_period")] if s.next_period else []
    notes += [Say("review")] if s.review else []
    return [*notes, Say("goodbye", {"count": s.saved}), Hangup()]
