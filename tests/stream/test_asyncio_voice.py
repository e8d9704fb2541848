"""Whole streamed calls with the real engine again, heard by `ivr streams serve`'s asyncio loop."""

import pytest

from ivr.speech.engine import VoskRecognizer
from tests.stream.test_voice import (  # noqa: F401 - collected here, against this module's sockets
    test_a_dropped_stream_leaves_the_next_questions_on_record_and_voice_still_works,
    test_a_failed_rest_update_is_retried_once,
    test_a_key_pressed_as_the_caller_speaks_wins_and_the_words_change_nothing,
    test_a_stream_that_falls_behind_is_given_up_for_record,
    test_an_answer_over_a_long_prompt_stops_it_within_half_a_second_of_the_word,
    test_noise_bursts_over_a_prompt_neither_stop_it_nor_answer,
    test_spoken_intent_and_yes_over_the_stream_then_keys_save_a_reading,
)

pytestmark = [pytest.mark.engine]


@pytest.fixture
def settings(settings, ko_model):
    return {**settings, "RECOGNIZERS": {"ko": VoskRecognizer(ko_model, "ko")}}


@pytest.fixture
def sockets(asyncio_sockets):
    return asyncio_sockets
