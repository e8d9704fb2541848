"""Case files: what they may say, how mistakes are reported, and how prompts are told apart."""

from __future__ import annotations

from datetime import datetime

import pytest

from ivr.qa.cases import CaseError, load_case
from ivr.qa.prompts import matcher


def write(tmp_path, text: str):
    path = tmp_path / "case.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_dial_is_implied_and_turns_keep_their_place_in_the_file(tmp_path):
    case = load_case(write(tmp_path, "caller: '+79161234567'\nturns:\n  - silence\n  - press: 1\n"))
    assert [(s.number, s.action, s.arg) for s in case.steps] == [
        (0, "dial", None),
        (1, "silence", None),
        (2, "press", "1"),
    ]


def test_bare_yes_and_no_stay_words_though_yaml_reads_them_as_booleans(tmp_path):
    case = load_case(
        write(tmp_path, "caller: ''\nlocale: en\nturns:\n  - say_text: yes\n    expect: {value: no}\n")
    )
    assert (case.steps[1].arg, case.steps[1].expect.value) == ("yes", "no")


def test_an_unquoted_phone_number_keeps_its_plus(tmp_path):
    assert load_case(write(tmp_path, "caller: +79161234567\nturns: [hangup]\n")).caller == "+79161234567"


def test_inline_rows_may_be_csv_lines_or_maps(tmp_path):
    case = load_case(
        write(
            tmp_path,
            """caller: ''
now: 2026-11-17T12:00
accounts:
  - '1,+79161234567,"ул. Мира, 1",Москва,M-1,1,6,10,,,2026-10-17'
  - {account: "2", address: Тверь, region: Тверская область, meter: M-2, zones: 1, digits: 5}
turns: [hangup]
""",
        )
    )
    assert case.accounts.splitlines() == [
        "account,phones,address,region,meter,zones,digits,t1,t2,t3,read_on",
        '1,+79161234567,"ул. Мира, 1",Москва,M-1,1,6,10,,,2026-10-17',
        "2,,Тверь,Тверская область,M-2,1,5,,,,",
    ]
    assert case.now == datetime(2026, 11, 17, 12, 0)


@pytest.mark.parametrize("now", ["2026-11-17T15:00+03:00", "'2026-11-17T12:00+00:00'", "2026-11-17T12:00:00Z",
                                 "2026-11-17 15:00:00+03:00"])  # fmt: skip
def test_a_clock_with_an_offset_is_the_same_moment_in_utc(tmp_path, now):
    # the last is a YAML timestamp, which PyYAML reads as an aware datetime
    case = load_case(write(tmp_path, f"caller: ''\nnow: {now}\nturns: [hangup]\n"))
    assert case.now == datetime(2026, 11, 17, 12, 0) and case.now.tzinfo is None


@pytest.mark.parametrize(
    "turns, message",
    [
        ("  - press: 12a", "turn 1: press: '12a' is not keys (0-9, *, #)"),
        ("  - say: nowhere.wav", "turn 1: say: no audio file 'nowhere.wav' beside the case"),
        ("  - silence:\n    expect: {prompt: goodbye_now}", "turn 1: expect.prompt: no prompt 'goodbye_now'"),
        ("  - say_text: да\n    press: 1", "turn 1: give exactly one of dial, say, say_text, press"),
    ],
)
def test_mistakes_name_the_file_the_turn_and_the_fix(tmp_path, turns, message):
    with pytest.raises(CaseError) as error:
        load_case(write(tmp_path, f"caller: ''\nturns:\n{turns}\n"))
    assert f"case.yaml: {message}" in str(error.value)


def test_a_missing_fixture_and_an_unknown_locale_are_refused(tmp_path):
    with pytest.raises(CaseError, match="accounts: no fixture 'gone.csv'"):
        load_case(write(tmp_path, "caller: ''\naccounts: gone.csv\nturns: [hangup]\n"))
    with pytest.raises(CaseError, match="locale 'xx': no such locale pack"):
        load_case(write(tmp_path, "caller: ''\nlocale: xx\nturns: [hangup]\n"))


def test_prompt_parameters_match_anything_and_identical_texts_name_every_prompt():
    ru = matcher("ru")
    assert ru.ids("Ваш адрес: ул. Ленина, д. 1. Верно? Скажите «да» или «нет».") == ["address"]
    assert ru.ids("Назовите показания зоны Т2, ночь, по одной цифре.") == ["reading_2_2", "reading_3_2"]
    assert ru.heard(["Что-то другое.", "https://h.test/twilio/prompts/ru/welcome.wav"]) == ["?", "welcome"]
