"""A wrong setting or an unready database stops every entry point with one line, not a traceback;
a server without TWILIO_AUTH_TOKEN says so at start-up and refuses calls, and other commands say
nothing of it."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from ivr import create_app
from ivr.runtime import runtime
from ivr.store.migrate import upgrade
from tests.serving import ROOT, free_port, gunicorn_command, gunicorn_logged

CLOSED = free_port()  # nothing listens there
ENTRY_POINTS = {
    "ivr serve": lambda: [sys.executable, "-m", "ivr", "serve", "--port", str(free_port())],
    "ivr readings export": lambda: [sys.executable, "-m", "ivr", "readings", "export"],
    "gunicorn wsgi:app": lambda: gunicorn_command(free_port(), "--preload", "-w", "2"),
}


def cases(tmp_path: Path) -> dict[str, tuple[dict, str]]:
    regions = tmp_path / "regions.csv"
    regions.write_text("region,start_day,end_day\nМосква,40,20\n", encoding="utf-8")
    old = tmp_path / "old.sqlite3"
    return {
        "mistyped locale": ({"IVR_LOCALE": "RU"}, "ivr: IVR_LOCALE: 'RU' is not one of en, ko, ru"),
        "unknown locale": ({"IVR_LOCALE": "de"}, "ivr: IVR_LOCALE: 'de' is not one of en, ko, ru"),
        "unreachable database": ({"IVR_DATABASE_URL": f"postgresql+psycopg://postgres:secret@127.0.0.1:{CLOSED}/x"},
                                 "ivr: IVR_DATABASE_URL: cannot connect to postgresql+psycopg://postgres:***@127.0.0.1"),
        "unmigrated database": ({"IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"},
                                "is at nothing, this build needs"),
        "schema behind the build": ({"IVR_DATABASE_URL": f"sqlite:///{old}"},
                                    f"ivr: database schema at sqlite:///{old} is at 0002, this build needs"),
        "bad regions file": ({"IVR_REGIONS_FILE": str(regions)},
                             f"ivr: IVR_REGIONS_FILE: {regions}: line 2: start_day"),
    }  # fmt: skip


def environment(tmp_path: Path, extra: dict) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("IVR_", "TWILIO_"))}
    return {**base, "PYTHONPATH": str(ROOT), "IVR_INSTANCE_DIR": str(tmp_path / "instance"),
            "TWILIO_AUTH_TOKEN": "t", **extra}  # fmt: skip


def run(command: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=60, cwd=ROOT,
                          check=False)  # fmt: skip


@pytest.fixture
def old_schema(tmp_path):
    """A database migrated as far as 0002 only."""
    app = create_app({"IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}", "RECOGNIZERS": {}})
    with app.app_context():
        upgrade(runtime(app).sessions, "0002")
    runtime(app).sessions.kw["bind"].dispose()


@pytest.mark.parametrize("case", ["mistyped locale", "unknown locale", "unreachable database",
                                  "unmigrated database", "schema behind the build", "bad regions file"])  # fmt: skip
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_a_bad_start_is_one_line_naming_the_setting_or_the_fix(tmp_path, old_schema, case, entry):
    extra, line = cases(tmp_path)[case]
    done = run(ENTRY_POINTS[entry](), environment(tmp_path, extra))
    assert done.returncode != 0
    said = [out for out in done.stderr.splitlines() if out.startswith("ivr:")]
    assert len(said) == 1 and line in said[0], done.stderr
    assert "Traceback" not in done.stderr and "secret" not in done.stderr, done.stderr


def test_gunicorn_without_preload_halts_on_the_first_worker_saying_the_same_line(tmp_path):
    # Each worker loads the app and says why it cannot; exit code 4 makes gunicorn halt ("App failed
    # to load.") rather than boot worker after worker. When both workers fail at once, gunicorn's halt
    # reaps the second and raises its own HaltServer again, out of the handler: exit 1 with a traceback
    # of gunicorn's frames only. Either way it stops, which is what matters.
    done = run(gunicorn_command(free_port(), "-w", "2"), environment(tmp_path, {"IVR_LOCALE": "RU"}))
    halted_twice = "HaltServer: <HaltServer 'App failed to load.' 4>" in done.stderr.splitlines()[-1]
    assert done.returncode == 4 or (done.returncode == 1 and halted_twice), done.stderr
    assert "ivr: IVR_LOCALE: 'RU' is not one of en, ko, ru" in done.stderr.splitlines()
    assert not re.search(r'File ".*(wsgi\.py|/ivr/)', done.stderr), done.stderr


@pytest.mark.parametrize("schema", ["empty", "old"])
def test_db_upgrade_still_migrates_an_empty_or_old_database(tmp_path, old_schema, schema):
    name = "new.sqlite3" if schema == "empty" else "old.sqlite3"
    env = environment(tmp_path, {"IVR_DATABASE_URL": f"sqlite:///{tmp_path / name}"})
    done = run([sys.executable, "-m", "ivr", "db", "upgrade"], env)
    assert done.returncode == 0 and "database is up to date" in done.stdout
    done = run([sys.executable, "-m", "ivr", "readings", "export"], env)
    assert done.returncode == 0 and done.stdout.startswith("account,meter,zone")


def test_db_upgrade_names_a_database_it_cannot_reach_in_one_line(tmp_path):
    url = f"postgresql+psycopg://ivr@127.0.0.1:{CLOSED}/ivr"
    done = run(
        [sys.executable, "-m", "ivr", "db", "upgrade"], environment(tmp_path, {"IVR_DATABASE_URL": url})
    )
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert done.stderr.startswith(f"ivr: IVR_DATABASE_URL: cannot connect to {url}: ")


def test_gunicorn_without_a_token_says_so_at_start_up_and_refuses_calls(tmp_path):
    env = environment(tmp_path, {"IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'ivr.sqlite3'}"})
    env.pop("TWILIO_AUTH_TOKEN")
    assert run([sys.executable, "-m", "ivr", "db", "upgrade"], env).returncode == 0
    logs = tmp_path / "logs"
    logs.mkdir()
    with gunicorn_logged(env, free_port(), logs, healthy=False) as base:
        health = requests.get(base + "/healthz", timeout=5)
        webhook = requests.post(base + "/twilio/voice", data={"CallSid": "CA1", "From": "+79161234567"},
                                timeout=5)  # fmt: skip
    assert (
        "ERROR ivr: TWILIO_AUTH_TOKEN is not set: the Twilio webhooks refuse every call (503)"
        in (logs / "stderr.log").read_text()
    )
    assert health.status_code == 503
    assert health.json()["twilio"] == "refusing calls: TWILIO_AUTH_TOKEN is not set"
    assert webhook.status_code == 503


def without_token(tmp_path: Path) -> dict:
    """A migrated SQLite database and no TWILIO_AUTH_TOKEN."""
    env = environment(tmp_path, {"IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'ivr.sqlite3'}"})
    env.pop("TWILIO_AUTH_TOKEN")
    assert run([sys.executable, "-m", "ivr", "db", "upgrade"], env).returncode == 0
    return env


@pytest.mark.parametrize("command", [["readings", "export"], ["users", "list"], ["db", "upgrade"],
                                     ["accounts", "import", "ivr/store/demo_accounts.csv"]])  # fmt: skip
def test_commands_that_serve_no_webhooks_say_nothing_of_the_twilio_token(tmp_path, command):
    done = run([sys.executable, "-m", "ivr", *command], without_token(tmp_path))
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # cron mails whatever a command says on stderr


def test_ivr_serve_without_a_token_says_so_at_start_up(tmp_path):
    command = [sys.executable, "-m", "ivr", "serve", "--port", str(free_port())]
    server = subprocess.Popen(command, env=without_token(tmp_path), cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        first = server.stdout.readline()  # the start-up messages come before it serves
    finally:
        server.terminate()
        stderr = server.communicate(timeout=10)[1]
    assert first.startswith("Twilio Voice URL"), stderr
    assert "ERROR ivr: TWILIO_AUTH_TOKEN is not set: the Twilio webhooks refuse every call" in stderr


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_a_bad_start_without_a_token_is_still_one_line(tmp_path, entry):
    env = environment(tmp_path, {"IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    env.pop("TWILIO_AUTH_TOKEN")
    done = run(ENTRY_POINTS[entry](), env)
    assert done.returncode != 0 and "ivr: database schema at sqlite:///" in done.stderr
    assert "TWILIO_AUTH_TOKEN" not in done.stderr, done.stderr
