"""Zones named in one answer («день двенадцать триста, ночь четыре тысячи»): each named zone of the
meter is filled, and one read-back covers them.

A suspicious reading (rules.confirmation) gets its special read-back first, on its own. «Нет»
re-asks the zones one by one. After the «да», the call goes on with the meter's zones still
missing. A zone named twice, or one the meter lacks, is asked again with the reason.
"""

from __future__ import annotations

from ivr.flows import rules
from ivr.flows.common import ask, fail, meter_of
from ivr.flows.kinds import YESNO
from ivr.flows.model import Action, Ask, Context, MeterInfo, Say
from ivr.flows.readings import go_on, judge_zone, one_yes_covers
from ivr.flows.state import CallState, PendingReading

CONFIRM_ZONES = "confirm_zones"
# The rates' names by the meter's number of zones, as the zones' prompts name them: Т1 день and
# Т2 ночь; Т1 пик, Т2 ночь and Т3 полупик.
RATES = {2: {"day": 1, "night": 2}, 3: {"peak": 1, "night": 2, "shoulder": 3}}
# Said before asking again: why the zones named cannot be taken.
SAYS = ("zone_twice", "zone_unknown")


def _index(meter: MeterInfo, named: object) -> int | None:
    """The meter's zone a caller named (its number, or its rate's name); None when it has none."""
    number = named if isinstance(named, int) else RATES.get(len(meter.zones), {}).get(str(named))
    return next((i for i, zone in enumerate(meter.zones) if zone.zone == number), None)


def answer_zones(
    s: CallState, zones: tuple[tuple[object, tuple[str, ...]], ...], conf: float | None, ctx: Context
) -> list[Action]:
    """Take the readings of the zones named in one answer, for one read-back."""
    meter = meter_of(s, ctx)
    given = {p.zone for p in s.confirmed}
    indexes = [_index(meter, named) for named, _ in zones]
    if any(i is None or meter.zones[i].zone in given for i in indexes):
        return fail(s, ctx, Say("zone_unknown"))
    if len(set(indexes)) < len(indexes):
        return fail(s, ctx, Say("zone_twice"))
    named: list[PendingReading] = []
    for index, (_, readings) in zip(indexes, zones):
        zone = meter.zones[index]
        value = rules.pick_reading(readings, meter.digits, zone.previous)[1]
        if value is None:  # two groupings fit equally: digit by digit, zone by zone
            return fail(s, ctx, Say("by_digit"))
        judged = judge_zone(s, index, value, conf, ctx)
        if isinstance(judged, list):
            return judged
        named.append(judged)
    # The suspicious ones first, each on its own; then one read-back for the rest, in zone order.
    s.named = sorted(named, key=lambda p: (rules.confirmation(p.flags) is None, p.zone))
    s.goto(CONFIRM_ZONES, fresh=False)
    return [ask(s, ctx)]


def confirm_prompts() -> tuple[str, ...]:
    voice = (
        "confirm",
        "confirm_zones_2",
        "confirm_zones_3",
        *(f"confirm_{f.lower()}" for f in rules.SUSPICIOUS),
    )
    return (*voice, *(f"{p}_keys" for p in voice))


def ask_confirm_zones(s: CallState, _ctx: Context) -> Ask:
    keys = "_keys" if s.on_keypad else ""
    first, special = s.named[0], rules.confirmation(s.named[0].flags)
    if special or len(s.named) == 1:
        prompt = f"confirm_{special.lower()}" if special else "confirm"
        params = {"digits": first.digits, "consumption": first.consumption}
        return Ask(CONFIRM_ZONES, YESNO, s.on_keypad, prompt + keys, params)
    params = {}
    for n, p in enumerate(s.named, 1):
        params[f"zone{n}"], params["digits" if n == 1 else f"digits{n}"] = p.zone, p.digits
    return Ask(CONFIRM_ZONES, YESNO, s.on_keypad, f"confirm_zones_{len(s.named)}{keys}", params)


def answer_confirm_zones(s: CallState, value: str, _conf: float | None, ctx: Context) -> list[Action]:
    if value not in ("yes", "no"):
        return fail(s, ctx, Say("not_understood"))
    if value == "no":  # each named zone asked again, one by one, on the zone's attempts
        s.named = []
        s.goto("reading", fresh=False)
        return fail(s, ctx, Say("reading_again"))
    covered = one_yes_covers(s.named)
    s.confirmed += covered
    s.named = s.named[len(covered) :]
    if s.named:
        return [ask(s, ctx)]
    return go_on(s, ctx)
