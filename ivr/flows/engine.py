"""Drive a call: (state, caller event) -> (new state, actions), the same behind every transport."""
from __future__ import annotations

import copy

from ivr.flows.model import (
    Action,
    Ask,
    Context,
    Event,
    FlowDefinitionError,
    Hangup,
    Keys,
    Say,
    Silence,
    Speech,
    Start,
)
from ivr.flows.state import CallState
from ivr.flows.steps import FLOW, MAX_FAILS, ask, fail, transfer

MAX_SILENCES = 3
VOICE_FAILS_BEFORE_KEYPAD = 2
OPERATOR_KEY = "0"
# Keypad answers per question kind; digit questions take the digits as typed.
KEY_MEANINGS = {"intent": {"1": "readings"}, "yesno": {"1": "yes", "2": "no"}}


def start(
    event: Start, ctx: Context, locale: str | None = None, keypad: bool = False
) -> tuple[CallState, list[Action]]:
    """Answer a new call with the greeting and the first question."""
    s = CallState(locale=locale or ctx.default_locale, caller=event.caller, keypad=keypad)
    return s, [Say("welcome"), ask(s, ctx)]


def advance(state: CallState, event: Event, ctx: Context) -> tuple[CallState, list[Action]]:
    """Take the caller's answer to the current question; the given state is left untouched."""
    s = copy.deepcopy(state)
    if s.ended:
        return s, [Hangup()]
    if isinstance(event, Silence):
        s.silences += 1
        if s.silences >= MAX_SILENCES:
            return s, transfer(s, "silence")
        return s, [Say("no_input"), ask(s, ctx)]
    s.silences = 0
    if isinstance(event, Keys):
        return s, _keys(s, event.digits.strip("#*"), ctx)
    if isinstance(event, Speech):
        return s, _speech(s, event, ctx)
    raise TypeError(f"not a caller event: {event!r}")


def _keys(s: CallState, digits: str, ctx: Context) -> list[Action]:
    node = FLOW[s.node]
    if digits == OPERATOR_KEY:
        return transfer(s, "operator")
    if not s.on_keypad:
        # A key pressed at a voice question moves the whole call to the keypad.
        s.keypad = True
        if not (s.node == "intent" and digits == "1"):
            return [Say("keypad_on"), ask(s, ctx)]
    if node.kind == "digits":
        value = digits if digits.isdigit() else None
    else:
        value = KEY_MEANINGS[node.kind].get(digits[:1])
    if value is None:
        return fail(s, ctx, Say("not_understood"))
    return node.answer(s, value, None, ctx)


def _speech(s: CallState, event: Speech, ctx: Context) -> list[Action]:
    if event.value == "operator":
        return transfer(s, "operator")
    if event.value is None:
        s.voice_fails += 1
        if s.fails + 1 < MAX_FAILS and s.voice_fails >= VOICE_FAILS_BEFORE_KEYPAD:
            s.fails += 1
            s.keypad_now = True
            return [Say("keypad_offer"), ask(s, ctx)]
        return fail(s, ctx, Say("not_understood"))
    return FLOW[s.node].answer(s, event.value, event.confidence, ctx)


def prompts_used() -> set[str]:
    """Every prompt id the flow can say, for checking locale packs at start-up."""
    ids = {"welcome", "no_input", "keypad_on", "keypad_offer", "not_understood", "account_unknown"}
    ids |= {"address_wrong", "no_meters", "meter_intro", "reading_invalid", "reading_lower"}
    ids |= {"reading_again", "meter_saved", "next_period", "review", "goodbye"}
    ids |= {"intent", "intent_keys", "account", "account_keys", "address", "confirm"}
    ids |= {"confirm_negative", "confirm_rollover", "confirm_high", "transfer", "no_operator"}
    ids |= {"sorry_error"}
    questions = {"reading"} | {f"reading_{n}_{z}" for n in (2, 3) for z in range(1, n + 1)}
    return ids | questions | {f"{q}_keys" for q in questions}


def validate(packs: dict) -> None:
    """Fail at start-up when a locale pack lacks a prompt the flow can say."""
    for code, pack in packs.items():
        missing = sorted(prompts_used() - set(pack.prompts))
        if missing:
            raise FlowDefinitionError(f"locale {code}: missing prompts {', '.join(missing)}")
    for name, node in FLOW.items():
        if node.kind not in ("intent", "digits", "yesno"):
            raise FlowDefinitionError(f"question {name}: unknown kind {node.kind}")


__all__ = ["Ask", "advance", "start", "validate"]
