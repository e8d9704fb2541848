"""Benchmark `ivr readings recompute` on PostgreSQL: a year of readings stored on UTC days.

    python benchmarks/recompute.py [--database postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                   [--meters 2000]

A scratch database is created beside the given one, migrated, and filled with COPY: one account
and one single-zone meter per `--meters`, in Moscow and Yakutia by turns, and twelve monthly
accepted readings per meter as an old build stored them (days, previous_on and last_read_on on the
UTC date), every third one at 21:30 UTC (the next day in both regions). Then the command runs as a child process: a dry run,
--apply, and --apply again (which finds nothing). Peak memory is the child's maxrss (os.wait4).
"""

from __future__ import annotations

import argparse
import os
from datetime import date, datetime

import psycopg
from one_command import child, last_line, machine, migrated_instance, psycopg_url  # benchmarks/
from sqlalchemy.engine import make_url

REGIONS = ("Якутия", "Москва")  # odd meters in Moscow


def fill(dsn: str, meters: int) -> int:
    """Accounts, meters and a year of readings per meter; the number of readings."""
    readings, last_read_on = [], {}
    for i in range(1, meters + 1):
        previous, previous_on = 1000, date(2025, 11, 17)
        for month in range(12):
            year, mon = (2025, 12) if month == 0 else (2026, month)
            night = (i + month) % 3 == 0  # 00:30 in Moscow, 06:30 in Yakutsk: the UTC day before
            day = (16 if night else 17) if i % 2 else (4 if night else 5)  # in each region's window
            at = datetime(year, mon, day, 21 if night else 9, 30)
            readings.append((i, 1, previous + 150, previous, previous_on, 150, (at.date() - previous_on).days,
                             f"{year:04d}-{mon:02d}", "accepted", "", "ivr", at))  # fmt: skip
            previous, previous_on = previous + 150, at.date()
        last_read_on[i] = (previous, previous_on)
    with psycopg.connect(dsn) as db, db.cursor() as cur:
        with cur.copy("COPY accounts (id, number, address, region) FROM STDIN") as copy:
            for i in range(1, meters + 1):
                copy.write_row((i, f"{i:08d}", "ул. Тестовая", REGIONS[i % 2]))
        with cur.copy("COPY meters (id, account_id, serial, position, zones, digits, last_t1, last_read_on) "
                      "FROM STDIN") as copy:  # fmt: skip
            for i in range(1, meters + 1):
                copy.write_row((i, i, f"M-{i}", 1, 1, 6, *last_read_on[i]))
        with cur.copy("COPY readings (meter_id, zone, value, previous, previous_on, consumption, days, period, "
                      "status, flags, channel, received_at) FROM STDIN") as copy:  # fmt: skip
            for row in readings:
                copy.write_row(row)
        cur.execute("ANALYZE")
    return len(readings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--meters", type=int, default=2000)
    options = parser.parse_args()
    base = make_url(options.database)
    with migrated_instance(base, f"ivr_bench_recompute_{os.getpid()}") as (url, folder, env):
        readings = fill(psycopg_url(url), options.meters)
        print(f"fixture: {options.meters} meters, {readings} readings")
        for name, args in (("dry run", []), ("--apply", ["--apply"]), ("again", ["--apply"])):
            seconds, peak, said = child(["readings", "recompute", *args], env)
            print(f"{name:8} {seconds:7.1f} s  peak RSS {peak:6.1f} MB  {last_line(said)}")
    print(machine())


if __name__ == "__main__":
    main()
