"""`ivr replay --url` with Telegram cases: updates signed with the secret to a real `ivr serve`, the
replies read where the server's `ivr outbox send --loop` sends them (the replay's Bot API stand-in)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from ivr.cli import main
from tests.qa.conftest import CALLS
from tests.serving import free_port, ivr, serving, stop
from tests.telegram.conftest import SECRET, TOKEN

# Cases whose replies do not depend on the day: the server runs on the real clock.
CASES = [str(CALLS / f"telegram-{name}.yaml") for name in (
    "start-answers-with-the-template", "wrong-count-names-the-zones-the-account-needs",
    "reading-without-a-shared-number-is-flagged-unverified")]  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`ivr serve` and `ivr outbox send --loop`, the bot's API at a port the replay will listen on."""
    folder = tmp_path_factory.mktemp("telegram-served")
    port, bot_port = free_port(), free_port()
    env = {**os.environ, "IVR_DATABASE_URL": f"sqlite:///{folder / 'ivr.sqlite3'}", "TWILIO_AUTH_TOKEN": "not-used-here",
           "IVR_INSTANCE_DIR": str(folder), "IVR_TELEGRAM_BOT_TOKEN": TOKEN, "IVR_TELEGRAM_SECRET": SECRET,
           "IVR_TELEGRAM_API_URL": f"http://127.0.0.1:{bot_port}"}  # fmt: skip
    env.pop("IVR_VOSK_MODEL", None)
    ivr(env, "db", "upgrade")
    ivr(env, "accounts", "import", str(CALLS / "fixtures" / "texts.csv"))
    sender = subprocess.Popen([sys.executable, "-m", "ivr", "outbox", "send", "--loop"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        with serving(env, port) as base:
            yield base, str(bot_port)
    finally:
        stop(sender)


def replay(*args: str, secret: str = SECRET):
    env = {"IVR_TELEGRAM_BOT_TOKEN": TOKEN, "IVR_TELEGRAM_SECRET": secret}
    return CliRunner().invoke(main, ["replay", *args], env=env)


def test_telegram_cases_replay_green_against_a_server_and_its_outbox(server):
    base, bot_port = server
    result = replay(*CASES, "--url", base, "--bot-api-port", bot_port)
    assert result.exit_code == 0, result.output
    assert "3 passed, 0 failed, 0 skipped" in result.output


def test_a_wrong_secret_fails_the_telegram_case_with_http_403(server):
    base, bot_port = server
    result = replay(CASES[0], "--url", base, "--bot-api-port", bot_port, secret="not-the-secret")
    assert result.exit_code != 0 and "telegram/webhook answered HTTP 403" in result.output
