"""Readings by text: the template's numbers against the account, judged by the voice line's rules.

A message is taken whole or not at all: every zone of every meter of the account, in its order. A
lower value is refused, naming the previous one; the same lower value sent again goes to review.
A rollover or high use waits for «ДА» (the service keeps it on the message until then).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ivr.flows import rules
from ivr.flows.model import AccountInfo, Context, MeterInfo, SaveMeter, Say, ZoneReading
from ivr.flows.template import Number, Text
from ivr.flows.terms import Flag, MessageStatus, ReadingStatus

# Every reply a text channel may send, so every locale pack can be checked for all of them.
REPLIES = (
    "template", "stored", "decimals_dropped", "next_period", "review", "unverified_sender",
    "account_unknown", "account_missing", "needs", "reading_invalid", "reading_lower",
    "confirm_rollover", "confirm_high", "confirm_ask", "confirm_nothing", "confirm_expired",
    "expired_notice", "stop", "start", "rate_limited", "too_long", "media", "sorry_error",
    "contact_saved", "contact_refused",
)  # fmt: skip


@dataclass
class TextResult:
    """What a message comes to: its status, the reply, and the readings to store now or on «ДА»."""

    status: MessageStatus
    says: list[Say]
    account: str | None = None
    saves: tuple[SaveMeter, ...] = ()
    held: tuple[SaveMeter, ...] = ()  # stored only when the sender confirms
    lower: dict[str, int] = field(default_factory=dict)  # refused lower values, "meter:zone" -> value


def take(text: Text, sender: str | None, ctx: Context, lower: dict[str, int], minutes: int) -> TextResult:
    """Judge a template message; `lower` holds the values this sender's last message had refused,
    `minutes` how long a rollover or high use waits for «ДА»."""
    found = _account(text.numbers, sender, ctx)
    for grouped in text.grouped if not _fits(found) else ():  # more numbers than zones: 12 500 is 12500
        if _fits(regrouped := _account(grouped, sender, ctx)):
            found = regrouped
            break
    if isinstance(found, TextResult):
        return found
    account, numbers = found
    slots = [(m, z) for m in account.meters for z in m.zones]
    ordered = _in_zone_order(numbers, account.meters)
    if ordered is None or len(ordered) != len(slots):
        return TextResult(MessageStatus.REFUSED, [needs(account)], account.number)
    unverified = sender is None or account.number not in ctx.directory.by_phone(sender)
    told = [Flag.UNVERIFIED_SENDER] if unverified else []
    day, window = ctx.day(account.region), ctx.regions.window(account.region)
    pending, refused, says = [], {}, []
    for (meter, zone), number in zip(slots, ordered, strict=True):
        key = f"{meter.id}:{zone.zone}"
        verdict = rules.judge(number.digits, meter.digits, zone, day, window, told, lower.get(key), ctx.rules)
        if verdict.outcome == "invalid":
            return TextResult(
                MessageStatus.REFUSED, [Say("reading_invalid", {"max": meter.digits})], account.number
            )
        if verdict.outcome == "lower":
            refused[key] = verdict.value
            says.append(Say("reading_lower", {"label": _label(account, meter, zone.zone), "digits": number.digits,
                                              "previous": str(zone.previous)}))  # fmt: skip
        pending.append((meter, zone.zone, verdict))
    if refused:
        return TextResult(MessageStatus.REFUSED, says, account.number, lower=refused)
    saves = tuple(
        SaveMeter(meter.id, tuple(
            ZoneReading(zone, v.value, v.flags, None, v.period, use=v.consumption)
            for m, zone, v in pending if m.id == meter.id
        ), ctx.rules)
        for meter in account.meters
    )  # fmt: skip
    notes = [Say("decimals_dropped")] if text.decimals else []
    # Every special confirmation is a «ДА» by text, but NEGATIVE's: sending the same lower value again
    # was the sender insisting.
    special = [(m, z, v) for m, z, v in pending if v.confirmation not in (None, Flag.NEGATIVE)]
    if special:
        asks = [_confirm_say(account, m, z, v) for m, z, v in special]
        says = [*notes, *asks, Say("confirm_ask", {"minutes": minutes})]
        return TextResult(MessageStatus.AWAITING_CONFIRMATION, says, account.number, held=saves)
    return TextResult(MessageStatus.STORED, [*notes, *stored(saves, ctx.rules)], account.number, saves)


def stored(saves: tuple[SaveMeter, ...], rule: rules.Rules) -> list[Say]:
    """The reply to readings stored: how many, and what the customer should know about them."""
    flags = {f for save in saves for r in save.readings for f in r.flags}
    says = [Say("stored", {"count": sum(len(s.readings) for s in saves)})]
    says += [Say("next_period")] if Flag.OUT_OF_WINDOW in flags else []
    review = any(
        rules.status_for(r.flags, rule) == ReadingStatus.PENDING_REVIEW for s in saves for r in s.readings
    )
    says += [Say("review")] if review else []
    says += [Say("unverified_sender")] if Flag.UNVERIFIED_SENDER in flags else []
    return says


def needs(account: AccountInfo) -> Say:
    """«для счёта 100001 нужно 2 показания: Т1 (день) и Т2 (ночь)»: what this account takes."""
    labels = [_label(account, m, z.zone) for m in account.meters for z in m.zones]
    return Say("needs", {"account": account.number, "count": len(labels), "zones": labels})


def _account(
    numbers: tuple[Number, ...], sender: str | None, ctx: Context
) -> tuple[AccountInfo, list] | TextResult:
    """The account and the readings: the first unlabelled number if it is an account, else the
    sender's only account. Never a guess between several."""
    first = next((n for n in numbers if n.zone is None), None)
    if first is not None and (account := ctx.directory.account(first.digits)) is not None:
        return _usable(account, [n for n in numbers if n is not first])
    mine = ctx.directory.by_phone(sender) if sender else []
    labelled = sum(n.zone is not None for n in numbers)
    if len(mine) == 1 and (labelled == 0 or labelled == len(numbers)):
        account = ctx.directory.account(mine[0])
        zones = sum(len(m.zones) for m in account.meters) if account else 0
        if first is not None and labelled == 0 and len(numbers) == zones + 1:
            # One number too many for the sender's own account: the first was an account of no one.
            return TextResult(MessageStatus.REFUSED, [Say("account_unknown", {"account": first.digits})])
        return _usable(account, list(numbers))
    if first is not None and len(numbers) > 1:
        return TextResult(MessageStatus.REFUSED, [Say("account_unknown", {"account": first.digits})])
    return TextResult(MessageStatus.REFUSED, [Say("account_missing"), Say("template")])


