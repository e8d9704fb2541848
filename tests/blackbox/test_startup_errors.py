"""A bad setting, an unreachable database or a schema behind the code stop every entry point at
start-up with one line, `ivr: ...`, naming the variable or the fix, and no traceback."""
import os
import re
import subprocess
import sys

import pytest
import requests
from alembic.script import ScriptDirectory

from ivr import create_app
from ivr.store.migrate import alembic_config, upgrade
from tests.serving import ROOT, free_port, gunicorn, gunicorn_command, ivr

HEAD = ", ".join(sorted(ScriptDirectory.from_config(alembic_config()).get_heads()))
CLOSED = free_port()  # nothing listens there
ENTRY_POINTS = {
    "ivr serve": lambda port: [sys.executable, "-m", "ivr", "serve", "--port", str(port)],
    "ivr readings export": lambda port: [sys.executable, "-m", "ivr", "readings", "export"],
    "gunicorn wsgi:app": lambda port: gunicorn_command(port, "--preload", "-w", "2"),
}
PROBLEMS = {
    "mistyped locale": ({"IVR_LOCALE": "RU"}, "ivr: IVR_LOCALE: 'RU' is not one of en, ko, ru"),
    "locale without a pack": ({"IVR_LOCALE": "de"}, "ivr: IVR_LOCALE: 'de' is not one of en, ko, ru"),
    "closed database port": (
        {"IVR_DATABASE_URL": f"postgresql+psycopg://ivr:s3cret@127.0.0.1:{CLOSED}/ivr"},
        f"ivr: IVR_DATABASE_URL: cannot connect to postgresql+psycopg://ivr:***@127.0.0.1:{CLOSED}/ivr: ",
    ),
    "unmigrated database": ({"IVR_DATABASE_URL": "sqlite:///{tmp}/empty.sqlite3"},
                            f"ivr: database schema is missing, this build needs {HEAD}: run ivr db upgrade"),
    "schema behind the build": (
        {"IVR_DATABASE_URL": "sqlite:///{tmp}/old.sqlite3"},
        f"ivr: database schema is at 0002, this build needs {HEAD}: run ivr db upgrade",
    ),
    "bad regions file": ({"IVR_REGIONS_FILE": "{tmp}/regions.csv"},
                         "ivr: IVR_REGIONS_FILE: {tmp}/regions.csv: line 3: end_day: not a day number"),
}  # fmt: skip


def run(command: list[str], env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**env, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))}
    return subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          check=False)  # fmt: skip


@pytest.fixture
def folder(tmp_path):
    """A good migrated database and a regions file with a bad third line, beside the bad cases."""
    (tmp_path / "regions.csv").write_text("region,start_day,end_day\nА,1,5\nБ,1,x\n", encoding="utf-8")
    app = create_app({"IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'old.sqlite3'}", "RECOGNIZERS": {}})
    with app.app_context():
        upgrade("0002")
    app.extensions["ivr.db"].kw["bind"].dispose()
    good = {**os.environ, "IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'good.sqlite3'}"}
    good.pop("IVR_VOSK_MODEL", None)
    ivr(good, "db", "upgrade")
    return tmp_path, good


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("problem", PROBLEMS)
def test_a_start_up_problem_is_one_line_naming_the_variable_or_the_fix(folder, entry, problem):
    tmp, good = folder
    settings, expected = PROBLEMS[problem]
    env = {**good, **{k: v.format(tmp=tmp) for k, v in settings.items()}}
    done = run(ENTRY_POINTS[entry](free_port()), env)
    assert done.returncode != 0
    said = [line for line in done.stderr.splitlines() if line.startswith("ivr:")]
    assert len(said) == 1 and said[0].startswith(expected.format(tmp=tmp)), done.stderr
    assert "Traceback" not in done.stderr and "s3cret" not in done.stderr, done.stderr


def test_gunicorn_without_preload_stops_on_the_first_worker_with_the_same_line(folder):
    # Each worker loads the app and says why it cannot; exit code 4 makes gunicorn halt ("App failed
    # to load.") rather than boot worker after worker. gunicorn itself may print a traceback of its
    # own HaltServer when both workers fail at once: none of its frames is ours.
    _, good = folder
    done = run(gunicorn_command(free_port(), "-w", "2"), {**good, "IVR_LOCALE": "RU"})
    assert done.returncode == 4
    assert "ivr: IVR_LOCALE: 'RU' is not one of en, ko, ru" in done.stderr.splitlines()
    assert not re.search(r'File ".*(wsgi\.py|/ivr/)', done.stderr), done.stderr


def test_db_upgrade_brings_an_old_schema_to_the_build_and_the_app_then_starts(folder):
    tmp, good = folder
    old = {**good, "IVR_DATABASE_URL": f"sqlite:///{tmp / 'old.sqlite3'}"}
    assert "up to date" in ivr(old, "db", "upgrade").stdout
    assert ivr(old, "readings", "export").stdout.startswith("account,meter,zone,value")


def test_db_upgrade_names_a_database_it_cannot_reach_in_one_line(folder):
    _, good = folder
    env = {**good, "IVR_DATABASE_URL": f"postgresql+psycopg://ivr@127.0.0.1:{CLOSED}/ivr"}
    done = run([sys.executable, "-m", "ivr", "db", "upgrade"], env)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    url = f"postgresql+psycopg://ivr@127.0.0.1:{CLOSED}/ivr"
    assert done.stderr.startswith(f"ivr: IVR_DATABASE_URL: cannot connect to {url}: ")


def test_gunicorn_without_a_token_says_so_at_start_up_and_refuses_calls(folder, tmp_path_factory):
    _, good = folder
    logs = tmp_path_factory.mktemp("logs")
    env = {**good, "IVR_DEMO": ""}
    env.pop("TWILIO_AUTH_TOKEN", None)
    with gunicorn(env, free_port(), logs, healthy=False) as base:
        health = requests.get(base + "/healthz", timeout=5)
        webhook = requests.post(base + "/twilio/voice", data={"CallSid": "CA1", "From": "+79161234567"},
                                timeout=5)  # fmt: skip
    assert re.search(r"ERROR ivr\.startup: TWILIO_AUTH_TOKEN is not set and IVR_DEMO is off",
                     (logs / "stderr.log").read_text())  # fmt: skip
    assert health.status_code == 503
    assert health.json()["twilio"] == "refusing calls: TWILIO_AUTH_TOKEN is not set"
    assert webhook.status_code == 503
