"""What every question shares: asking the current one, failing, transferring, the account."""
from __future__ import annotations

from ivr.flows.flow import TRANSFERRED, FlowDefinitionError
from ivr.flows.model import AccountInfo, Action, Ask, Context, MeterInfo, Say, Transfer
from ivr.flows.state import CallState
from ivr.flows.terms import Outcome

MAX_FAILS = 3


def ask(s: CallState, ctx: Context) -> Ask:
    """Ask the question the call is at, with a prompt its node declares."""
    question = ctx.flow[s.node].ask(s, ctx)
    if question.prompt not in ctx.flow[s.node].says:
        prompt = question.prompt
        raise FlowDefinitionError(f"question {s.node}: asks with undeclared prompt {prompt}")
    return question


def transfer(s: CallState, reason: str) -> list[Action]:
    s.goto(TRANSFERRED)
    s.ended = Outcome.TRANSFERRED
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
