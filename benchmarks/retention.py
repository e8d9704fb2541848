"""Benchmark `ivr retention run` over 100,000 calls and 500,000 turns on PostgreSQL: time and peak memory.

    python benchmarks/retention.py [--database postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
                                   [--calls 100000] [--turns-per-call 5]

A scratch database is created beside the given one, migrated, filled with COPY (calls over the last
year, one every ~5 minutes, three voice turns with audio keys per call, a message and an audit entry
for every fifth call), and dropped afterwards. Then `ivr retention run` runs as a child process
twice: the first run does a year's backlog (audio older than 30 days, numbers older than 90); the
second finds nothing left, as a daily run mostly does. Peak memory is the child's maxrss (os.wait4).
The audio files are not created: each removal still costs its unlink, not the freeing of a block.
"""

from __future__ import annotations

import argparse
import os
import time
from datetime import datetime, timedelta
from pathlib import Path

import psycopg
from one_command import child, last_line, machine, migrated_instance, psycopg_url  # benchmarks/
from sqlalchemy.engine import make_url

from ivr.clock import wall


def fill(dsn: str, calls: int, per_call: int, now: datetime) -> None:
    """Bulk-insert the fixture with COPY: calls, turns, messages and audit entries."""
    step = timedelta(days=365) / calls
    with psycopg.connect(dsn) as db, db.cursor() as cur:
        with cur.copy("COPY calls (sid, caller, caller_e164, called, locale, state, seq, last_twiml, status, "
                      "outcome, started_at, ended_at, version) FROM STDIN") as copy:  # fmt: skip
            for i in range(calls):
                number = f"+7916{i % 40000:07d}"  # 40,000 callers, most calling more than once
                started = now - step * i
                copy.write_row((f"CA{i:032d}", number, number, "+74950000000", "ru", f'{{"caller": "{number}"}}', per_call, "", "completed",
                                "completed", started, started + timedelta(seconds=60), 1))  # fmt: skip
        with cur.copy("COPY turns (call_id, seq, question, kind, mode, prompt_id, prompt_text, asked_at, "
                      "recording_path, heard, outcome) FROM STDIN") as copy:  # fmt: skip
            for i in range(calls):
                started = now - step * i
                for seq in range(1, per_call + 1):
                    voice = seq % 2 == 1
                    copy.write_row((i + 1, seq, "reading", "digits", "voice" if voice else "keypad", "reading", "",
                                    started + timedelta(seconds=10 * seq), f"CA{i:032d}/{seq}.wav" if voice else None,
                                    "сто двадцать" if voice else None, "answered"))  # fmt: skip
        with cur.copy("COPY messages (channel, external_id, sender, sender_key, locale, body, reply, status, "
                      "received_at) FROM STDIN") as copy:  # fmt: skip
            for i in range(0, calls, 5):
                number = f"+7916{i % 40000:07d}"
                copy.write_row(("sms", f"SM{i:032d}", number, number, "ru", f"12345 {number}", "Принято", "stored",
                                now - step * i))  # fmt: skip
        with cur.copy("COPY audit_events (at, actor, action, subject, new, note) FROM STDIN") as copy:
            for i in range(0, calls, 5):
                copy.write_row(
                    (now, "supervisor", "unmask", f"call:CA{i:032d}", f"call:CA{i:032d}", "/console/")
                )
        cur.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--turns-per-call", type=int, default=5)
    options = parser.parse_args()
    base = make_url(options.database)
    with migrated_instance(
        base,
        f"ivr_bench_retention_{os.getpid()}",
        IVR_RETAIN_AUDIO_DAYS="30",
        IVR_RETAIN_CALLER_DAYS="90",
        IVR_PSEUDONYM_KEY="benchmark-key",
    ) as (url, folder, env):
        env["IVR_RECORDINGS_DIR"] = str(Path(folder) / "recordings")  # where the fixture puts the audio
        started = time.perf_counter()
        fill(psycopg_url(url), options.calls, options.turns_per_call, wall())
        print(
            f"fixture: {options.calls} calls, {options.calls * options.turns_per_call} turns, "
            f"{options.calls // 5} messages in {time.perf_counter() - started:.1f} s"
        )
        for name in ("backlog", "next day"):
            seconds, peak, said = child(["retention", "run"], env)
            print(f"{name:9} {seconds:7.1f} s  peak RSS {peak:6.1f} MB  {last_line(said)}")
    print(machine())


if __name__ == "__main__":
    main()
