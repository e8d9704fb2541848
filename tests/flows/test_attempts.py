"""Every question has a bounded number of attempts; a zone's reading and read-back share them."""

from dataclasses import replace

from ivr.flows import Keys, Rules, SaveMeter, Say, Silence, Speech, Transfer, advance
from tests.flows.test_engine import asked, run, said, voice

KNOWN = "+79161234567"  # account 100001: one meter, one zone, previous 1000
AT_READING = (voice("readings"), voice("yes"))


def test_a_zone_rejected_twice_at_the_read_back_is_offered_on_the_keypad(ctx):
    state, actions = run(ctx, KNOWN, *AT_READING, voice("1200"), voice("no"))
    assert said(actions) == ["reading_again", "reading"] and not state.keypad_now
    state, actions = run(ctx, KNOWN, *AT_READING, voice("1200"), voice("no"), voice("1300"), voice("no"))
    assert said(actions) == ["reading_again", "keypad_offer", "reading_keys"]
    assert state.keypad_now and asked(actions).keypad


def test_the_offered_keypad_carries_the_zone_through_its_read_back_then_voice_returns(ctx):
    state, actions = run(ctx, None, voice("readings"), voice("200002"), voice("yes"), voice("5200"),
                         voice("no"), voice("5300"), voice("no"), Keys("5100#"))  # fmt: skip
    assert asked(actions).prompt == "confirm_keys" and asked(actions).keypad
    state, actions = advance(state, Keys("1"), ctx)
    assert asked(actions).prompt == "reading_2_2" and not asked(actions).keypad


def test_a_third_rejection_hands_over_saying_the_reading_was_not_recognised(ctx):
    state, actions = run(ctx, KNOWN, *AT_READING, voice("1200"), voice("no"), voice("1300"), voice("no"),
                         Keys("1400#"), Keys("2"))  # fmt: skip
    assert actions == [Say("transfer_reading"), Transfer("reading")]
    assert state.ended == "transferred"


def test_no_at_the_read_back_does_not_give_the_zone_fresh_attempts(ctx):
    # A silence, a «нет» and a no-match: three failed attempts at one zone, across both questions.
    _state, actions = run(ctx, KNOWN, *AT_READING, Silence(), voice("1200"), voice("no"), voice(None))
    assert actions == [Say("transfer_reading"), Transfer("reading")]


def test_a_reading_refused_as_lower_until_the_attempts_run_out_hands_over_saying_so(ctx):
    _state, actions = run(ctx, KNOWN, *AT_READING, voice("900"), voice("901"), Keys("902#"))
    assert actions == [Say("transfer_lower"), Transfer("lower")]


def test_the_next_zone_starts_with_fresh_attempts(ctx):
    state, _ = run(ctx, None, voice("readings"), voice("200002"), voice("yes"), voice("5200"),
                   voice("no"), voice("5100"), voice("yes"))  # fmt: skip
    assert state.node == "reading" and state.zone == 1 and state.fails == 0


def test_an_unclear_yes_at_the_read_back_stores_nothing_and_asks_again(ctx):
    unclear = Speech("да", "yes", 0.9, margin=0.1)
    state, actions = run(ctx, KNOWN, *AT_READING, voice("1200"), unclear)
    assert said(actions) == ["not_understood", "confirm"] and state.pending.value == 1200
    assert not any(isinstance(a, SaveMeter) for a in actions)
    state, actions = advance(state, unclear, ctx)
    assert said(actions) == ["not_understood", "keypad_offer", "confirm_keys"]


def test_a_yes_with_a_clear_margin_or_none_confirms_the_reading(ctx):
    for margin in (0.3, 0.9, None):
        _state, actions = run(ctx, KNOWN, *AT_READING, voice("1200"), Speech("да", "yes", 0.9, margin))
        assert next(a for a in actions if isinstance(a, SaveMeter)).readings[0].value == 1200


def test_the_margin_a_yes_needs_is_a_rule(ctx):
    strict = replace(ctx, rules=Rules(confirm_margin=0.95))
    _state, actions = run(strict, KNOWN, *AT_READING, voice("1200"), Speech("да", "yes", 0.9, 0.9))
    assert said(actions) == ["not_understood", "confirm"]


def test_an_unclear_yes_at_the_address_is_still_a_yes(ctx):
    state, _ = run(ctx, KNOWN, voice("readings"), Speech("да", "yes", 0.9, margin=0.05))
    assert state.node == "reading"


def test_the_account_question_offers_the_keypad_after_two_unknown_numbers(ctx):
    _state, actions = run(ctx, None, voice("readings"), voice("999"), voice("998"))
    assert said(actions) == ["account_unknown", "keypad_offer", "account_keys"]


def test_a_second_silence_offers_the_keypad_and_the_third_hands_over(ctx):
    state, actions = run(ctx, None, Silence(), Silence())
    assert said(actions) == ["no_input", "keypad_offer", "intent_keys"]
    state, actions = advance(state, Silence(), ctx)
    assert actions == [Say("transfer_silence"), Transfer("silence")]


def test_a_silence_on_the_keypad_is_told_no_keys_came(ctx):
    _, actions = run(ctx, None, Silence(), keypad=True)
    assert said(actions) == ["no_input_keys", "intent_keys"]
