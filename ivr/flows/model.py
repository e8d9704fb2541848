"""The flow's vocabulary: caller events, actions, what it knows of accounts, and its ports."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from ivr.flows.flow import Flow, standard_flow
from ivr.flows.kinds import Kind
from ivr.flows.regions import Regions
from ivr.flows.rules import Rules
from ivr.flows.terms import Flag

# --- Caller events ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Start:
    caller: str | None  # E.164, or None when hidden or unusable


@dataclass(frozen=True)
class Keys:
    digits: str


@dataclass(frozen=True)
class Speech:
    text: str
    value: str | None  # what the text means for the question; None is a no-match
    confidence: float = 1.0
    # How far the best answer beat the best different one (0..1); None for typed transcripts.
    margin: float | None = None
    # Every digit string a spoken number may mean, `value` first («тридцать пять»: 35, 305); the
    # question weighs them with what it knows of the meter. Empty when there is nothing to weigh.
    readings: tuple[str, ...] = ()
    decimals: bool = False  # the caller read a fraction off the display, which was dropped
    # Zones the caller named in one answer («день …, ночь …»): (zone, its readings), in the order
    # said; a zone is its number or a rate's name ("day", "night", "peak", "shoulder").
    zones: tuple[tuple[object, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Silence:
    pass


Event = Start | Keys | Speech | Silence

# --- Actions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    prompt: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Ask:
    """Ask a question and wait for the answer; the Says before it are its preamble."""

    question: str
    kind: Kind  # its node's: how the caller may answer
    keypad: bool
    prompt: str
    params: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ZoneReading:
    """A confirmed reading; the store works out its previous value and use when it saves it."""

    zone: int
    value: int
    flags: tuple[Flag, ...]
    confidence: float | None
    period: str
    turn: int | None = None  # the seq of the question the caller gave the reading at
    use: int | None = None  # the use read back with a special confirmation ("1600 kWh, more than usual")


@dataclass(frozen=True)
class SaveMeter:
    meter_id: int
    readings: tuple[ZoneReading, ...]
    rules: Rules = field(default_factory=Rules)  # what a rollover is, as the flow judged it


@dataclass(frozen=True)
class Transfer:
    reason: str


@dataclass(frozen=True)
class Hangup:
    pass


Action = Say | Ask | SaveMeter | Transfer | Hangup

# --- What the flow knows of accounts ---------------------------------------------------------


@dataclass(frozen=True)
class ZoneInfo:
    zone: int
    previous: int | None
    previous_on: date | None
    daily_use: float | None  # expected kWh per day from history; None without history


@dataclass(frozen=True)
class MeterInfo:
    id: int
    serial: str
    digits: int
    zones: tuple[ZoneInfo, ...]


@dataclass(frozen=True)
class AccountInfo:
    number: str
    address: str
    region: str
    meters: tuple[MeterInfo, ...]


class Directory(Protocol):
    """Looks accounts up for the flow; the store implements it."""

    def by_phone(self, e164: str) -> list[str]:
        """Account numbers registered to a phone number."""
        ...

    def account(self, number: str) -> AccountInfo | None:
        """The account with its meters, or None if unknown."""
        ...


@dataclass(frozen=True)
class Context:
    directory: Directory
    regions: Regions
    now: datetime  # naive UTC, from the app's one clock: the request's moment
    default_locale: str = "ru"
    rules: Rules = field(default_factory=Rules)
    seq: int = 0  # the call's question number the caller answers now
    flow: Flow = field(default_factory=standard_flow)

    def day(self, region: str) -> date:
        """Today on the region's clocks: its window, its period, the days of use."""
        return self.regions.day(region, self.now)
