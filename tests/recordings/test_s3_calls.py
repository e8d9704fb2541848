"""A call's audio goes to S3 from the webhook, and `ivr calls export` reads it back from there."""

from __future__ import annotations

from datetime import datetime

import pytest
import yaml
from click.testing import CliRunner
from sqlalchemy import select

from ivr import recordings
from ivr.cli import main
from ivr.qa.export import export_call
from ivr.runtime import runtime
from ivr.store.models import Call, Turn
from tests.conftest import say
from tests.sessions import transaction


@pytest.fixture
def settings(settings, s3, tmp_path) -> dict:
    return {**settings, **s3, "IVR_RECORDINGS_DIR": str(tmp_path / "not-used")}


def voice_call(phone) -> str:
    call = phone()
    call.dial()
    say(call, "показания")
    return call.sid


def voice_turns(sid: str) -> list[Turn]:
    with transaction() as s:
        query = select(Turn).join(Call).where(Call.sid == sid, Turn.recording_path.is_not(None))
        return list(s.scalars(query))


def test_a_recording_the_webhook_takes_is_written_to_s3(app, phone, tmp_path):
    sid = voice_call(phone)
    with app.app_context():
        [turn] = voice_turns(sid)
        store = recordings.store(runtime(app).config)
        assert turn.recording_path == f"{sid}/{turn.seq}.wav"
        assert recordings.read(store, turn.recording_path) == "показания".encode()
    assert not (tmp_path / "not-used").exists()  # nothing went to the local folder


def test_calls_export_reads_the_audio_from_s3(app, phone, settings, monkeypatch, tmp_path):
    sid = voice_call(phone)
    for name in ("IVR_DATABASE_URL", "IVR_RECORDINGS_URL", "IVR_STORAGE_ENDPOINT_URL"):
        monkeypatch.setenv(name, settings[name])
    monkeypatch.setenv("IVR_SECRET_KEY", "export-secret")
    monkeypatch.setenv("IVR_INSTANCE_DIR", str(tmp_path / "instance"))
    result = CliRunner().invoke(main, ["calls", "export", sid, str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    [case] = (tmp_path / "out").glob("*.yaml")
    said = [t["say"] for t in yaml.safe_load(case.read_text(encoding="utf-8"))["turns"] if "say" in t]
    assert [(tmp_path / "out" / path).read_bytes() for path in said] == ["показания".encode()]


def test_export_says_the_transcript_where_retention_removed_the_audio(app, phone, tmp_path):
    sid = voice_call(phone)
    warnings: list[str] = []
    with app.app_context():
        with transaction() as s:
            turn = s.scalars(
                select(Turn).join(Call).where(Call.sid == sid, Turn.recording_path.is_not(None))
            ).one()
            turn.recording_removed_at = datetime(2026, 11, 20, 3, 0)
            seq = turn.seq
        with transaction() as s:
            path = export_call(
                s, sid, recordings.store(runtime(app).config), tmp_path, "k", warn=warnings.append
            )
    steps = yaml.safe_load(path.read_text(encoding="utf-8"))["turns"]
    assert {"say_text": "показания", "confidence": 0.95} | {"expect": steps[seq]["expect"]} == steps[seq]
    assert warnings == [
        f"turn {seq}: audio removed by retention on 2026-11-20; the case says its transcript instead"
    ]
    assert not (tmp_path / "audio").exists() or not any((tmp_path / "audio").rglob("*.wav"))


def test_a_store_that_fails_costs_the_audio_never_the_answer(app, phone, s3, caplog):
    import boto3

    bucket = s3["IVR_RECORDINGS_URL"].removeprefix("s3://").split("/")[0]
    boto3.client("s3", endpoint_url=s3["IVR_STORAGE_ENDPOINT_URL"]).delete_bucket(Bucket=bucket)
    call = phone()
    call.dial()
    say(call, "показания")  # the driver fails on any answer but 200 with TwiML
    with app.app_context(), transaction() as s:
        turn = s.scalars(select(Turn).join(Call).where(Call.sid == call.sid).order_by(Turn.seq)).first()
        assert (turn.heard, turn.outcome, turn.recording_path) == ("показания", "answered", None)
    assert "audio not kept" in caplog.text
