"""A voice request for the operator past the greeting is confirmed first; key 0 never is."""

from ivr.flows import Keys, Say, Silence, Transfer, advance
from ivr.flows.kinds import YESNO
from tests.flows.test_engine import asked, run, said, voice

KNOWN = "+79161234567"


def test_operator_by_voice_at_the_greeting_is_taken_at_once(ctx):
    assert run(ctx, KNOWN, voice("operator"))[1] == [Say("transfer_operator"), Transfer("operator")]


def test_operator_by_voice_at_the_address_asks_first_and_yes_transfers(ctx):
    state, actions = run(ctx, KNOWN, voice("readings"), voice("operator"))
    assert said(actions) == ["operator_confirm"] and state.node == "operator"
    assert asked(actions).kind == YESNO and not asked(actions).keypad
    state, actions = advance(state, voice("yes"), ctx)
    assert actions == [Say("transfer_operator"), Transfer("operator")] and state.ended == "transferred"


def test_no_at_the_operator_question_goes_back_to_the_address(ctx):
    state, actions = run(ctx, KNOWN, voice("readings"), voice("operator"), voice("no"))
    assert said(actions) == ["operator_no", "address"] and state.node == "address"
    state, _ = advance(state, voice("yes"), ctx)
    assert state.node == "reading"


def test_no_at_the_operator_question_goes_back_to_the_read_back_with_the_reading_kept(ctx):
    _state, actions = run(ctx, KNOWN, voice("readings"), voice("yes"), voice("1200"), voice("operator"),
                         voice("no"))  # fmt: skip
    assert said(actions) == ["operator_no", "confirm"] and asked(actions).params["digits"] == "1200"


def test_operator_requests_taken_back_spend_the_questions_attempts(ctx):
    state, actions = run(ctx, KNOWN, voice("readings"), voice("operator"), voice("no"),
                         voice("operator"), voice("no"))  # fmt: skip
    assert state.fails == 2 and said(actions) == ["operator_no", "address"]
    state, actions = advance(state, voice("operator"), ctx)
    assert actions == [Say("transfer_operator"), Transfer("operator")]


def test_the_operator_question_is_bounded_too(ctx):
    state, actions = run(ctx, KNOWN, voice("readings"), voice("operator"), voice(None))
    assert said(actions) == ["not_understood", "keypad_offer", "operator_confirm_keys"]
    state, actions = advance(state, Silence(), ctx)
    assert actions == [Say("transfer_silence"), Transfer("silence")]


def test_operator_said_again_at_the_operator_question_is_a_yes(ctx):
    _state, actions = run(ctx, KNOWN, voice("readings"), voice("operator"), voice("operator"))
    assert actions == [Say("transfer_operator"), Transfer("operator")]


def test_key_zero_past_the_greeting_hands_over_at_once(ctx):
    _state, actions = run(ctx, KNOWN, voice("readings"), voice("yes"), Keys("0"))
    assert actions == [Say("transfer_operator"), Transfer("operator")]


def test_a_key_at_the_operator_question_moves_it_to_the_keypad_which_names_the_keys(ctx):
    state, actions = run(ctx, KNOWN, voice("readings"), voice("operator"), Keys("2"))
    assert said(actions) == ["keypad_on", "operator_confirm_keys"] and asked(actions).keypad
    state, actions = advance(state, Keys("2"), ctx)
    assert said(actions) == ["operator_no", "address_keys"]
