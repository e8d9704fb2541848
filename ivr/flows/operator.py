"""«Соединить с оператором?»: a voice request for the operator, confirmed before the call is handed over.

Recognisers hear «оператор» in speech that is no answer at all, so at any question past the greeting
a voice request is confirmed first. Key 0 is never misheard and hands over at once. The request
counts as an attempt at the question it interrupted, and so do failed answers here: the detour
cannot loop.
"""

from __future__ import annotations

from ivr.flows.common import MAX_FAILS, ask, fail, transfer
from ivr.flows.kinds import YESNO
from ivr.flows.model import Action, Ask, Context, Say
from ivr.flows.state import CallState
from ivr.flows.terms import TransferReason

OPERATOR = "operator"  # the question's name; a question that lists it in goes_to confirms requests


def request_operator(s: CallState, ctx: Context) -> list[Action]:
    """The caller asked for the operator by voice: hand over, or ask first where the node says so."""
    if OPERATOR not in ctx.flow[s.node].goes_to:
        return transfer(s, TransferReason.OPERATOR)
    s.fails += 1
    if s.fails >= MAX_FAILS:  # no attempts left at the question: the request stands
        return transfer(s, TransferReason.OPERATOR)
    s.back_to = s.node
    s.goto(OPERATOR, fresh=False)
    return [ask(s, ctx)]


def ask_operator(s: CallState, _ctx: Context) -> Ask:
    prompt = "operator_confirm_keys" if s.on_keypad else "operator_confirm"
    return Ask(OPERATOR, YESNO, s.on_keypad, prompt)


def answer_operator(s: CallState, value: str, _conf: float | None, ctx: Context) -> list[Action]:
    if value == "yes":
        return transfer(s, TransferReason.OPERATOR)
    if value != "no":
        return fail(s, ctx, Say("not_understood"))
    back, s.back_to = s.back_to, None
    s.goto(back, fresh=False)
    return [Say("operator_no"), ask(s, ctx)]
