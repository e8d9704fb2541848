"""Telegram cases of the library: replayed over signed HTTP (the secret header) to a served app whose
outbox sends each reply to the Bot API stand-in; a wrong secret fails them with 403."""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest

from ivr.qa.cases import find_cases, load_case
from ivr.qa.replay import run_case
from ivr.qa.report import table
from ivr.qa.targets import Remote
from ivr.runtime import runtime
from tests.qa.conftest import CALLS
from tests.qa.test_texts import served

TELEGRAM_CASES = [p for p in find_cases([CALLS]) if load_case(p).telegram]


def test_the_library_has_telegram_cases():
    assert len(TELEGRAM_CASES) >= 8


@contextmanager
def sending(in_process, case):
    """The served app, with its outbox's deliverer running as `ivr outbox send --loop` would."""
    with served(in_process, case) as (base, app):
        stop = threading.Event()

        def loop() -> None:
            runtime(app).outbox.run(stop)

        thread = threading.Thread(target=loop, daemon=True)
        thread.start()
        try:
            yield base
        finally:
            stop.set()
            thread.join(10)


@pytest.mark.parametrize("path", TELEGRAM_CASES, ids=lambda p: p.stem)
def test_telegram_case_replays_green_over_signed_http(path, in_process, recordings):
    case = load_case(path)
    with sending(in_process, case) as base:
        target = Remote(base, recordings, token=in_process.token, bot=in_process.bot,
                        telegram_secret=in_process.token)  # fmt: skip
        result = run_case(case, target)
    assert result.passed, "\n" + table([result])


def test_a_wrong_secret_fails_the_telegram_case_with_http_403(in_process, recordings):
    case = load_case(CALLS / "telegram-start-answers-with-the-template.yaml")
    with sending(in_process, case) as base:
        target = Remote(base, recordings, bot=in_process.bot, telegram_secret="not-the-secret")
        result = run_case(case, target)
    assert result.failures() == [f"turn 1 (telegram '/start'): {base}/telegram/webhook answered HTTP 403"]
