"""What the benchmarks that time one `ivr` command share: the command run as a child process (its
wall time, peak RSS and output), a scratch PostgreSQL database, and the line naming the machine."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL

from ivr.clock import wall

ROOT = Path(__file__).resolve().parents[1]


def child(args: list[str], env: dict, cwd: str | Path = ROOT) -> tuple[float, float, str]:
    """Run `ivr ARGS`; its wall time in seconds, its peak RSS in MB (os.wait4) and its output."""
    started = time.perf_counter()
    with subprocess.Popen([sys.executable, "-m", "ivr", *args], env=env, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as process:  # fmt: skip
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"ivr {' '.join(args)} failed:\n{output}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024, output


def last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


@contextmanager
def scratch_database(base: URL, name: str) -> Iterator[URL]:
    """A database of its own on the server of `base`, dropped afterwards."""
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{name}"')
    try:
        yield base.set(database=name)
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def migrated_instance(base: URL, name: str, **settings: str) -> Iterator[tuple[URL, str, dict]]:
    """A scratch database, migrated, and an instance folder, both gone afterwards: (database, folder,
    the environment an `ivr` child runs with on them, `settings` added)."""
    with scratch_database(base, name) as url, tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "IVR_INSTANCE_DIR": folder, "IVR_DATABASE_URL": app_url(url),
               **settings}  # fmt: skip
        child(["db", "upgrade"], env)
        yield url, folder, env


def app_url(url: URL) -> str:
    return url.render_as_string(hide_password=False)


def psycopg_url(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def machine() -> str:
    return (
        f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, "
        f"{wall():%Y-%m-%d %H:%M} UTC; {subprocess.getoutput('uptime').strip()}"
    )
