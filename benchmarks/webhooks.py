"""Webhook latency of whole keypad calls, in-process, on SQLite and PostgreSQL.

Usage: python benchmarks/webhooks.py [CALLS] [POSTGRES_URL]
Prints a Markdown table of p50/p95 latency per webhook and calls per second.
"""

from __future__ import annotations

import io
import statistics
import sys
import tempfile
import time

from sqlalchemy import create_engine, text

from ivr import create_app
from ivr.qa.driver import FlaskTransport, TwilioCall
from ivr.store.accounts_csv import import_accounts
from ivr.store.database import transaction
from ivr.store.migrate import upgrade

ACCOUNTS = """account,phones,address,region,meter,zones,digits,t1,t2,t3,read_on
100001,8 (916) 123-45-67,"ул. Ленина, 1",Тест,B-1,2,6,1000,500,,2026-10-17
"""
REGIONS = "region,start_day,end_day\nТест,1,31\n"


def app_on(url: str, folder: str):
    regions = f"{folder}/regions.csv"
    open(regions, "w", encoding="utf-8").write(REGIONS)
    app = create_app({"IVR_DATABASE_URL": url, "TWILIO_AUTH_TOKEN": "bench", "RECOGNIZERS": {},
                      "IVR_REGIONS_FILE": regions, "IVR_RECORDINGS_DIR": folder})  # fmt: skip
    with app.app_context():
        upgrade()
        with transaction() as s:
            import_accounts(s, io.StringIO(ACCOUNTS))
    return app


def run(app, calls: int) -> tuple[list[float], float]:
    transport = FlaskTransport(app)
    latencies = []
    started = time.perf_counter()
    for _ in range(calls):
        call = TwilioCall(transport, "http://localhost", caller="+79161234567", token="bench")
        call.dial()
        for keys in ("1", "1", "1100#", "1", "600#", "1"):
            latencies.append(call.press(keys).latency)
        call.hangup()
    return latencies, time.perf_counter() - started


def main() -> None:
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    pg = sys.argv[2] if len(sys.argv) > 2 else None
    with tempfile.TemporaryDirectory() as folder:
        targets = [("SQLite", f"sqlite:///{folder}/bench.sqlite3")]
        if pg:
            engine = create_engine(pg)
            with engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
            targets.append(("PostgreSQL", pg))
        print("| database | webhooks | p50 ms | p95 ms | calls/s (one client) |")
        print("|---|---|---|---|---|")
        for name, url in targets:
            latencies, seconds = run(app_on(url, folder), calls)
            q = statistics.quantiles(latencies, n=20)
            print(f"| {name} | {len(latencies)} | {statistics.median(latencies) * 1000:.1f} "
                  f"| {q[18] * 1000:.1f} | {calls / seconds:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
