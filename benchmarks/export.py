"""Benchmark `ivr readings export` on PostgreSQL in each format: time, peak memory and file size.

    python benchmarks/export.py [--database postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                [--readings 20000 100000]

For each size, a scratch database is created beside the given one, migrated and filled with COPY: one
account and one meter per reading (a Cyrillic serial), the readings a minute apart, every tenth one
from an SMS. Then `ivr readings export` runs as a child process as plain CSV, `--excel` CSV and .xlsx,
to a file in a temporary folder. Peak memory is the child's maxrss (os.wait4): flat in the number of
readings means the export streams. The console's period download runs the same code in a request.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy.engine import make_url

from ivr.clock import wall

ROOT = Path(__file__).resolve().parents[1]
FORMATS = {"csv": ["-o", "r.csv"], "excel csv": ["--excel", "-o", "r.csv"], "xlsx": ["-o", "r.xlsx"]}


def fill(dsn: str, readings: int) -> None:
    """Accounts, meters, a message for every tenth reading, and the readings, with COPY."""
    start = datetime(2026, 10, 1)
    with psycopg.connect(dsn) as db, db.cursor() as cur:
        with cur.copy("COPY accounts (number, address, region) FROM STDIN") as copy:
            for i in range(readings):
                copy.write_row((f"{i:09d}", f"ул. Ленина, д. {i}", "Москва"))
        with cur.copy("COPY meters (account_id, serial, position, zones, digits) FROM STDIN") as copy:
            for i in range(readings):
                copy.write_row((i + 1, f"Меркурий-{i}", 0, 1, 6))
        with cur.copy("COPY messages (channel, external_id, sender, sender_key, locale, body, reply, status, "
                      "received_at) FROM STDIN") as copy:  # fmt: skip
            for i in range(0, readings, 10):
                copy.write_row(("sms", f"SM{i:032d}", "+79160000000", "+79160000000", "ru", "1 2", "", "stored",
                                start + timedelta(minutes=i)))  # fmt: skip
        with cur.copy("COPY readings (meter_id, zone, value, previous, consumption, period, status, flags, "
                      "channel, received_at, message_id) FROM STDIN") as copy:  # fmt: skip
            for i in range(readings):
                text = i % 10 == 0
                copy.write_row((i + 1, 1, 1000 + i % 500, 1000, i % 500, "2026-10", "accepted",
                                "HIGH" if i % 7 == 0 else "", "sms" if text else "ivr",
                                start + timedelta(minutes=i), i // 10 + 1 if text else None))  # fmt: skip
        cur.execute("ANALYZE")


def child(args: list[str], env: dict, cwd: str) -> tuple[float, float]:
    """Run one `ivr` command; its wall time in seconds and its peak RSS in MB."""
    started = time.perf_counter()
    with subprocess.Popen([sys.executable, "-m", "ivr", *args], env=env, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as process:  # fmt: skip
        output = process.stdout.read()
        _, status, usage = os.wait4(process.pid, 0)
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"ivr {' '.join(args)} failed:\n{output}")
    return time.perf_counter() - started, usage.ru_maxrss / 1024


def run(base, readings: int) -> None:  # noqa: ANN001
    scratch = f"ivr_bench_export_{os.getpid()}_{readings}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{scratch}"')
    try:
        with tempfile.TemporaryDirectory() as folder:
            env = {**os.environ, "PYTHONPATH": str(ROOT), "IVR_INSTANCE_DIR": folder,
                   "IVR_DATABASE_URL": base.set(database=scratch).render_as_string(hide_password=False)}  # fmt: skip
            child(["db", "upgrade"], env, folder)
            fill(base.set(drivername="postgresql", database=scratch).render_as_string(hide_password=False),
                 readings)  # fmt: skip
            for name, options in FORMATS.items():
                seconds, peak = child(["readings", "export", *options], env, folder)
                size = (Path(folder) / options[-1]).stat().st_size / 2**20
                print(f"{readings:>8,} readings  {name:9}  {seconds:6.1f} s  {readings / seconds:8,.0f} rows/s  "
                      f"peak RSS {peak:6.1f} MB  file {size:5.1f} MB")  # fmt: skip
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--readings", type=int, nargs="+", default=[20_000, 100_000])
    options = parser.parse_args()
    print(f"load before: {subprocess.getoutput('uptime').strip()}")
    for readings in options.readings:
        run(make_url(options.database), readings)
    print(
        f"{platform.node()} {platform.machine()} {os.cpu_count()} cores, "
        f"{wall():%Y-%m-%d %H:%M} UTC; {subprocess.getoutput('uptime').strip()}"
    )


if __name__ == "__main__":
    main()
