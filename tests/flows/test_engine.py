"""Every branch of the call, driven through the pure flow."""

import pytest

from ivr.flows import (
    Ask,
    FlowDefinitionError,
    Hangup,
    Keys,
    SaveMeter,
    Say,
    Silence,
    Speech,
    Start,
    Transfer,
    advance,
    prompts_used,
    start,
    validate,
)
from ivr.flows.kinds import DIGITS
from ivr.locales import available, load


def said(actions):
    return [a.prompt for a in actions if isinstance(a, (Say, Ask))]


def asked(actions):
    return next(a for a in actions if isinstance(a, Ask))


def run(ctx, caller, *events, keypad=False):
    state, actions = start(Start(caller), ctx, keypad=keypad)
    for event in events:
        state, actions = advance(state, event, ctx)
    return state, actions


def voice(value, text="x", conf=0.95):
    return Speech(text, value, conf)


def test_known_caller_is_asked_to_confirm_the_address_after_saying_readings(ctx):
    state, actions = run(ctx, "+79161234567", voice("readings"))
    assert state.node == "address" and state.by_phone
    assert asked(actions).params == {"address": "ул. Ленина, 1"}


@pytest.mark.parametrize("caller", [None, "+79990000000", "+79031112233"])
def test_hidden_unknown_or_shared_numbers_are_asked_for_the_account(ctx, caller):
    state, actions = run(ctx, caller, voice("readings"))
    assert state.node == "account" and asked(actions).kind == DIGITS


def test_single_zone_reading_is_read_back_then_saved_and_the_call_closes(ctx):
    state, actions = run(ctx, "+79161234567", voice("readings"), voice("yes"), voice("1234"))
    assert asked(actions).prompt == "confirm"
    assert asked(actions).params == {"digits": "1234", "consumption": 234}
    state, actions = advance(state, voice("yes"), ctx)
    save = next(a for a in actions if isinstance(a, SaveMeter))
    assert save.meter_id == 1 and save.readings[0].value == 1234
    assert isinstance(actions[-1], Hangup) and state.ended == "completed"
    assert said(actions)[-1] == "goodbye"


def test_no_at_the_read_back_asks_the_same_zone_again_and_saves_nothing(ctx):
    state, actions = run(ctx, "+79161234567", voice("readings"), voice("yes"), voice("1234"), voice("no"))
    assert state.node == "reading" and not any(isinstance(a, SaveMeter) for a in actions)
    assert asked(actions).prompt == "reading"


def test_two_meters_with_two_and_three_zones_are_asked_zone_by_zone_and_saved_per_meter(ctx):
    state, actions = run(ctx, None, voice("readings"), voice("200002"), voice("yes"))
    prompts, saves = [], []
    for value in ["5100", "3100", "110", "210", "310"]:
        prompts.append(asked(actions).prompt)
        state, actions = advance(state, voice(value), ctx)
        state, actions = advance(state, voice("yes"), ctx)
        saves += [a for a in actions if isinstance(a, SaveMeter)]
    assert prompts == ["reading_2_1", "reading_2_2", "reading_3_1", "reading_3_2", "reading_3_3"]
    assert [(s.meter_id, [r.value for r in s.readings]) for s in saves] == [
        (2, [5100, 3100]),
        (3, [110, 210, 310]),
    ]
    assert state.saved == 5 and state.ended == "completed"


def test_meter_intro_names_each_meter_when_the_account_has_several(ctx):
    _, actions = run(ctx, None, voice("readings"), voice("200002"), voice("yes"))
    assert said(actions)[:2] == ["meter_intro", "reading_2_1"]


def test_wrong_address_found_by_phone_asks_for_the_account_number(ctx):
    state, actions = run(ctx, "+79161234567", voice("readings"), voice("no"))
    assert state.node == "account" and said(actions) == ["address_wrong", "account"]


def test_wrong_address_three_times_transfers_to_the_operator(ctx):
    state, actions = run(
        ctx,
        None,
        voice("readings"),
        voice("100001"),
        voice("no"),
        voice("100001"),
        voice("no"),
        voice("100001"),
        voice("no"),
    )
    assert isinstance(actions[-1], Transfer) and state.ended == "transferred"


def test_unknown_account_is_refused_and_asked_again_then_operator_on_the_third(ctx):
    state, actions = run(ctx, None, voice("readings"), voice("999"))
    assert said(actions) == ["account_unknown", "account"]
    state, actions = run(ctx, None, voice("readings"), voice("999"), voice("998"), voice("997"))
    assert actions == [Say("transfer_account"), Transfer("account")]


def test_lower_reading_is_refused_without_confirmation_then_the_same_value_twice_goes_to_review(ctx):
    state, actions = run(ctx, "+79161234567", voice("readings"), voice("yes"), voice("900"))
    assert said(actions) == ["reading_lower", "reading"] and state.node == "reading"
    state, actions = advance(state, voice("900"), ctx)
    assert asked(actions).prompt == "confirm_negative"
    state, actions = advance(state, voice("yes"), ctx)
    save = next(a for a in actions if isinstance(a, SaveMeter))
    assert save.readings[0].flags == ("NEGATIVE",) and state.review


