"""DEVELOPERS.md's "To add a question", followed step by step with a toy question."""

from dataclasses import replace

import pytest

from ivr.flows import (
    FLOW,
    Ask,
    Flow,
    FlowDefinitionError,
    Keys,
    Node,
    SaveMeter,
    Say,
    Speech,
    Start,
    Transfer,
    advance,
    start,
    validate,
)
from ivr.flows.common import ask, fail, transfer
from ivr.flows.kinds import YESNO
from ivr.locales import available, load


# Step 1: the question's ask and answer.
def ask_consent(s, _ctx):
    prompt = "consent_keys" if s.on_keypad else "consent"
    return Ask("consent", YESNO, s.on_keypad, prompt)


def answer_consent(s, value, _conf, ctx):
    if value == "no":
        return transfer(s, "consent")  # says why: transfer_consent, declared below
    if value != "yes":
        return fail(s, ctx, Say("not_understood"))
    s.goto("intent")
    return [ask(s, ctx)]


# Steps 2 and 3: the node in FLOW, declared, and the way in: here it is the first question.
CONSENT = Node(YESNO, ask_consent, answer_consent,
               goes_to=("intent",), says=("consent", "consent_keys", "transfer_consent"))  # fmt: skip
TOY_FLOW = Flow("consent", consent=CONSENT, **FLOW)

# Step 4: its prompts in every locale pack.
TEXTS = {"consent": "The call is recorded. Go on?", "consent_keys": "Press 1 to go on, 2 to stop.",
         "transfer_consent": "Then an operator will help you."}  # fmt: skip


def packs(texts):
    return {code: replace(load(code), prompts={**load(code).prompts, **texts}) for code in available()}


def test_validation_refuses_the_new_question_until_every_pack_has_its_prompts():
    with pytest.raises(FlowDefinitionError, match="question consent's prompts consent, consent_keys"):
        validate(packs({}), TOY_FLOW)
    validate(packs(TEXTS), TOY_FLOW)


def test_the_new_question_is_asked_first_and_leads_into_the_hotline_to_a_saved_reading(ctx):
    ctx = replace(ctx, flow=TOY_FLOW)
    state, actions = start(Start("+79161234567"), ctx)
    assert [a.prompt for a in actions] == ["welcome", "consent"] and state.node == "consent"
    for value in ("yes", "readings", "yes", "1234"):
        state, actions = advance(state, Speech("x", value, 0.95), ctx)
    state, actions = advance(state, Speech("x", "yes", 0.95), ctx)
    assert next(a for a in actions if isinstance(a, SaveMeter)).readings[0].value == 1234
    assert state.ended == "completed"


def test_the_new_question_takes_the_keypad_and_its_no_hands_over(ctx):
    ctx = replace(ctx, flow=TOY_FLOW)
    state, actions = start(Start(None), ctx, keypad=True)
    assert actions[-1].prompt == "consent_keys"
    state, actions = advance(state, Keys("2"), ctx)
    assert actions == [Say("transfer_consent"), Transfer("consent")] and state.ended == "transferred"
