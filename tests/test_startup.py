"""A wrong setting or an unready database stops every entry point with one line, not a traceback."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.serving import free_port

ROOT = Path(__file__).resolve().parents[1]


def cases(tmp_path: Path) -> dict[str, tuple[dict, str]]:
    regions = tmp_path / "regions.csv"
    regions.write_text("region,start_day,end_day\nМосква,40,20\n", encoding="utf-8")
    return {
        "mistyped locale": ({"IVR_LOCALE": "RU"}, "ivr: IVR_LOCALE: 'RU' is not one of en, ko, ru"),
        "unknown locale": ({"IVR_LOCALE": "de"}, "ivr: IVR_LOCALE: 'de' is not one of en, ko, ru"),
        "unreachable database": ({"IVR_DATABASE_URL": f"postgresql+psycopg://postgres:secret@127.0.0.1:{free_port()}/x"},
                                 "ivr: IVR_DATABASE_URL: cannot connect to postgresql+psycopg://postgres:***@127.0.0.1"),
        "unmigrated database": ({"IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"},
                                "is at nothing, this build needs"),
        "bad regions file": ({"IVR_REGIONS_FILE": str(regions)}, "ivr: " + str(regions) + ": line 2: start_day"),
    }  # fmt: skip


def environment(tmp_path: Path, extra: dict) -> dict:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("IVR_", "TWILIO_"))}
    return {**base, "PYTHONPATH": str(ROOT), "IVR_INSTANCE_DIR": str(tmp_path / "instance"),
            "TWILIO_AUTH_TOKEN": "t", **extra}  # fmt: skip


@pytest.mark.parametrize("case", ["mistyped locale", "unknown locale", "unreachable database",
                                  "unmigrated database", "bad regions file"])  # fmt: skip
@pytest.mark.parametrize("entry", ["readings export", "gunicorn"])
def test_a_bad_start_is_one_line_naming_the_setting_or_the_fix(tmp_path, case, entry):
    extra, line = cases(tmp_path)[case]
    if entry == "gunicorn":
        command = [sys.executable, "-m", "gunicorn", "--preload", "-w", "1", "-b", f"127.0.0.1:{free_port()}",
                   "--chdir", str(ROOT), "wsgi:app"]  # fmt: skip
    else:
        command = [sys.executable, "-m", "ivr", *entry.split()]
    done = subprocess.run(command, env=environment(tmp_path, extra), capture_output=True, text=True,
                          timeout=60, cwd=tmp_path)  # fmt: skip
    assert done.returncode != 0
    assert line in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert "secret" not in done.stderr


def test_db_upgrade_still_migrates_an_empty_database(tmp_path):
    env = environment(tmp_path, {"IVR_DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}"})
    done = subprocess.run([sys.executable, "-m", "ivr", "db", "upgrade"], env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0 and "database is up to date" in done.stdout
    done = subprocess.run([sys.executable, "-m", "ivr", "readings", "export"], env=env, capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0 and done.stdout.startswith("account,meter,zone")
