"""The keypad speaks the keypad: nothing a keypad question can say asks the caller to speak."""

import json
import re

import pytest

from ivr.flows import FLOW, Ask, Keys, Say, Silence, Start, advance, prompts_used, start
from ivr.locales import available, load

# Words that ask a caller to speak, per locale.
SPEAK = {
    "ru": re.compile(r"скаж|назов|произн|говор|повтор|голос", re.IGNORECASE),
    "en": re.compile(r"\b(say|tell|speak|repeat|voice)\b", re.IGNORECASE),
    "ko": re.compile(r"말씀|말해|말하|이라고"),
}
# What a keypad caller may do: keys each question takes or refuses, and silence. The accounts have
# one zone each (100001, and 300003 whose readings wrap), so every path can be walked.
KEYPAD_EVENTS = [Keys(k) for k in ("1", "2", "7", "1100#", "900#", "2600#", "00020#", "999#",
                                   "100001#", "300003#")] + [Silence()]  # fmt: skip


def voice_only(prompts):
    """A question's voice prompt is the one with a _keys variant beside it."""
    return {p for p in prompts if f"{p}_keys" in prompts}


def test_every_locale_has_words_to_check():
    assert set(available()) <= set(SPEAK)


@pytest.mark.parametrize("code", available())
def test_no_prompt_a_keypad_call_can_hear_asks_the_caller_to_speak(code):
    used = prompts_used(FLOW)
    pack = load(code)
    heard = sorted(used - voice_only(used))
    speaking = {p: pack.prompts[p] for p in heard if SPEAK[code].search(pack.prompts[p])}
    assert not speaking
    # The check is able to fail: the voice prompts it leaves out do ask to speak.
    assert SPEAK[code].search(pack.prompts["address"]) and SPEAK[code].search(pack.prompts["reading"])


def keypad_replies(ctx, caller):
    """Every reply of keypad calls, over every path the keypad events take, to the end."""
    state, actions = start(Start(caller), ctx, keypad=True)
    yield actions
    seen, todo = set(), [state]
    while todo:
        state = todo.pop()
        for event in KEYPAD_EVENTS:
            after, actions = advance(state, event, ctx)
            yield actions
            key = json.dumps(after.to_dict(), sort_keys=True, default=str)
            if not after.ended and key not in seen:
                seen.add(key)
                todo.append(after)


@pytest.mark.parametrize("caller", [None, "+79161234567"])
def test_keypad_calls_ask_with_keypad_prompts_and_say_nothing_voice_only(ctx, caller):
    voice = voice_only(prompts_used(FLOW))
    asked, said = set(), set()
    for actions in keypad_replies(ctx, caller):
        for action in actions:
            if isinstance(action, Ask):
                assert action.keypad and action.prompt.endswith("_keys"), action
                asked.add(action.prompt)
            if isinstance(action, Say | Ask):
                assert action.prompt not in voice, action
                said.add(action.prompt)
    assert {"address_keys", "confirm_keys", "confirm_high_keys", "confirm_negative_keys"} <= asked
    assert {"no_input_keys", "reading_lower", "transfer_reading", "transfer_silence"} <= said
    if caller is None:
        assert {"account_keys", "confirm_rollover_keys", "transfer_account"} <= said
