"""Endpointing on audio time: where answers start and end, what is noise, when a number is complete."""

import pytest

from ivr.speech.audio import decode_wav
from ivr.speech.decoder import Decoder
from ivr.speech.engine import VoskRecognizer
from ivr.speech.recognizer import Alternative, Recognition, Word
from ivr.speech.service import Speech
from ivr.speech.stream import PRE_ROLL, QUIET_S, BargeIn, Listener, Question, Utterance
from ivr.speech.telephone import FRAME_BYTES, pcm_to_ulaw, ulaw_to_pcm, wav


class Scripted:
    """A decoder double: each segment the listener closes is heard as the next scripted word."""

    def __init__(self, words):
        self.words, self.seconds, self.fed = iter(words), 0.0, 0

    def accept(self, pcm):
        self.fed += len(pcm)

    def final(self, keep=True):
        return [Word(next(self.words, "네"), 1.0)]

    def once(self, pcm, keep=False):
        return []


def listen(
    audio, kind="yesno", lengths=(), words=("네",), question=True, speech=None, scripted=Scripted, locale="ko"
):
    """Feed audio through a listener; return its events and the questions it asked for."""
    asked, decoders = [], []

    def ask():
        asked.append(True)
        return Question(1, kind, lengths) if question else None

    def decoder(k):
        decoders.append(scripted(words))
        return decoders[-1]

    listener = Listener(decoder, locale, speech or Speech({}, min_confidence=0.5), ask)
    pcm = decode_wav(audio).pcm
    events = []
    for at in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES):
        events += listener.feed(pcm[at : at + FRAME_BYTES])
    return events, asked, decoders


def answers(events):
    return [e for e in events if isinstance(e, Utterance)]


def test_a_yes_is_taken_a_third_of_a_second_after_the_word(korean):
    events, asked, _ = listen(with_tail(korean, korean.say("네"), 2.0))
    [answer] = answers(events)
    assert answer.heard.value == "yes" and len(asked) == 1
    assert answer.taken - answer.speech_ended == pytest.approx(QUIET_S, abs=0.021)


class Recorded:
    """A recogniser double for the <Record> path: every recording is heard as the given n-best."""

    def __init__(self, alternatives):
        self.alternatives = alternatives

    def recognize(self, audio, kind):
        return Recognition(self.alternatives[0].text, 1.0, alternatives=self.alternatives)


@pytest.mark.parametrize(
    "alternatives, value",
    [
        ((Alternative("네", 0.55), Alternative("아니요", 0.45)), None),  # margin 0.1: a no-match
        ((Alternative("네", 0.9), Alternative("아니요", 0.1)), "yes"),  # margin 0.8: an answer
    ],
)
def test_a_streamed_answer_is_judged_on_its_margin_exactly_as_a_recorded_one(korean, alternatives, value):
    class Doubtful(Scripted):
        """Hears 네, with the n-best given."""

    Doubtful.alternatives = alternatives
    speech = Speech({"ko": Recorded(alternatives)}, min_confidence=0.5, min_margin=0.5)
    events, _, _ = listen(with_tail(korean, korean.say("네"), 2.0), speech=speech, scripted=Doubtful)
    [streamed] = answers(events)
    recorded = speech.hear(b"RIFF", "yesno", "ko")
    assert streamed.heard.value == recorded.value == value
    assert (
        streamed.heard.margin
        == recorded.margin
        == pytest.approx(alternatives[0].posterior - alternatives[1].posterior)
    )


def with_tail(korean, audio, seconds):
    """Half a second of quiet line, the audio, then the line for `seconds`, as one WAV."""
    line = decode_wav(korean.noise(seconds, colour="whitenoise vol 0.003")).pcm
    return wav(line[:8000] + decode_wav(audio).pcm + line)


@pytest.mark.parametrize("colour", ["whitenoise", "pinknoise", "brownnoise", "sine 697 sine 1209"])
def test_noise_bursts_and_tones_never_reach_the_decoder(korean, colour):
    line = decode_wav(korean.noise(0.6, colour="whitenoise vol 0.003")).pcm
    burst = decode_wav(korean.noise(0.3, colour=f"{colour} vol 0.3")).pcm
    events, asked, decoders = listen(wav((line + burst) * 4 + line))
    assert (events, asked, decoders) == ([], [], [])


def test_speech_at_a_question_that_waits_for_keys_is_ignored(korean):
    events, asked, decoders = listen(with_tail(korean, korean.say("네"), 1.5), question=False)
    assert events == [] and len(asked) == 1 and decoders == []


def digits(korean, count, gap):
    return with_tail(korean, korean.join(["이"] * count, gap), 2.5)


def test_a_number_as_long_as_the_display_is_taken_after_the_short_quiet(korean):
    events, _, _ = listen(digits(korean, 3, 0.6), kind="digits", lengths=(3,), words=["이", "이", "이"])
    [answer] = answers(events)
    assert answer.heard.value == "222"
    assert answer.taken - answer.speech_ended == pytest.approx(QUIET_S, abs=0.021)


