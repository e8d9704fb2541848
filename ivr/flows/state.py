"""A call's state: plain data, stored as JSON on the Call row between webhooks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields

from ivr.flows.terms import Flag


@dataclass(frozen=True)
class PendingReading:
    """One zone's reading as the caller gave it, waiting for (or past) their yes."""

    zone: int
    value: int
    digits: str  # as given, leading zeros kept, for the read-back
    previous: int | None
    consumption: int | None
    flags: tuple[Flag, ...]
    confidence: float | None
    period: str
    turn: int | None = None  # the seq of the question the caller gave it at

    @classmethod
    def from_dict(cls, data: dict) -> PendingReading:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        return cls(**{**values, "flags": tuple(Flag(f) for f in data.get("flags", ()))})


@dataclass
class CallState:
    node: str = "intent"
    locale: str = "ru"
    caller: str | None = None  # E.164
    keypad: bool = False  # the whole call runs on the keypad
    keypad_now: bool = False  # this question only, offered after two voice failures
    account: str | None = None
    by_phone: bool = False
    meter: int = 0  # index into the account's meters
    zone: int = 0  # index into the meter's zones
    pending: PendingReading | None = None  # a zone reading waiting for the caller's yes
    confirmed: list[PendingReading] = field(default_factory=list)  # this meter's confirmed zones
    named: list[PendingReading] = field(default_factory=list)  # zones named in one answer, to confirm
    refused_lower: dict[str, int] = field(default_factory=dict)  # "meter:zone" -> value
    # Failed attempts at the current question, of every kind: silence, no-match, refusals, «нет» at
    # a read-back, an unclear «да», a request for the operator taken back. A zone's reading and its
    # read-back share one count, and so do a question and the operator's confirmation asked from it.
    fails: int = 0
    id_fails: int = 0  # unknown accounts and wrong addresses, across both questions
    back_to: str | None = None  # the question to go back to when the caller wants no operator after all
    saved: int = 0  # zone readings saved in this call
    next_period: bool = False  # some reading came outside the region's window
    review: bool = False  # some reading went to a supervisor's review
    ended: str | None = None  # an Outcome: completed or transferred

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CallState:
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in data.items() if k in known}
        if values.get("pending") is not None:
            values["pending"] = PendingReading.from_dict(values["pending"])
        values["confirmed"] = [PendingReading.from_dict(p) for p in values.get("confirmed", ())]
        values["named"] = [PendingReading.from_dict(p) for p in values.get("named", ())]
        return cls(**values)

    @property
    def on_keypad(self) -> bool:
        return self.keypad or self.keypad_now

    def goto(self, node: str, fresh: bool = True) -> None:
        """Move to another question: with fresh counters, or (fresh=False) on the same attempts."""
        self.node = node
        if fresh:
            self.fails = 0
            self.keypad_now = False
