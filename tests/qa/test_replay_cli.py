"""`ivr replay` in-process: the table, JUnit XML, JSON, --compare, -j and the exit code."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET

import pytest
import yaml
from click.testing import CliRunner

from ivr.cli import main
from tests.qa.conftest import CALLS

GOOD = ["ru-known-caller-gives-a-reading-by-voice.yaml", "ru-third-silence-transfers.yaml"]


@pytest.fixture
def cases(tmp_path):
    """A folder with two good cases and their fixtures."""
    shutil.copytree(CALLS / "fixtures", tmp_path / "fixtures")
    for name in GOOD:
        shutil.copy(CALLS / name, tmp_path / name)
    return tmp_path


def break_reading(folder) -> None:
    path = folder / GOOD[0]
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    case["end"]["readings"][0]["value"] = 1121
    path.write_text(yaml.safe_dump(case, allow_unicode=True), encoding="utf-8")


def replay(*args):
    return CliRunner().invoke(main, ["replay", *map(str, args)])


def test_a_green_run_prints_turns_and_the_counts_and_exits_zero(cases):
    result = replay(cases, "-j", "2")
    assert result.exit_code == 0, result.output
    assert "pass  ru-known-caller-gives-a-reading-by-voice" in result.output
    assert "say_text 'показания'" in result.output and "показания -> readings" in result.output
    assert result.output.rstrip().splitlines()[-1].startswith("2 passed, 0 failed, 0 skipped in ")


def test_a_broken_case_exits_non_zero_and_says_what_was_expected_and_saved(cases):
    break_reading(cases)
    result = replay(cases)
    assert result.exit_code == 1
    assert "FAIL  ru-known-caller-gives-a-reading-by-voice" in result.output
    assert (
        "x end: reading 1: expected value 1121, saved 1120 (M-1 T1 = 1120 (accepted, no flags))"
        in result.output
    )
    assert "1 passed, 1 failed, 0 skipped" in result.output


def test_junit_xml_has_a_testcase_per_case_and_the_failure_message(cases, tmp_path):
    break_reading(cases)
    report = tmp_path / "junit.xml"
    replay(cases, "--junit", report)
    suite = ET.parse(report).getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("2", "1")
    [failure] = suite.iter("failure")
    assert failure.get("message").startswith("end: reading 1: expected value 1121, saved 1120")


def test_json_keeps_every_turn_with_prompt_recognition_and_latency(cases, tmp_path):
    report = tmp_path / "run.json"
    replay(cases, "--json", report)
    body = json.loads(report.read_text(encoding="utf-8"))
    known = next(c for c in body["cases"] if c["name"] == "ru-known-caller-gives-a-reading-by-voice")
    assert known["status"] == "pass" and known["outcome"] == "completed"
    turn = known["turns"][3]
    assert (turn["prompts"], turn["heard"], turn["value"], turn["confidence"]) == (
        ["confirm"],
        "один один два ноль",
        "1120",
        0.95,
    )
    assert turn["latency"] > 0 and turn["asr_seconds"] == 0.0


def test_compare_shows_changed_recognition_path_and_status_turn_by_turn(cases, tmp_path):
    before = tmp_path / "before.json"
    replay(cases, "--json", before)
    path = cases / GOOD[0]
    path.write_text(
        path.read_text(encoding="utf-8").replace("один один два ноль", "один один три ноль"), encoding="utf-8"
    )
    result = replay(cases, "--compare", before)
    assert "Changes against" in result.output
    assert (
        "ru-known-caller-gives-a-reading-by-voice: turn 4 (say_text 'один один три ноль'): "
        "recognised «один один два ноль» -> «один один три ноль» (value 1120 -> 1130)"
    ) in result.output
    assert "ru-known-caller-gives-a-reading-by-voice: status pass -> FAIL" in result.output
    # The untouched case changes in nothing but, on a busy machine, its latency.
    changes = result.output.split("Changes against")[1].splitlines()
    assert [c for c in changes if "ru-third-silence-transfers" in c and ": latency " not in c] == []


def test_an_unreadable_case_is_a_usage_error_naming_the_file_and_turn(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("caller: '+79161234567'\nturns:\n  - sya: да\n", encoding="utf-8")
    result = replay(bad)
    assert result.exit_code == 2
    assert (
        "bad.yaml: turn 1: give exactly one of dial, say, say_text, press, silence, hangup" in result.output
    )


def test_load_mode_needs_a_url():
    result = replay(CALLS / GOOD[1], "--concurrency", "2")
    assert result.exit_code == 2 and "needs --url" in result.output
