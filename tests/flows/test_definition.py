"""The flow checks itself: declared targets and prompts at start-up, and every step as it runs."""

from dataclasses import replace

import pytest

from ivr.flows import (
    FLOW,
    Flow,
    FlowDefinitionError,
    Speech,
    Start,
    advance,
    prompts_used,
    start,
    validate,
)
from ivr.locales import available, load


def packs():
    return {code: load(code) for code in available()}


def changed(name, **fields):
    """A copy of the hotline's flow with one question's declaration changed."""
    return Flow(FLOW.first, **{**FLOW, name: replace(FLOW[name], **fields)})


def drive(ctx, flow, *answers):
    ctx = replace(ctx, flow=flow)
    state, actions = start(Start(None), ctx)
    for value in answers:
        state, actions = advance(state, Speech("x", value, 0.95), ctx)
    return state, actions


def test_validation_names_the_question_and_a_goto_target_that_does_not_exist():
    flow = changed("address", goes_to=("reading", "acount"))
    with pytest.raises(FlowDefinitionError, match="question address: goes to acount, no such question"):
        validate(packs(), flow)


def test_validation_names_a_question_no_call_can_reach():
    flow = Flow(FLOW.first, **FLOW, survey=FLOW["confirm"])  # no question goes to it
    with pytest.raises(FlowDefinitionError, match="questions no call reaches: survey"):
        validate(packs(), flow)


def test_validation_names_a_prompt_a_question_declares_and_a_pack_lacks():
    flow = changed("account", says=(*FLOW["account"].says, "account_help"))
    with pytest.raises(FlowDefinitionError, match="lacks question account's prompts account_help"):
        validate(packs(), flow)


def test_the_prompts_checked_are_those_the_questions_and_the_engine_declare():
    declared = {p for node in FLOW.values() for p in node.says}
    assert declared < prompts_used() and {"welcome", "sorry_error", "reading_3_3_keys"} <= prompts_used()


def test_a_step_going_to_a_question_its_node_does_not_declare_fails_as_it_runs(ctx):
    flow = changed("account", goes_to=())  # still valid: the address is reached from the intent
    validate(packs(), flow)
    with pytest.raises(FlowDefinitionError, match="question account: goes to undeclared address"):
        drive(ctx, flow, "readings", "100001")


def test_a_step_saying_a_prompt_its_node_does_not_declare_fails_as_it_runs(ctx):
    flow = changed("address", says=("address", "address_keys", "meter_intro"))
    with pytest.raises(FlowDefinitionError, match="question address: says undeclared prompt address_wrong"):
        drive(ctx, flow, "readings", "100001", "no")


def test_asking_with_a_prompt_the_node_does_not_declare_fails_as_it_runs(ctx):
    flow = changed("reading", says=("reading", "reading_keys"))
    with pytest.raises(
        FlowDefinitionError, match="question reading: asks with undeclared prompt reading_2_1"
    ):
        drive(ctx, flow, "readings", "200002", "yes")
