"""The login limit: per name from anywhere, per address over all names, atomic, behind proxies."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from ivr import create_app
from ivr.runtime import runtime
from tests.conftest import NOW
from tests.console.conftest import BASE, PASSWORD, Console

pytestmark = pytest.mark.both_databases  # SQL behaviour: see tests/conftest.py


def attempt(console: Console, name: str, password: str = "guess", **environ) -> int:  # noqa: ANN003
    """One login from an address (REMOTE_ADDR) or through a proxy (HTTP_X_FORWARDED_FOR)."""
    if not console.token:
        console.get("/console/login")
    response = console.client.post(
        BASE + "/console/login",
        data={"csrf_token": console.token, "name": name, "password": password},
        headers={"Referer": BASE + "/console/"},
        environ_base={"REMOTE_ADDR": "10.0.0.1", **environ},
    )
    return response.status_code


def test_one_name_tried_from_ten_addresses_gets_five_failures_in_all(anonymous, users):
    answers = [attempt(anonymous, "qa", REMOTE_ADDR=f"10.0.1.{n}") for n in range(10)]
    assert answers == [401] * 5 + [429] * 5
    assert attempt(anonymous, "qa", PASSWORD, REMOTE_ADDR="10.0.2.1") == 429  # even the owner
    assert attempt(anonymous, "supervisor", PASSWORD, REMOTE_ADDR="10.0.2.1") == 302


def test_one_address_trying_many_names_gets_four_times_the_name_limit(anonymous, users):
    answers = [attempt(anonymous, f"user{n}") for n in range(25)]
    assert answers == [401] * 20 + [429] * 5
    assert attempt(anonymous, "qa", PASSWORD) == 429
    assert attempt(anonymous, "qa", PASSWORD, REMOTE_ADDR="10.0.0.2") == 302


def test_a_good_password_clears_the_names_failures_from_every_address(anonymous, users):
    for n in range(4):
        attempt(anonymous, "qa", REMOTE_ADDR=f"10.0.1.{n}")
    assert attempt(Console(anonymous.client.application.test_client()), "qa", PASSWORD) == 302
    answers = [attempt(anonymous, "qa", REMOTE_ADDR="10.0.3.1") for _ in range(6)]
    assert answers == [401] * 5 + [429]


def test_the_limit_and_window_are_settings(app, settings, users):
    moment = [NOW]
    strict = create_app({**settings, "IVR_LOGIN_MAX_FAILURES": 2, "IVR_LOGIN_WINDOW_S": 60,
                         "IVR_CLOCK": lambda: moment[0]})  # fmt: skip
    console = Console(strict.test_client())
    assert [attempt(console, "qa") for _ in range(3)] == [401, 401, 429]
    moment[0] = NOW + timedelta(seconds=61)  # a minute later the window has passed
    assert attempt(console, "qa") == 401
    runtime(strict).sessions.kw["bind"].dispose()


def test_forty_tries_at_once_check_no_more_passwords_than_the_limit(app, users):
    tries = 40
    consoles = [Console(app.test_client()) for _ in range(tries)]
    for console in consoles:
        console.get("/console/login")  # each with its own CSRF token, fetched beforehand
    start = threading.Barrier(tries)
    answers: list[int] = []

    def guess(console: Console) -> None:
        start.wait()
        answers.append(attempt(console, "qa"))

    threads = [threading.Thread(target=guess, args=(c,)) for c in consoles]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(answers) == tries
    assert answers.count(401) == 5 and answers.count(429) == tries - 5  # 401: a password checked


@pytest.fixture
def behind_proxy(app, settings):
    """The same hotline behind one reverse proxy (nginx on 10.0.0.1) that it trusts."""
    proxied = create_app({**settings, "IVR_TRUSTED_PROXIES": 1})
    yield proxied
    runtime(proxied).sessions.kw["bind"].dispose()


def test_behind_a_trusted_proxy_the_limit_counts_the_client_address(behind_proxy, users):
    console = Console(behind_proxy.test_client())
    answers = [attempt(console, f"user{n}", HTTP_X_FORWARDED_FOR="198.51.100.7") for n in range(21)]
    assert answers == [401] * 20 + [429]
    assert attempt(console, "user99", HTTP_X_FORWARDED_FOR="198.51.100.8") == 401  # another client


def test_without_trusted_proxies_a_forged_forwarded_for_changes_nothing(anonymous, users):
    answers = [attempt(anonymous, f"user{n}", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}") for n in range(21)]
    assert answers == [401] * 20 + [429]
