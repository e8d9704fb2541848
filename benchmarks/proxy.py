"""The proxy's cost: keypad calls through nginx (TLS) over two nodes, against one node without it.

Usage: python benchmarks/proxy.py --db POSTGRES_ADMIN_URL [--rounds 3] [--duration 20] [--concurrency 8]

The reference deployment of docs/DEPLOYMENT.md (tests/deployment/topology.py): nginx with the
self-signed certificate in front of two nodes of one gunicorn worker each, against one node of two
workers taken directly over HTTP; the same PostgreSQL, the same worker count. `ivr replay` load mode
drives both, in alternating rounds, so that the other helpers' load on this machine falls on both
alike. Prints calls/s and p95 webhook latency per round, and the ratios of the sums.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.load import CALLS, KEYPAD, TOKEN, database, ivr  # noqa: E402
from tests.deployment.topology import nginx, node  # noqa: E402
from tests.serving import free_port  # noqa: E402

THREADS = ("-k", "gthread", "--threads", "8")
RATE = re.compile(r"\(([\d.]+) calls/s\)")
P95 = re.compile(r"^webhooks: .* p95 (\d+) ms", re.M)


def load(url: str, audio: int, args: argparse.Namespace, ca: Path) -> tuple[float, float]:
    """One `ivr replay` load round; (calls per second, p95 webhook latency in ms)."""
    command = [sys.executable, "-m", "ivr", "replay", *(str(CALLS / n) for n in KEYPAD), "--url", url,
               "--recordings-port", str(audio), "--concurrency", str(args.concurrency),
               "--duration", str(args.duration)]  # fmt: skip
    env = {**os.environ, "TWILIO_AUTH_TOKEN": TOKEN, "REQUESTS_CA_BUNDLE": str(ca)}
    done = subprocess.run(command, env=env, capture_output=True, text=True, cwd=ROOT)
    rate, p95 = RATE.search(done.stdout), P95.search(done.stdout)
    if not rate or not p95 or "errors: 0" not in done.stdout:
        raise SystemExit(f"the load round failed:\n{done.stdout}\n{done.stderr}")
    return float(rate.group(1)), float(p95.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", required=True, help="PostgreSQL admin URL (a database ivr_proxy is made on it)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ivr-proxy-") as folder, ExitStack() as stack:
        folder = Path(folder)
        port, audio = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("IVR_VOSK_MODEL")}  # keypad only
        env.update({"IVR_DATABASE_URL": database(args.db, str(folder), "ivr_proxy"), "TWILIO_AUTH_TOKEN": TOKEN,
                    "IVR_TRUSTED_PROXIES": "1", "IVR_RECORDINGS_DIR": str(folder / "recordings"),
                    "IVR_RECORDING_URL_PREFIXES": f"http://127.0.0.1:{audio}/",
                    "IVR_OPERATOR_NUMBER": "+74950000001"})  # fmt: skip
        ivr(env, "db", "upgrade")
        for fixture in ("moscow.csv", "seoul.csv"):
            ivr(env, "accounts", "import", "--partial", str(CALLS / "fixtures" / fixture))
        proxied = {**env, "IVR_PUBLIC_URL": f"https://127.0.0.1:{port}"}
        a = stack.enter_context(node(proxied, "a", folder / "a", ("--preload", "-w", "1", *THREADS)))
        b = stack.enter_context(node(proxied, "b", folder / "b", ("--preload", "-w", "1", *THREADS)))
        proxy = stack.enter_context(nginx(folder / "nginx", [a, b], port))
        # Without IVR_PUBLIC_URL the node checks signatures against the URL it was asked at.
        direct_env = {**env, "IVR_TRUSTED_PROXIES": "0"}
        direct_node = stack.enter_context(node(direct_env, "direct", folder / "direct",
                                               ("--preload", "-w", "2", *THREADS)))  # fmt: skip
        direct = f"http://{direct_node}"
        ca = folder / "nginx" / "proxy.crt"
        print(
            f"keypad load, {args.concurrency} concurrent calls, {args.duration:.0f} s rounds; "
            f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}"
        )
        for url in (proxy, direct):  # warm up: connections, caches, the first TLS sessions
            load(url, audio, argparse.Namespace(concurrency=args.concurrency, duration=3), ca)
        totals = {"nginx + 2 nodes": [0.0, 0.0], "1 node": [0.0, 0.0]}
        for n in range(args.rounds):
            for name, url in (("nginx + 2 nodes", proxy), ("1 node", direct))[:: 1 if n % 2 == 0 else -1]:
                rate, p95 = load(url, audio, args, ca)
                totals[name][0] += rate
                totals[name][1] += p95
                print(f"round {n + 1}, {name:15}: {rate:6.1f} calls/s, p95 {p95:.0f} ms")
        (pr, pp), (dr, dp) = totals["nginx + 2 nodes"], totals["1 node"]
        print(f"proxy / direct: calls/s {pr / dr:.2f}, p95 latency {pp / dp:.2f}")


if __name__ == "__main__":
    main()
