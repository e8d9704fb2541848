"""`ivr users passwd`: an admin resets a forgotten password from the shell."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from ivr.cli import main
from tests.console.conftest import PASSWORD, Console
from tests.console.test_users import actions


@pytest.fixture
def shell(app, settings, monkeypatch):
    monkeypatch.setenv("IVR_DATABASE_URL", settings["IVR_DATABASE_URL"])
    monkeypatch.setenv("IVR_SECRET_KEY", "cli-test")
    return lambda *args, input=None: CliRunner().invoke(main, ["users", *args], input=input)


def test_passwd_resets_the_password_asking_twice_and_ends_the_users_sessions(app, login, shell):
    session = login("supervisor")
    assert session.get("/console/calls").status_code == 200

    result = shell("passwd", "supervisor", input="a new long one\na new long one\n")

    assert result.exit_code == 0, result.output
    assert "a new long one" not in result.output
    assert session.get("/console/calls").status_code == 302  # logged out, like a console change
    assert Console(app.test_client()).login("supervisor", PASSWORD).status_code == 401
    assert Console(app.test_client()).login("supervisor", "a new long one").status_code == 302
    assert actions(app)[-1][:2] == ("user-password", "user:supervisor")


def test_passwd_refuses_unknown_users_short_passwords_and_mismatches(app, users, shell):
    unknown = shell("passwd", "nobody", input="a new long one\na new long one\n")
    assert unknown.exit_code == 1 and "no user nobody" in unknown.output
    short = shell("passwd", "qa", input="short\nshort\n")
    assert short.exit_code == 1 and "at least 8" in short.output
    mismatch = shell("passwd", "qa", input="a new long one\nanother one!\n")
    assert mismatch.exit_code != 0
    assert Console(app.test_client()).login("qa", PASSWORD).status_code == 302
