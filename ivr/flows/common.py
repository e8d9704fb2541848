"""What every question shares: asking the current one, failing, transferring, the account."""

from __future__ import annotations

from ivr.flows.flow import TRANSFERRED, FlowDefinitionError
from ivr.flows.model import AccountInfo, Action, Ask, Context, MeterInfo, Say, Transfer
from ivr.flows.state import CallState
from ivr.flows.terms import Outcome, TransferReason

# Attempts at one question (a zone's reading and its read-back count as one): the second failed
# one offers the keypad to a voice caller, the third hands the call over.
MAX_FAILS = 3
# The sentence that tells the caller why, said before «Соединяю с оператором» (or the apology).
TRANSFER_SAYS = tuple(f"transfer_{reason}" for reason in TransferReason)


def ask(s: CallState, ctx: Context) -> Ask:
    """Ask the question the call is at, with a prompt its node declares."""
    node = ctx.flow[s.node]
    question = node.ask(s, ctx)
    if question.prompt not in node.says:
        prompt = question.prompt
        raise FlowDefinitionError(f"question {s.node}: asks with undeclared prompt {prompt}")
    if question.kind != node.kind:  # the engine takes keys by the node's kind, transports by the Ask's
        raise FlowDefinitionError(f"question {s.node}: asks as {question.kind.name}, is {node.kind.name}")
    return question


def transfer(s: CallState, reason: str) -> list[Action]:
    """Hand the call over, saying why: the prompt transfer_<reason>."""
    s.goto(TRANSFERRED)
    s.ended = Outcome.TRANSFERRED
    return [Say(f"transfer_{reason}"), Transfer(reason)]


def fail(s: CallState, ctx: Context, *preamble: Say, reason: str | None = None) -> list[Action]:
    """Count a failed attempt: ask again, with the keypad offered on the last one; the third hands over.

    The reason defaults to the question's own (its node's `reason`).
    """
    s.fails += 1
    if s.fails >= MAX_FAILS:
        return transfer(s, reason or ctx.flow[s.node].reason)
    if s.fails == MAX_FAILS - 1 and not s.on_keypad:
        s.keypad_now = True
        return [*preamble, Say("keypad_offer"), ask(s, ctx)]
    return [*preamble, ask(s, ctx)]


def account_of(s: CallState, ctx: Context) -> AccountInfo:
    info = ctx.directory.account(s.account or "")
    if info is None:  # deleted by a re-import while the caller was on the line
        raise LookupError("account vanished")
    return info


def meter_of(s: CallState, ctx: Context) -> MeterInfo:
    return account_of(s, ctx).meters[s.meter]