def _fits(found: tuple[AccountInfo, list] | TextResult) -> bool:
    """An account, and as many readings as it has zones, in an order its labels allow."""
    if isinstance(found, TextResult):
        return False
    account, numbers = found
    ordered = _in_zone_order(numbers, account.meters)
    return ordered is not None and len(ordered) == sum(len(m.zones) for m in account.meters)


def _usable(account: AccountInfo | None, numbers: list) -> tuple[AccountInfo, list] | TextResult:
    if account is None or not account.meters:
        return TextResult(MessageStatus.REFUSED, [Say("account_unknown", {"account": "—"})])
    return account, numbers


def _in_zone_order(numbers: list[Number], meters: tuple[MeterInfo, ...]) -> list[Number] | None:
    """Readings in the account's zone order: labels, when given, put one meter's zones in order; with
    several meters they must follow the order itself. None when the labels do not fit."""
    if all(n.zone is None for n in numbers):
        return numbers
    if any(n.zone is None for n in numbers):
        return None
    if len(meters) == 1:
        by_zone = sorted(numbers, key=lambda n: n.zone)
        return by_zone if [n.zone for n in by_zone] == [z.zone for z in meters[0].zones] else None
    return numbers if [n.zone for n in numbers] == [z.zone for m in meters for z in m.zones] else None


def _label(account: AccountInfo, meter: MeterInfo, zone: int) -> tuple[int, int, str]:
    """(zones of the meter, zone, its serial when the account has several): «Т1 (день)», «M-2 Т1 (день)»."""
    return len(meter.zones), zone, meter.serial if len(account.meters) > 1 else ""


def _confirm_say(account: AccountInfo, meter: MeterInfo, zone: int, verdict: rules.Judgement) -> Say:
    prompt = f"confirm_{verdict.confirmation.lower()}"
    return Say(prompt, {"label": _label(account, meter, zone), "digits": str(verdict.value),
                        "consumption": verdict.consumption})  # fmt: skip


def held_json(saves: tuple[SaveMeter, ...]) -> dict:
    """Readings waiting for «ДА», as kept on the message."""
    return {"meters": [{"meter_id": save.meter_id, "readings": [
        {"zone": r.zone, "value": r.value, "flags": list(r.flags), "period": r.period, "use": r.use}
        for r in save.readings
    ]} for save in saves]}  # fmt: skip


def from_held(data: dict, rule: rules.Rules) -> tuple[SaveMeter, ...]:
    return tuple(
        SaveMeter(m["meter_id"], tuple(
            ZoneReading(r["zone"], r["value"], tuple(Flag(f) for f in r["flags"]), None, r["period"],
                        use=r.get("use"))
            for r in m["readings"]
        ), rule)
        for m in data["meters"]
    )  # fmt: skip
