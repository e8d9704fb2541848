"""Telegram turns in test cases: telegram: text, contact: a number (own: false for another's card)."""

from __future__ import annotations

import pytest
import yaml

from ivr.qa.cases import CaseError, load_case


def case(tmp_path, turns: list) -> object:  # noqa: ANN001
    path = tmp_path / "case.yaml"
    path.write_text(yaml.safe_dump({"caller": "", "turns": turns}, allow_unicode=True), encoding="utf-8")
    return load_case(path)


def test_a_chat_of_texts_and_contacts_is_a_telegram_text_case(tmp_path):
    chat = case(tmp_path, [{"contact": "+79161234567", "own": False}, {"telegram": "/start", "sid": "a"}])
    assert chat.texts and chat.telegram
    assert [s.describe() for s in chat.steps] == ["contact +79161234567 (not theirs)", "telegram '/start'"]
    assert [s.own for s in chat.steps] == [False, True] and chat.steps[1].sid == "a"


@pytest.mark.parametrize(("turns", "message"), [
    ([{"telegram": "1"}, {"sms": "1"}], "sms turns only, or telegram and contact turns only"),
    ([{"telegram": "1"}, {"press": "1"}], "sms turns only, or telegram and contact turns only"),
    ([{"telegram": "1", "own": False}], "own belongs to contact turns"),
    ([{"contact": None}], "contact: no text"),
])  # fmt: skip
def test_a_mixed_or_malformed_telegram_case_is_refused_with_the_reason(tmp_path, turns, message):
    with pytest.raises(CaseError, match=message):
        case(tmp_path, turns)
