"""Benchmark `ivr accounts import` on PostgreSQL: CSV as Russian Excel writes it, and .xlsx.

    python benchmarks/accounts_import.py [--database postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                         [--rows 100000] [--xlsx] [--changed 0.01]

A scratch database is created beside the given one, migrated and dropped afterwards. The file is
generated in a temporary folder: one row per meter, every fourth account with two meters, a phone
per account, cp1251, `;`, CRLF, dates DD.MM.YYYY (or an .xlsx workbook with date cells). Then
`ivr accounts import` runs as a child process twice: into the empty database (every meter new),
then a night's file with `--changed` of the meters' readings moved on. During the second run a
thread saves readings, as calls and texts do (ivr.store.readings.save_meter, channels ivr and sms
in turn), on the meters the file changes, and reports the longest save: the longest a save waited
for the import's locks, plus the save's own time. Peak memory is the child's maxrss (os.wait4).
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

from one_command import ROOT, app_url, child, machine, migrated_instance  # benchmarks/
from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

sys.path.insert(0, str(ROOT))

HEADER = ["account", "phones", "address", "region", "meter", "zones", "digits", "t1", "t2", "t3", "read_on"]


def rows(count: int, changed: float, night: bool):  # noqa: ANN201
    """The file's rows; in the night's file `changed` of the meters have a later reading."""
    read_on = date(2026, 10, 17)
    account = 0
    for n in range(count):
        if n % 5 != 4:  # the fifth row is the second meter of the fourth account
            account += 1
        moved = night and random.Random(n).random() < changed
        value = 1000 + n % 5000 + (150 if moved else 0)
        yield [f"{account:08d}", f"8 (916) {account // 10000:03d}-{account // 100 % 100:02d}-{account % 100:02d}",
               f"ул. Ленина, д. {account % 300 + 1}, кв. {account % 97 + 1}", "Москва", f"M-{n:08d}", 1, 6,
               value, None, None, read_on + timedelta(days=30 if moved else 0)]  # fmt: skip


def write_csv(path: Path, count: int, changed: float, night: bool) -> None:
    with path.open("w", encoding="cp1251", newline="") as f:
        out = csv.writer(f, delimiter=";", lineterminator="\r\n")
        out.writerow(HEADER)
        for row in rows(count, changed, night):
            out.writerow([f"{v:%d.%m.%Y}" if isinstance(v, date) else v for v in row])


def write_xlsx(path: Path, count: int, changed: float, night: bool) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(HEADER)
    for row in rows(count, changed, night):
        sheet.append(row)
    book.save(path)


class Saves(threading.Thread):
    """Readings saved one after another on the meters the night's file changes, timed."""

    def __init__(self, url: str, count: int, changed: float) -> None:
        super().__init__(daemon=True)
        from ivr import create_app

        self.app = create_app({"IVR_DATABASE_URL": url, "RECOGNIZERS": {}, "SECRET_KEY": "x",
                               "TWILIO_AUTH_TOKEN": "benchmark"})  # fmt: skip
        moved = [n for n in range(count) if random.Random(n).random() < changed]
        self.serials = [f"M-{n:08d}" for n in random.Random(0).sample(moved, min(200, len(moved)))]
        self.stop, self.times, self.waits, self.failed, self.judged_again = threading.Event(), [], [], 0, 0

    def run(self) -> None:
        from ivr.flows import SaveMeter, ZoneReading
        from ivr.runtime import runtime
        from ivr.store.database import run
        from ivr.store.models import Meter
        from ivr.store.readings import save_meter

        sessions = runtime(self.app).sessions
        with self.app.app_context():
            ids = [run(sessions, lambda s, x=x: s.scalar(select(Meter.id).where(Meter.serial == x)))
                   for x in self.serials]  # fmt: skip
            for n in range(10**9):
                if self.stop.is_set():
                    return
                reading = SaveMeter(ids[n % len(ids)], (ZoneReading(1, 9000 + n, (), None, "2026-11"),))
                channel = ("ivr", "sms")[n % 2]
                started = time.perf_counter()
                try:
                    run(sessions, lambda s, r=reading, c=channel: self.save(s, r, c, save_meter))
                except OperationalError:  # the lock timeout (4 s): a caller would have heard an apology
                    self.failed += 1
                self.times.append(time.perf_counter() - started)
                time.sleep(0.02)

    def save(self, s, reading, channel: str, save_meter) -> None:  # noqa: ANN001
        """save_meter, with the wait for the meter's row lock (which save_meter takes first) timed apart."""
        from ivr.runtime import runtime
        from ivr.store.models import Meter
        from ivr.store.readings import VerdictChanged

        started = time.perf_counter()
        s.execute(select(Meter.id).where(Meter.id == reading.meter_id).with_for_update())
        self.waits.append(time.perf_counter() - started)
        parts = runtime(self.app)
        try:
            save_meter(s, reading, parts.regions, parts.clock.now(), channel=channel)
        except VerdictChanged:  # judged otherwise than the flags given: the lock was taken all the same
            self.judged_again += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--changed", type=float, default=0.01)
    parser.add_argument("--xlsx", action="store_true")
    options = parser.parse_args()
    base = make_url(options.database)
    with migrated_instance(base, f"ivr_bench_accounts_{os.getpid()}", TWILIO_AUTH_TOKEN="benchmark") as (
        scratch,
        folder,
        env,
    ):
        url = app_url(scratch)
        write = write_xlsx if options.xlsx else write_csv
        for night in (False, True):
            path = Path(folder, f"accounts-{night}.{'xlsx' if options.xlsx else 'csv'}")
            started = time.perf_counter()
            write(path, options.rows, options.changed, night)
            made = time.perf_counter() - started
            saves = Saves(url, options.rows, options.changed) if night else None
            if saves:
                saves.start()
                while (
                    len(saves.times) < 20 and saves.is_alive()
                ):  # saves before the import, for the idle figure
                    time.sleep(0.1)
                idle = len(saves.times)
            seconds, peak, output = child(["accounts", "import", str(path)], env)
            said = "; ".join(line for line in output.splitlines() if line.startswith(("imported", "retired")))
            name = "night's file" if night else "first import"
            print(f"{name:12} {options.rows} rows, {path.stat().st_size / 2**20:6.1f} MB (made in {made:.0f} s): "
                  f"{seconds:7.1f} s  peak RSS {peak:6.1f} MB  {said}")  # fmt: skip
            if saves:
                saves.stop.set()
                saves.join(30)
                during = saves.times[idle:]
                print(f"saves during the import: {len(during)} ({saves.failed} timed out, {saves.judged_again} "
                      "judged again), longest wait for "
                      f"the meter's lock {max(saves.waits[idle:]) * 1000:.0f} ms, longest save "
                      f"{max(during) * 1000:.0f} ms, "
                      f"median {sorted(during)[len(during) // 2] * 1000:.0f} ms; "
                      f"idle median {sorted(saves.times[:idle])[idle // 2] * 1000:.0f} ms")  # fmt: skip
    print(machine())


if __name__ == "__main__":
    main()
