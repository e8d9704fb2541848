"""Every case in tests/calls replays green in-process, and a wrong expectation fails clearly."""

from __future__ import annotations

import shutil

import pytest
import yaml

from ivr.qa.cases import find_cases, load_case
from ivr.qa.replay import run_case
from ivr.qa.report import table
from tests.qa.conftest import CALLS


def _params():
    for path in find_cases([CALLS]):
        engine = load_case(path).uses("say")  # real audio through the Korean model
        yield pytest.param(path, id=path.stem, marks=[pytest.mark.engine] if engine else [])


@pytest.mark.parametrize("path", _params())
def test_library_case_replays_green(path, in_process):
    result = run_case(load_case(path), in_process)
    assert result.passed, "\n" + table([result])


def test_wrong_expected_value_fails_and_names_the_turn_and_values(tmp_path, in_process):
    source = CALLS / "ru-known-caller-gives-a-reading-by-voice.yaml"
    shutil.copytree(CALLS / "fixtures", tmp_path / "fixtures")
    case = yaml.safe_load(source.read_text(encoding="utf-8"))
    case["turns"][3]["expect"]["value"] = "1121"
    case["end"]["readings"][0]["value"] = 1121
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")

    result = run_case(load_case(broken), in_process)

    assert not result.passed
    assert result.failures() == [
        "turn 4 (say_text 'один один два ноль'): expected value 1121, got 1120",
        "end: reading 1: expected value 1121, saved 1120 (M-1 T1 = 1120 (accepted, no flags))",
    ]


def test_wrong_expected_prompt_names_what_was_heard_instead(tmp_path, in_process):
    shutil.copytree(CALLS / "fixtures", tmp_path / "fixtures")
    case = yaml.safe_load((CALLS / "ru-third-silence-transfers.yaml").read_text(encoding="utf-8"))
    case["turns"][2]["expect"]["prompt"] = "goodbye"
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")

    [failure] = run_case(load_case(broken), in_process).failures()

    assert failure.startswith("turn 3 (silence): expected prompt goodbye, heard transfer_silence + no_operator: "
                              "«Не удалось Вас услышать. К сожалению")  # fmt: skip
