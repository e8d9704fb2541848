"""Drive a call: (state, caller event) -> (new state, actions), the same behind every transport."""

from __future__ import annotations

import copy
from collections.abc import Callable

from ivr.flows import readings
from ivr.flows.common import TRANSFER_SAYS, ask, fail, transfer
from ivr.flows.flow import TERMINALS, TRANSFERRED, Flow, FlowDefinitionError, Node
from ivr.flows.kinds import KINDS
from ivr.flows.model import (
    Action,
    Context,
    Event,
    Hangup,
    Keys,
    Say,
    Silence,
    Speech,
    Start,
)
from ivr.flows.operator import request_operator
from ivr.flows.state import CallState
from ivr.flows.steps import FLOW
from ivr.flows.terms import TransferReason

OPERATOR_KEY = "0"
# Prompts the engine says at any question: the transfer reasons' sentences; the last three are
# the transport's, on transfer or error.
# Said before asking again for a number whose groupings fit the question equally.
BY_DIGIT = "by_digit"
# Said before the read-back of a reading whose fraction the caller read off the display.
DECIMALS = "decimals_dropped"
ENGINE_SAYS = ("welcome", "no_input", "no_input_keys", "keypad_on", "keypad_offer", "not_understood",
               BY_DIGIT, DECIMALS, *TRANSFER_SAYS, "transfer", "no_operator", "sorry_error")  # fmt: skip


def start(
    event: Start, ctx: Context, locale: str | None = None, keypad: bool = False
) -> tuple[CallState, list[Action]]:
    """Answer a new call with the greeting and the first question."""
    s = CallState(ctx.flow.first, locale or ctx.default_locale, event.caller, keypad)
    return s, [Say("welcome"), ask(s, ctx)]


def advance(state: CallState, event: Event, ctx: Context) -> tuple[CallState, list[Action]]:
    """Take the caller's answer to the current question; the given state is left untouched."""
    s = copy.deepcopy(state)
    if s.ended:
        return s, [Hangup()]
    if isinstance(event, Silence):
        heard = Say("no_input_keys" if s.on_keypad else "no_input")
        return s, fail(s, ctx, heard, reason=TransferReason.SILENCE)
    if isinstance(event, Keys):
        return s, _keys(s, event.digits.strip("#*"), ctx)
    if isinstance(event, Speech):
        return s, _speech(s, event, ctx)
    raise TypeError(f"not a caller event: {event!r}")


def reconfirm(state: CallState, zone: int, ctx: Context) -> tuple[CallState, list[Action]]:
    """The caller's «да» could not be stored as heard: `zone`'s verdict changed meanwhile (see
    readings.reconfirm). The given state is the one before that «да», left untouched."""
    s = copy.deepcopy(state)
    return s, readings.reconfirm(s, zone, ctx)


def _keys(s: CallState, digits: str, ctx: Context) -> list[Action]:
    kind = ctx.flow[s.node].kind
    if digits == OPERATOR_KEY:
        return transfer(s, TransferReason.OPERATOR)
    value = kind.meaning(digits)
    if not s.on_keypad:
        # A key pressed at a voice question moves the whole call to the keypad.
        s.keypad = True
        if not (kind.at_once and value is not None):
            return [Say("keypad_on"), ask(s, ctx)]
    if value is None:
        return fail(s, ctx, Say("not_understood"))
    return _answer(s, value, None, ctx)


def _speech(s: CallState, event: Speech, ctx: Context) -> list[Action]:
    if event.value == "operator":
        return request_operator(s, ctx)
    if event.value is None:
        return fail(s, ctx, Say("not_understood"))
    node = ctx.flow[s.node]
    if event.value == "yes" and node.confirms and not _clean(event, ctx):
        return fail(s, ctx, Say("not_understood"))  # a «да» that may have been a «нет» stores nothing
    if event.zones:  # «день …, ночь …»: at a question that takes zones named in one answer
        if not node.zones:
            return fail(s, ctx, Say("not_understood"))
        actions = _checked(s, node, lambda: node.zones(s, event.zones, event.confidence, ctx))
    else:
        value = event.value
        if node.weigh and len(event.readings) > 1:
            value = node.weigh(s, event.readings, ctx)
            if value is None:  # «тридцать пять» for 35 or 305, and both fit: digit by digit, on an attempt
                return fail(s, ctx, Say(BY_DIGIT))
        actions = _answer(s, value, event.confidence, ctx)
    if event.decimals and (s.pending is not None or s.named):  # the read-back says the fraction was dropped
        return [Say(DECIMALS), *actions]
    return actions


def _clean(event: Speech, ctx: Context) -> bool:
    """A voice «да» that clearly beat every other answer; typed transcripts carry no margin."""
    return event.margin is None or event.margin >= ctx.rules.confirm_margin


def _answer(s: CallState, value: str, confidence: float | None, ctx: Context) -> list[Action]:
    """Run the question's answer step, held to what its node declares."""
    node = ctx.flow[s.node]
    return _checked(s, node, lambda: node.answer(s, value, confidence, ctx))


def _checked(s: CallState, node: Node, step: Callable[[], list[Action]]) -> list[Action]:
    """Run an answer step of the question the call is at, held to what its node declares."""
    name = s.node
    actions = step()
    if s.node not in (name, TRANSFERRED, *node.goes_to):
        raise FlowDefinitionError(f"question {name}: goes to undeclared {s.node}")
    for said in (a.prompt for a in actions if isinstance(a, Say)):
        if said not in node.says and said not in ENGINE_SAYS:
            raise FlowDefinitionError(f"question {name}: says undeclared prompt {said}")
    return actions


def prompts_used(flow: Flow = FLOW) -> set[str]:
    """Every prompt id the flow can say, as its nodes and the engine declare them."""
    return {*ENGINE_SAYS, *(p for node in flow.values() for p in node.says)}


def validate(packs: dict, flow: Flow = FLOW) -> None:
    """Fail at start-up on a question that leads nowhere, or a prompt some locale pack lacks."""
    for name, node in flow.items():
        if KINDS.get(node.kind.name) != node.kind:  # the speech layer finds a kind by its name
            raise FlowDefinitionError(f"question {name}: kind {node.kind.name} is no row of KINDS")
        for target in node.goes_to:
            if target not in flow and target not in TERMINALS:
                raise FlowDefinitionError(f"question {name}: goes to {target}, no such question")
    unreached = set(flow) - _reachable(flow)
    if unreached:
        raise FlowDefinitionError(f"questions no call reaches: {', '.join(sorted(unreached))}")
    declared = [("the engine", ENGINE_SAYS), *((f"question {n}", flow[n].says) for n in flow)]
    for code, pack in packs.items():
        for who, says in declared:
            missing = ", ".join(sorted(set(says) - set(pack.prompts)))
            if missing:
                raise FlowDefinitionError(f"locale {code} lacks {who}'s prompts {missing}")


def _reachable(flow: Flow) -> set[str]:
    if flow.first not in flow:
        raise FlowDefinitionError(f"first question {flow.first}: no such question")
    seen, todo = set(), [flow.first]
    while todo:
        name = todo.pop()
        if name in flow and name not in seen:
            seen.add(name)
            todo += flow[name].goes_to
    return seen
