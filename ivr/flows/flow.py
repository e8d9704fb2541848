"""The flow as data: its questions, what each may lead to and say, and where a call can end."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from ivr.flows.kinds import Kind
from ivr.flows.terms import TransferReason


class FlowError(Exception):
    """Base of flow errors."""


class FlowDefinitionError(FlowError):
    """The flow is inconsistent: found at start-up, or when a step breaks its node's declaration."""


# Where a call can end up besides the questions.
DONE, TRANSFERRED = "done", "transferred"
TERMINALS = (DONE, TRANSFERRED)


@dataclass(frozen=True)
class Node:
    """One question, with the questions it may lead to and the prompts it may say."""

    kind: Kind  # a row of kinds.KINDS
    ask: Callable  # (state, ctx) -> Ask
    answer: Callable  # (state, value, confidence, ctx) -> list[Action]
    # Questions or terminals the answer may move to. Handing over to the operator after failures
    # is open to every question and needs no declaration. A question that lists "operator" asks
    # «Соединить с оператором?» when the caller asks for one by voice; others hand over at once.
    goes_to: tuple[str, ...]
    says: tuple[str, ...]  # every prompt id its ask and its answer may say
    # Why the call is handed over when the question's attempts run out (the step may say otherwise).
    reason: str = TransferReason.NOT_UNDERSTOOD
    # Its «да» stores what the caller gave: a voice yes must be clean (see Rules.confirm_margin).
    confirms: bool = False
    # (state, readings, ctx) -> the one that fits, or None when several do: a digits question that
    # can weigh what a spoken number may mean. Without it, the joined reading is taken.
    weigh: Callable | None = None
    # (state, zones, confidence, ctx) -> actions: a digits question that takes zones named in one
    # answer («день …, ночь …»). Without it, such an answer is not understood.
    zones: Callable | None = None


class Flow(Mapping[str, Node]):
    """The questions by name, in the order a call meets them, and the one a call starts with."""

    def __init__(self, first: str, **nodes: Node) -> None:
        self.first = first
        self.nodes = nodes

    def __getitem__(self, name: str) -> Node:
        return self.nodes[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)


def standard_flow() -> Flow:
    """The hotline's own flow: the default of every Context."""
    from ivr.flows.steps import (
        FLOW,  # imported late: the questions' modules import this one
    )

    return FLOW