def test_a_shorter_number_waits_out_the_pause_between_digits(korean):
    events, _, _ = listen(digits(korean, 3, 0.6), kind="digits", lengths=(6,), words=["이", "이", "이"])
    [answer] = answers(events)
    assert answer.heard.value == "222"  # the 0.6 s gaps did not cut it
    assert answer.taken - answer.speech_ended == pytest.approx(1.5, abs=0.021)


def test_a_number_inside_a_sentence_is_taken_after_the_short_quiet_once_complete(korean):
    words = ["у меня", "один", "два", "три"]
    events, _, _ = listen(digits(korean, 4, 0.6), kind="digits", lengths=(3,), words=words, locale="ru")
    [answer] = answers(events)
    assert answer.heard.value == "123" and answer.heard.text == "у меня один два три"
    assert answer.taken - answer.speech_ended == pytest.approx(QUIET_S, abs=0.021)


def test_zones_named_in_one_answer_wait_out_the_pause_for_the_next_zone(korean):
    words = ["день", "один", "два", "три"]
    events, _, _ = listen(digits(korean, 4, 0.6), kind="digits", lengths=(3,), words=words, locale="ru")
    [answer] = answers(events)
    assert answer.heard.zones == (("day", ("123",)),)
    assert answer.taken - answer.speech_ended == pytest.approx(1.5, abs=0.021)


def test_the_pause_between_digit_groups_is_not_decoded_but_leads_the_next_group(korean):
    class Chunks(Scripted):
        def accept(self, pcm):
            super().accept(pcm)
            self.chunks = [*getattr(self, "chunks", []), len(pcm)]

    gap = 1.0  # with the words' own edges, under the 1.5 s that ends a short number
    events, _, [decoder] = listen(
        digits(korean, 3, gap), kind="digits", lengths=(6,), words=["이", "이", "이"], scripted=Chunks
    )
    [answer] = answers(events)
    assert answer.heard.value == "222"
    # Each gap: QUIET_S decoded to end the segment, then the rest held; the next segment starts with
    # the last 0.3 s of it as its lead, given with the first frame of speech.
    assert len(answer.pcm) - decoder.fed >= 2 * (gap - QUIET_S - 0.3 - 0.02) * 16000
    resumed = [size for size in decoder.chunks[1:] if size > FRAME_BYTES]
    assert resumed == [(PRE_ROLL + 1) * FRAME_BYTES] * 2


def test_a_word_heard_before_the_answer_is_complete_stops_the_prompt(korean):
    events, _, _ = listen(digits(korean, 3, 0.6), kind="digits", lengths=(6,), words=["이", "이", "이"])
    barge, answer = events
    assert isinstance(barge, BargeIn) and barge.at < answer.speech_ended


def test_mu_law_round_trips_through_the_wrapped_codec(korean):
    pcm = decode_wav(korean.say("네")).pcm
    again = ulaw_to_pcm(pcm_to_ulaw(pcm))
    assert len(again) == len(pcm) and max(abs(a - b) for a, b in zip(pcm[::2], again[::2])) < 256


def test_a_caller_who_speaks_the_moment_the_stream_starts_is_heard(korean):
    [answer] = answers(
        listen(
            wav(
                decode_wav(korean.say("네")).pcm
                + decode_wav(korean.noise(1.5, colour="whitenoise vol 0.003")).pcm
            )
        )[0]
    )
    assert answer.heard.value == "yes"


def test_a_moment_of_digital_silence_does_not_make_the_quiet_line_sound_like_speech(korean):
    line = decode_wav(korean.noise(1.5, colour="whitenoise vol 0.003")).pcm
    louder_line = decode_wav(korean.noise(1.5, colour="whitenoise vol 0.006")).pcm
    audio = wav(line + b"\0" * 640 + louder_line + decode_wav(korean.say("네")).pcm + louder_line)
    [answer] = answers(listen(audio)[0])
    assert answer.taken - answer.speech_ended == pytest.approx(QUIET_S, abs=0.021)


@pytest.mark.parametrize("said, kind", [("네", "yesno"), ("아니요", "yesno"), ("상담원", "yesno")])
def test_the_real_decoder_gives_a_streamed_answer_the_margin_the_recording_gets(korean, ko_model, said, kind):
    recorded = VoskRecognizer(ko_model, "ko")
    speech = Speech({"ko": recorded}, min_confidence=0.5, min_margin=0.5)
    audio = with_tail(korean, korean.say(said), 2.0)
    asked = []

    def ask():
        asked.append(True)
        return Question(1, kind)

    listener = Listener(lambda k: Decoder(ko_model, recorded.grammar(k)), "ko", speech, ask)
    pcm = decode_wav(audio).pcm
    events = [e for at in range(0, len(pcm) - FRAME_BYTES + 1, FRAME_BYTES)
              for e in listener.feed(pcm[at : at + FRAME_BYTES])]  # fmt: skip
    [streamed] = answers(events)
    heard = speech.hear(audio, kind, "ko")
    assert streamed.heard.margin is not None and heard.margin is not None
    assert (streamed.heard.value, streamed.heard.text) == (heard.value, heard.text)
    assert streamed.heard.margin == pytest.approx(heard.margin, abs=0.05)
