"""`ivr calls export`: a call made here becomes a pseudonymised case that replays green."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from ivr import create_app
from ivr.cli import main
from ivr.qa.cases import load_case
from ivr.qa.driver import FlaskTransport, TwilioCall
from ivr.qa.hearing import QaRecognizer, transcript
from ivr.qa.replay import run_case
from ivr.runtime import runtime
from ivr.store.accounts_csv import import_accounts
from ivr.store.migrate import upgrade
from tests.qa.conftest import CALLS
from tests.sessions import transaction

NOW = datetime(2026, 11, 17, 12, 0)
TOKEN = "export-token"
KOREAN = CALLS / "audio" / "ko"


@pytest.fixture
def stored(tmp_path, recordings, monkeypatch):
    """A hotline whose database and recordings the export command reads through the environment."""
    db, rec = f"sqlite:///{tmp_path / 'ivr.sqlite3'}", tmp_path / "recordings"
    for key, value in {"IVR_DATABASE_URL": db, "IVR_RECORDINGS_DIR": str(rec),
                       "IVR_SECRET_KEY": "export-secret"}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    app = create_app({
        "TWILIO_AUTH_TOKEN": TOKEN, "IVR_PUBLIC_URL": "https://hotline.test", "IVR_CLOCK": lambda: NOW,
        "IVR_RECORDING_URL_PREFIXES": [recordings.prefix],
        "RECOGNIZERS": {code: QaRecognizer(code) for code in ("ru", "ko")},
    })  # fmt: skip
    with app.app_context():
        upgrade(runtime(app).sessions)
        for fixture in ("moscow.csv", "seoul.csv"):
            with transaction() as s:
                import_accounts(s, io.StringIO((CALLS / "fixtures" / fixture).read_text(encoding="utf-8")))
    yield app
    runtime(app).sessions.kw["bind"].dispose()


def phone(app, recordings, caller: str, locale: str = "ru") -> TwilioCall:
    return TwilioCall(FlaskTransport(app), "https://hotline.test", caller=caller, token=TOKEN,
                      recordings=recordings, voice_path=f"/twilio/voice?locale={locale}")  # fmt: skip


def export(app, sid: str, folder: Path) -> Path:
    result = app.test_cli_runner().invoke(main, ["calls", "export", sid, str(folder)])
    assert result.exit_code == 0, result.output
    [case] = folder.glob("*.yaml")
    return case


def test_exported_voice_keys_and_silence_call_replays_green(stored, recordings, in_process, tmp_path):
    call = phone(stored, recordings, "+79161234567")
    call.dial(), call.silence(), call.say(transcript("показания")), call.say(transcript("нет"))
    call.press("1"), call.press("100001#"), call.press("1"), call.press("9999#"), call.press("1")

    case_path = export(stored, call.sid, tmp_path / "exported")

    result = run_case(load_case(case_path), in_process)
    assert result.passed, "\n".join(result.failures())
    assert result.outcome == "completed" and result.readings == ["M-1 T1 = 9999 (accepted, HIGH)"]
    case = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    assert [next(iter(t)) for t in case["turns"]] == [
        "dial",
        "silence",
        "say",
        "say",
        "press",
        "press",
        "press",
        "press",
        "press",
    ]
    assert case["turns"][5] == {"press": "100001#", "expect": {"prompt": "address_keys", "value": "100001"}}
    assert case["now"] == "2026-11-17T12:00+00:00"  # the app's clock is UTC, and the case says so


def test_export_pseudonymises_the_caller_phones_and_address(stored, recordings, tmp_path):
    call = phone(stored, recordings, "+79161234567")
    call.dial(), call.say(transcript("показания")), call.hangup()

    case_path = export(stored, call.sid, tmp_path / "exported")

    written = case_path.read_text(encoding="utf-8") + "".join(
        p.read_text(encoding="utf-8") for p in (case_path.parent / "fixtures").glob("*.csv")
    )
    for secret in ("9161234567", "916) 123", "Ленина"):
        assert secret not in written
    case = yaml.safe_load(case_path.read_text(encoding="utf-8"))
    fixture = (case_path.parent / "fixtures" / case["accounts"]).read_text(encoding="utf-8")
    assert case["caller"].startswith("+7900") and case["caller"] in fixture
    assert case["end"] == {"outcome": "abandoned", "readings": []}


@pytest.mark.engine
def test_exported_korean_call_replays_its_recorded_audio(stored, recordings, in_process, tmp_path):
    call = phone(stored, recordings, "+79167000007", locale="ko")
    call.dial()
    call.say((KOREAN / "gyeryanggi.wav").read_bytes()), call.say((KOREAN / "ne.wav").read_bytes())
    call.press("1"), call.press("1120#"), call.press("1")

    case_path = export(stored, call.sid, tmp_path / "exported")

    result = run_case(load_case(case_path), in_process)
    assert result.passed, "\n".join(result.failures())
    assert [t.heard for t in result.turns[1:3]] == ["계량기", "네"]
    assert result.readings == ["K-1 T1 = 1120 (accepted, no flags)"]


def test_export_of_an_unknown_call_says_so(stored, tmp_path):
    result = stored.test_cli_runner().invoke(main, ["calls", "export", "CAnope", str(tmp_path)])
    assert result.exit_code == 1 and "no call CAnope" in result.output


def test_export_of_a_call_whose_reading_a_supervisor_corrected_replays_green(
    stored, recordings, in_process, tmp_path
):
    from sqlalchemy import select

    from ivr.store.models import Reading
    from ivr.store.review import correct

    call = phone(stored, recordings, "+79161234567")
    call.dial(), call.press("1"), call.press("1"), call.press("1120#"), call.press("1")
    with stored.app_context(), transaction() as s:
        reading = s.scalars(select(Reading)).one()
        rt = runtime(stored)  # the console's step, with the deployment's rules and windows
        correct(
            s, reading, "olga", "1210", "the caller misread the display", rt.config.rules, NOW, rt.regions
        )

    case_path = export(stored, call.sid, tmp_path / "exported")

    result = run_case(load_case(case_path), in_process)
    assert result.passed, "\n".join(result.failures())
    assert result.readings == ["M-1 T1 = 1120 (accepted, no flags)"]  # what the caller said
