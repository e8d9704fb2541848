"""Webhook latency while slow clients press on the reference deployment, and on a node reached directly.

Usage: python benchmarks/slow_clients.py [--db POSTGRES_ADMIN_URL] [--seconds 30] [--rate 10]
                                         [--headers 250] [--bodies 170] [--no-direct]
nginx (deploy/nginx-site.conf as it is, 10 s timeouts) over two nodes of the documented command
(`gunicorn --preload -w 2 -k gthread --threads 16`, keypad only) on PostgreSQL. Signed first webhooks of
new calls go at --rate a second, open loop, in three phases of --seconds each:
1. through nginx, nothing else;
2. through nginx, with --headers sockets sending unfinished headers and --bodies sockets sending a 4 KB
   body, a byte a second each, every socket nginx drops replaced at once;
3. (unless --no-direct) the same straight at node a, as gunicorn was reached in issue 21.
Prints each phase's p50/p95/max, errors, and how many slow sockets were opened and closed by the server.
Loopback only; it stops by itself.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from twilio.request_validator import RequestValidator  # noqa: E402

from benchmarks.load import database, ivr  # noqa: E402
from tests.deployment.slow import SlowClients  # noqa: E402
from tests.deployment.topology import nginx, node  # noqa: E402
from tests.serving import free_port  # noqa: E402

TOKEN, ACCOUNT = "slow-bench-token", "AC" + "7" * 32
OPTIONS = ("--preload", "-w", "2", "-k", "gthread", "--threads", "16")
WEBHOOK_TIMEOUT_S = 20.0


class Dialer:
    """Signed first webhooks of new calls, each timed; a failure is kept with its kind."""

    def __init__(self, base: str, public: str, ca: Path | None) -> None:
        self.base, self.public, self.verify = base, public, str(ca) if ca else True
        self.numbers = itertools.count()
        self.took: list[float] = []
        self.errors: list[str] = []

    def dial(self) -> None:
        form = {"CallSid": f"CA{next(self.numbers):032d}", "AccountSid": ACCOUNT, "From": "+79160000000",
                "CallStatus": "ringing"}  # fmt: skip
        path = "/twilio/voice?locale=ru"
        signed = {"X-Twilio-Signature": RequestValidator(TOKEN).compute_signature(self.public + path, form)}
        started = time.perf_counter()
        try:
            response = requests.post(self.base + path, data=form, headers=signed, verify=self.verify,
                                     timeout=WEBHOOK_TIMEOUT_S)  # fmt: skip
            if response.status_code != 200:
                self.errors.append(f"HTTP {response.status_code}")
        except requests.RequestException as error:
            self.errors.append(type(error).__name__)
        self.took.append(time.perf_counter() - started)


def phase(name: str, dialer: Dialer, rate: float, seconds: float, slow: SlowClients | None) -> None:
    attack = threading.Thread(target=slow.run, args=(seconds + 60,), daemon=True) if slow else None
    if attack:
        attack.start()
        slow.filled.wait(120)
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=64) as pool:
        for k in range(int(rate * seconds)):
            time.sleep(max(0.0, start + k / rate - time.perf_counter()))
            pool.submit(dialer.dial)
        held = len(slow.open) if slow else 0
    if slow:
        slow.close()
    took = sorted(dialer.took)
    p95 = statistics.quantiles(took, n=20)[18] if len(took) > 1 else took[0]
    print(f"{name}: {len(took)} webhooks, p50 {statistics.median(took) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
          f"max {took[-1] * 1000:.0f} ms; errors {len(dialer.errors)} {sorted(set(dialer.errors))}")  # fmt: skip
    if slow:
        print(f"  slow sockets: {slow.opened} opened, {slow.closed} closed by the server, {held} open at the "
              f"last webhook, {slow.refused} refused")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("IVR_TEST_POSTGRES_URL",
                                                       "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"))  # fmt: skip
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=10.0, help="webhooks a second")
    parser.add_argument("--headers", type=int, default=250)
    parser.add_argument("--bodies", type=int, default=170)
    parser.add_argument("--no-direct", action="store_true", help="skip the phase without the proxy")
    args = parser.parse_args()
    if not 0 < args.seconds <= 300 or not 0 < args.rate <= 100 or not 0 <= args.headers + args.bodies <= 800:
        raise SystemExit("--seconds 0..300, --rate 0..100, at most 800 slow sockets")
    with tempfile.TemporaryDirectory(prefix="ivr-slow-") as work, ExitStack() as stack:
        folder, port = Path(work), free_port()
        proxy = f"https://127.0.0.1:{port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("IVR_", "TWILIO_"))}
        env.update({"IVR_DATABASE_URL": database(args.db, work, "ivr_slow"), "TWILIO_AUTH_TOKEN": TOKEN,
                    "TWILIO_ACCOUNT_SID": ACCOUNT, "IVR_PUBLIC_URL": proxy, "IVR_TRUSTED_PROXIES": "1",
                    "IVR_SECRET_KEY": "slow-bench", "IVR_INSTANCE_DIR": work})  # fmt: skip
        ivr(env, "db", "upgrade")
        a = stack.enter_context(node(env, "a", folder / "a", OPTIONS))
        b = stack.enter_context(node(env, "b", folder / "b", OPTIONS))
        stack.enter_context(nginx(folder / "nginx", [a, b], port))
        ca = folder / "nginx" / "proxy.crt"
        print(f"nginx (deploy/nginx-site.conf) over 2 nodes, gunicorn {' '.join(OPTIONS)}; {args.rate:g} webhooks/s, "
              f"{args.seconds:g} s a phase; {args.headers} + {args.bodies} slow sockets; "
              f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")  # fmt: skip
        phase("1. through nginx", Dialer(proxy, proxy, ca), args.rate, args.seconds, None)
        slow = SlowClients(port, ca, args.headers, args.bodies)
        phase("2. through nginx, slow clients", Dialer(proxy, proxy, ca), args.rate, args.seconds, slow)
        if not args.no_direct:
            host, node_port = a.split(":")
            slow = SlowClients(int(node_port), None, args.headers, args.bodies)
            phase(
                "3. node a directly, slow clients",
                Dialer(f"http://{a}", proxy, None),
                args.rate,
                args.seconds,
                slow,
            )
        print(f"load average at the end {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