def test_a_different_lower_value_the_second_time_is_refused_again_and_the_keypad_offered(ctx):
    state, actions = run(ctx, "+79161234567", voice("readings"), voice("yes"), voice("900"), voice("901"))
    assert said(actions) == ["reading_lower", "keypad_offer", "reading_keys"]


def test_rollover_past_the_display_width_gets_the_special_confirmation(ctx):
    state, actions = run(ctx, None, voice("readings"), voice("300003"), voice("yes"), voice("00020"))
    ask = asked(actions)
    assert ask.prompt == "confirm_rollover" and state.pending.consumption == 520
    assert "ROLLOVER" in state.pending.flags


def test_high_use_without_history_gets_the_special_confirmation(ctx):
    # 31 days since 2026-10-17 allow 1550 kWh at 50 a day
    state, actions = run(ctx, "+79161234567", voice("readings"), voice("yes"), voice("2600"))
    assert asked(actions).prompt == "confirm_high" and state.pending.flags == ("HIGH",)


def test_reading_outside_the_window_is_flagged_and_the_caller_told_of_the_next_period(ctx):
    state, actions = run(
        ctx, None, voice("readings"), voice("300003"), voice("yes"), voice("99600"), voice("yes")
    )
    save = next(a for a in actions if isinstance(a, SaveMeter))
    assert "OUT_OF_WINDOW" in save.readings[0].flags and save.readings[0].period == "2026-12"
    assert "next_period" in said(actions)


def test_too_long_reading_is_refused_with_the_display_width(ctx):
    state, actions = run(ctx, "+79161234567", voice("readings"), voice("yes"), voice("1234567"))
    assert actions[0] == Say("reading_invalid", {"max": 6})


def test_low_confidence_reading_is_flagged_after_confirmation(ctx):
    state, actions = run(ctx, "+79161234567", voice("readings"), voice("yes"), voice("1100", conf=0.4))
    assert "LOW_CONFIDENCE" in state.pending.flags and asked(actions).prompt == "confirm"


def test_account_without_meters_is_transferred(ctx):
    state, actions = run(ctx, None, voice("readings"), voice("400004"), voice("yes"))
    assert actions == [Say("transfer_no_meters"), Transfer("no_meters")]


def test_operator_by_voice_and_by_key_zero_at_any_question(ctx):
    assert run(ctx, None, voice("operator"))[1] == [Say("transfer_operator"), Transfer("operator")]
    assert run(ctx, None, voice("readings"), Keys("0"))[1] == [Say("transfer_operator"), Transfer("operator")]


def test_key_one_at_the_greeting_chooses_readings_and_keeps_the_call_on_the_keypad(ctx):
    state, actions = run(ctx, None, Keys("1"))
    assert state.keypad and asked(actions).keypad and asked(actions).prompt == "account_keys"


def test_other_key_at_a_voice_question_switches_to_keypad_and_asks_again(ctx):
    state, actions = run(ctx, None, voice("readings"), Keys("5"))
    assert state.keypad and said(actions) == ["keypad_on", "account_keys"] and state.node == "account"


def test_keypad_call_runs_end_to_end_with_one_for_yes(ctx):
    state, actions = run(ctx, "+79161234567", Keys("1"), Keys("1"), Keys("1100#"), Keys("1"), keypad=True)
    assert state.ended == "completed" and next(a for a in actions if isinstance(a, SaveMeter))


def test_two_voice_failures_offer_the_keypad_for_that_question_only(ctx):
    state, actions = run(ctx, None, voice(None), voice(None))
    assert said(actions) == ["not_understood", "keypad_offer", "intent_keys"]
    assert state.keypad_now and not state.keypad
    state, actions = advance(state, Keys("1"), ctx)
    assert asked(actions).keypad is False and asked(actions).prompt == "account"


def test_third_failure_transfers_to_the_operator_saying_why(ctx):
    expected = [Say("transfer_not_understood"), Transfer("not_understood")]
    assert run(ctx, None, voice(None), voice(None), Keys("7"))[1] == expected


def test_silence_repeats_the_question_and_the_third_transfers(ctx):
    state, actions = run(ctx, None, Silence())
    assert said(actions) == ["no_input", "intent"]
    state, actions = run(ctx, None, Silence(), Silence(), Silence())
    assert actions == [Say("transfer_silence"), Transfer("silence")]


def test_events_after_the_call_ended_only_hang_up(ctx):
    state, _ = run(ctx, None, voice("operator"))
    assert advance(state, Keys("1"), ctx)[1] == [Hangup()]


def test_advance_leaves_the_given_state_untouched(ctx):
    state, _ = start(Start(None), ctx)
    before = state.to_dict()
    advance(state, voice("readings"), ctx)
    assert state.to_dict() == before


def test_every_locale_pack_has_every_prompt_the_flow_can_say():
    validate({code: load(code) for code in available()})
    assert {"ru", "en", "ko"} <= set(available())


def test_a_pack_missing_a_prompt_fails_validation_naming_the_question_and_the_prompt():
    pack = load("ru")
    broken = type(pack)(
        "xx", {k: v for k, v in pack.prompts.items() if k != "goodbye"}, pack.vocabulary, "ru-RU", "alice"
    )
    with pytest.raises(FlowDefinitionError, match="locale xx lacks question confirm's prompts goodbye"):
        validate({"xx": broken})
    assert "goodbye" in prompts_used()
