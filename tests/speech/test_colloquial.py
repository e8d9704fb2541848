"""The colloquial transcripts through Speech.judge and the flow: the targets of docs/QUALITY.md."""

from collections import Counter

import pytest

from ivr.flows import Say
from ivr.speech.service import Speech
from tests.speech.colloquial import ASKED, RIGHT, WRONG, Case, cases, flow_actions, judge

CASES = cases()


def test_the_set_is_large_and_in_both_languages():
    assert len(CASES) >= 300
    assert Counter(case.lang for case in CASES).keys() == {"ru", "en"}


def test_no_wrong_number_and_95_percent_taken_as_an_operator_would():
    speech = Speech({})
    outcomes = Counter(judge(case, speech) for case in CASES)
    assert outcomes[WRONG] == 0
    assert outcomes[RIGHT] / len(CASES) >= 0.95, outcomes[ASKED]


@pytest.mark.parametrize(
    "kind", ["context", "unit", "end", "correction", "decimal", "diminutive", "grouping"]
)
def test_every_kind_of_sentence_is_heard(kind):
    speech = Speech({})
    missed = [case.say for case in CASES if case.kind == kind and judge(case, speech) != RIGHT]
    assert missed == []


def test_the_read_back_says_the_fraction_was_dropped():
    case = Case(
        "decimal", "ru", "reading", "двенадцать тысяч триста сорок пять запятая семь", "12345", 6, (12000,)
    )
    _state, actions = flow_actions(case, Speech({}))
    assert actions[0] == Say("decimals_dropped")
    plain = Case("plain", "ru", "reading", "двенадцать тысяч триста сорок пять", "12345", 6, (12000,))
    assert Say("decimals_dropped") not in flow_actions(plain, Speech({}))[1]
