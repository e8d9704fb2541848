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
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
from one_command import child, machine, migrated_instance, psycopg_url  # benchmarks/
from sqlalchemy.engine import make_url

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


def run(base, readings: int) -> None:  # noqa: ANN001
    with migrated_instance(base, f"ivr_bench_export_{os.getpid()}_{readings}") as (url, folder, env):
        fill(psycopg_url(url), readings)
        for name, options in FORMATS.items():
            seconds, peak, _ = child(["readings", "export", *options], env, folder)
            size = (Path(folder) / options[-1]).stat().st_size / 2**20
            print(f"{readings:>8,} readings  {name:9}  {seconds:6.1f} s  {readings / seconds:8,.0f} rows/s  "
                  f"peak RSS {peak:6.1f} MB  file {size:5.1f} MB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--readings", type=int, nargs="+", default=[20_000, 100_000])
    options = parser.parse_args()
    print(f"load before: {subprocess.getoutput('uptime').strip()}")
    for readings in options.readings:
        run(make_url(options.database), readings)
    print(machine())


if __name__ == "__main__":
    main()
