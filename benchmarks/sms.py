"""Signed SMS webhooks on the production gunicorn command, against a bare TwiML route on the same server.

Usage: python benchmarks/sms.py [--db POSTGRES_ADMIN_URL] [--rate 50] [--seconds 4] [--rounds 5]
                                [--clients 8] [--workers 4]
Starts README's production command, `gunicorn --preload -w 4`, with the app and a bare route (benchmarks/sms_server.py) on a fresh
database (ivr_bench_sms on PostgreSQL, or SQLite), then alternates, round by round, SMS and bare:
- at a fixed rate (--rate messages a second, open loop): p50/p95/p99 latency;
- as fast as --clients senders can go (closed loop): requests a second.
Every SMS is a reading from its own account's number (one of 20,000), signed like Twilio's.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from twilio.request_validator import RequestValidator

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.load import ROOT, database, free_port, ivr, rss_mb, wait_for  # noqa: E402

TOKEN = "sms-bench-token"
ACCOUNTS = 20_000
REGIONS = "region,start_day,end_day\nТест,1,31\n"  # always inside the window: every reading is plain


def accounts_csv(path: Path) -> None:
    rows = (f'{100000 + i},+7916{i:07d},"ул. Тестовая, д. {i}",Тест,S-{i},1,6,1000,,,2026-10-17'
            for i in range(ACCOUNTS))  # fmt: skip
    path.write_text("account,phones,address,region,meter,zones,digits,t1,t2,t3,read_on\n" + "\n".join(rows))


class Sender:
    """Signed Messaging webhooks, each from the next account's number with a higher reading."""

    def __init__(self, base: str) -> None:
        self.base, self.validator = base, RequestValidator(TOKEN)
        self.numbers, self.lock, self.local = itertools.count(), threading.Lock(), threading.local()

    def post(self, path: str) -> float:
        with self.lock:
            n = next(self.numbers)
        i = n % ACCOUNTS
        params = {"MessageSid": f"SM{uuid.uuid4().hex[:22]}{n:010d}", "AccountSid": "AC" + "0" * 32,
                  "From": f"+7916{i:07d}", "To": "+74950000000", "Body": f"{100000 + i} {1001 + n // ACCOUNTS}",
                  "NumMedia": "0"}  # fmt: skip
        url = self.base + path
        headers = {"X-Twilio-Signature": self.validator.compute_signature(url, params)}
        session = getattr(self.local, "session", None) or requests.Session()
        self.local.session = session
        started = time.perf_counter()
        response = session.post(url, data=params, headers=headers, timeout=15)
        took = time.perf_counter() - started
        if response.status_code != 200 or "<Message>" not in response.text:
            raise SystemExit(f"{path} answered {response.status_code}: {response.text[:200]}")
        return took


def at_rate(sender: Sender, path: str, rate: float, seconds: float) -> list[float]:
    """Send at a fixed rate, whatever the answers take (Twilio does not wait either)."""
    count = int(rate * seconds)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=64) as pool:
        futures = []
        for k in range(count):
            time.sleep(max(0.0, start + k / rate - time.perf_counter()))
            futures.append(pool.submit(sender.post, path))
        return [f.result() for f in futures]


def flat_out(sender: Sender, path: str, clients: int, seconds: float) -> float:
    """Requests a second from `clients` senders that each wait for the answer."""
    end = time.perf_counter() + seconds

    def client() -> int:
        done = 0
        while time.perf_counter() < end:
            sender.post(path)
            done += 1
        return done

    with ThreadPoolExecutor(max_workers=clients) as pool:
        return sum(pool.map(lambda _: client(), range(clients))) / seconds


def ms(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100)[q - 1] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="PostgreSQL admin URL (a database ivr_bench_sms is made on it)")
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--seconds", type=float, default=4, help="length of one round")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of each kind, alternating")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn's -w (README: 4)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ivr-sms-bench-") as folder:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        Path(folder, "regions.csv").write_text(REGIONS, encoding="utf-8")
        accounts_csv(Path(folder, "accounts.csv"))
        url = database(args.db, folder, "ivr_bench_sms")
        env = {**os.environ, "IVR_DATABASE_URL": url, "TWILIO_AUTH_TOKEN": TOKEN, "IVR_PUBLIC_URL": base,
               "IVR_REGIONS_FILE": f"{folder}/regions.csv", "IVR_RECORDINGS_DIR": f"{folder}/recordings",
               "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "benchmarks")])}  # fmt: skip
        ivr(env, "db", "upgrade")
        ivr(env, "accounts", "import", f"{folder}/accounts.csv")
        command = [sys.executable, "-m", "gunicorn", "--preload", "-w", str(args.workers), "-b", f"127.0.0.1:{port}",
                   "sms_server:app"]  # fmt: skip
        server = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            wait_for(base)
            report(Sender(base), args, server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)


def report(sender: Sender, args: argparse.Namespace, pid: int) -> None:
    paths = {"sms": "/twilio/sms", "bare": "/bench/bare"}
    for path in paths.values():
        sender.post(path)  # warm both workers' connections
    fixed = {k: [] for k in paths}
    fast = {k: [] for k in paths}
    rounds = {k: [] for k in paths}
    for _ in range(args.rounds):  # interleaved: the machine's other load falls on both alike
        for kind, path in paths.items():
            rounds[kind].append(at_rate(sender, path, args.rate, args.seconds))
            fixed[kind] += rounds[kind][-1]
            fast[kind].append(flat_out(sender, path, args.clients, args.seconds))
    print(f"gunicorn --preload -w {args.workers} (sync); {'PostgreSQL' if args.db else 'SQLite'}; server memory "
          f"{rss_mb(pid)} MB; {args.rounds} rounds of {args.seconds:g} s each, alternating\n")  # fmt: skip
    print(f"| route | at {args.rate:g}/s: requests | p50 ms | p95 ms | p99 ms | flat out, "
          f"{args.clients} clients: requests/s |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    for kind in paths:
        lat = fixed[kind]
        print(f"| {kind} | {len(lat)} | {statistics.median(lat) * 1000:.1f} | {ms(lat, 95):.1f} | "
              f"{ms(lat, 99):.1f} | {statistics.median(fast[kind]):.0f} |")  # fmt: skip
    print("\np95 ms by round, SMS: " + " ".join(f"{ms(r, 95):.0f}" for r in rounds["sms"])
          + "; bare: " + " ".join(f"{ms(r, 95):.0f}" for r in rounds["bare"]))  # fmt: skip
    ratio = statistics.median(fast["sms"]) / statistics.median(fast["bare"])
    print(f"\nSMS throughput is {ratio:.0%} of the bare route's; target p95 < 100 ms at {args.rate:g}/s: "
          f"{'met' if ms(fixed['sms'], 95) < 100 else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
