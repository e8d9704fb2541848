"""DEVELOPERS.md's "To add a question kind", followed: a toy kind is one row of `KINDS`, and the
keypad, the grammar, the <Record> length and the stream's timings all follow from the row alone."""

import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from ivr import config as ivr_config
from ivr.flows import (
    FLOW,
    KINDS,
    Ask,
    Context,
    Flow,
    FlowDefinitionError,
    Keys,
    Kind,
    Node,
    Say,
    Start,
    advance,
    load_regions,
    start,
    validate,
)
from ivr.flows.common import ask, fail
from ivr.locales import available, load
from ivr.speech.recognizer import Word
from ivr.speech.service import Speech
from ivr.speech.stream import FRAME_S, PRE_ROLL, Listener, Question, Utterance
from ivr.speech.telephone import FRAME_BYTES, RATE
from ivr.speech.words import grammar, interpret
from ivr.telephony.twiml import LISTEN_SLACK_S, Renderer
from tests.flows.conftest import NOW, MemoryDirectory

# The one row: an answer that can only agree, «да» or key 9, taken at once from a voice question.
AGREE = Kind("agree", sections=("yes",), keys={"9": "yes"}, at_once=True, longest_s=7, pause_s=0.6)


@pytest.fixture
def agree(monkeypatch):
    monkeypatch.setitem(KINDS, AGREE.name, AGREE)  # the one change


# A question of the kind, with its prompts: what any new question needs (DEVELOPERS.md).
def ask_terms(s, _ctx):
    return Ask("terms", AGREE, s.on_keypad, "terms_keys" if s.on_keypad else "terms")


def answer_terms(s, value, _conf, ctx):
    if value != "yes":
        return fail(s, ctx, Say("not_understood"))
    s.goto("intent")
    return [ask(s, ctx)]


TERMS = Node(AGREE, ask_terms, answer_terms, goes_to=("intent",), says=("terms", "terms_keys"))
TOY_FLOW = Flow("terms", terms=TERMS, **FLOW)
PROMPTS = {"terms": "Do you agree? Say yes.", "terms_keys": "To agree, press 9."}


def packs():
    return {code: replace(load(code), prompts={**load(code).prompts, **PROMPTS}) for code in available()}


def test_a_flow_takes_a_kind_once_it_is_a_row(monkeypatch):
    with pytest.raises(FlowDefinitionError, match="question terms: kind agree is no row of KINDS"):
        validate(packs(), TOY_FLOW)
    monkeypatch.setitem(KINDS, AGREE.name, AGREE)
    validate(packs(), TOY_FLOW)


def test_its_keys_follow_from_the_row(agree):
    ctx = Context(MemoryDirectory(), load_regions(None), NOW, flow=TOY_FLOW)
    state, actions = start(Start(None), ctx)
    assert actions[-1] == Ask("terms", AGREE, False, "terms")
    # A key the row gives a meaning answers at once, and the call goes on on the keypad.
    taken, actions = advance(state, Keys("9"), ctx)
    assert taken.node == "intent" and taken.keypad and [a.prompt for a in actions] == ["intent_keys"]
    # Any other key moves the call to the keypad and asks again.
    moved, actions = advance(state, Keys("1"), ctx)
    assert moved.node == "terms" and [a.prompt for a in actions] == ["keypad_on", "terms_keys"]
    # On the keypad, a key without a meaning is not understood.
    _, actions = advance(moved, Keys("1"), ctx)
    assert [a.prompt for a in actions] == ["not_understood", "terms_keys"]


def test_its_grammar_and_meaning_follow_from_the_row(agree):
    vocabulary = load("ru").vocabulary
    assert grammar("agree", "ru") == [*vocabulary["yes"], *vocabulary["operator"]]
    assert interpret("agree", "да", "ru") == "yes"
    assert interpret("agree", "нет", "ru") is None  # not in its sections: heard as nothing
    assert interpret("agree", "оператор", "ru") == "operator"


def render(actions=None, listening=None):
    settings = ivr_config.load({}, Path("instance"))
    renderer = Renderer(packs()["ru"], lambda endpoint, params: f"/{endpoint}?{params}", settings)
    return ET.fromstring(renderer.listening(7, listening) if listening else renderer.render(actions, seq=7))


def test_its_record_length_and_keypad_follow_from_the_row(agree):
    assert render([Ask("terms", AGREE, False, "terms")]).find("Record").get("maxLength") == "7"
    gather = render([Ask("terms", AGREE, True, "terms_keys")]).find("Gather")
    assert (gather.get("numDigits"), gather.get("finishOnKey")) == ("1", "")
    # While the stream hears an answer, the quiet TwiML outlasts the kind's longest answer.
    pause = render(listening="agree").find("Gather/Pause")
    assert pause.get("length") == str(AGREE.longest_s + LISTEN_SLACK_S)


def voice(seconds):
    """Syllables on 125 Hz, 0.2 s each with 0.1 s between: speech, to the stream's ears."""
    t = np.arange(int(0.2 * RATE)) / RATE
    x = sum(np.sin(2 * np.pi * 125 * k * t) / k for k in range(1, 16))
    syllable = (x / np.abs(x).max() * 8000).astype("<i2").tobytes() + bytes(int(0.1 * RATE) * 2)
    return (syllable * int(seconds / 0.3 + 1))[: int(seconds * RATE) * 2]


def hear(pcm, heard_as):
    """Feed 0.5 s of quiet line, the audio and 3 s of it to a listener at an agree question."""

    class Decoder:  # hears every segment as the given word
        seconds, alternatives = 0.0, ()

        def accept(self, pcm):
            pass

        def final(self, keep=True):
            return [Word(heard_as, 1.0)]

        def once(self, pcm, keep=False):
            return []

    quiet = np.random.default_rng(1).normal(0, 3, int(3.5 * RATE)).astype("<i2").tobytes()
    line = quiet[: RATE] + pcm + quiet[RATE:]  # fmt: skip
    listener = Listener(
        lambda kind: Decoder(), "ru", Speech({}, min_confidence=0.5), lambda: Question(1, "agree")
    )
    events = []
    for at in range(0, len(line) - FRAME_BYTES + 1, FRAME_BYTES):
        events += listener.feed(line[at : at + FRAME_BYTES])
    return [e for e in events if isinstance(e, Utterance)]


def test_its_stream_timings_follow_from_the_row(agree):
    # An answer that means nothing yet is taken after the row's pause, not the yes/no one.
    [unfinished] = hear(voice(0.5), "хм")
    assert unfinished.heard.value is None
    assert unfinished.taken - unfinished.speech_ended == pytest.approx(AGREE.pause_s, abs=2 * FRAME_S)
    # Speech that goes on is cut off at the row's longest answer, counted from its pre-roll.
    cut, *_ = hear(voice(9), "да")
    started = 0.5 - PRE_ROLL * FRAME_S
    assert cut.heard.value == "yes" and cut.taken - started == pytest.approx(AGREE.longest_s, abs=0.1)
